import type { StoredRunEvent } from '../store/index.js';
import type { TextSink } from './output.js';

export interface RunProgressOptions {
  /** A terminal gets a live progress line; anything else one line per state change. */
  tty: boolean;
  color: boolean;
  /** `--json`: print nothing. */
  quiet: boolean;
  titles: Record<string, string>;
  total: number;
}

const SYMBOL: Record<string, string> = {
  task_started: '…',
  task_succeeded: '✓',
  task_failed: '✗',
  task_skipped: '↷',
  task_cancelled: '⊘',
  task_retrying: '↻',
  task_waiting_approval: '?',
  task_approved: '✓',
  task_denied: '✗',
};

/**
 * Run progress on stderr. On a terminal: each task's state change as a line with its elapsed time,
 * under a progress bar redrawn in place. Elsewhere: one plain line per state change, so logs and
 * CI output stay readable.
 */
export class RunProgress {
  private readonly started = new Map<string, number>();
  private done = 0;
  private total: number;
  private readonly runStarted = Date.now();
  private barShown = false;

  constructor(
    private readonly sink: TextSink,
    private readonly options: RunProgressOptions,
  ) {
    this.total = options.total;
  }

  onEvent(event: StoredRunEvent): void {
    if (this.options.quiet) return;
    const type = event.type;
    const task = event.taskId;
    if (type === 'run_started' || type === 'run_resumed') {
      const tasks = (event.data as { tasks?: number } | undefined)?.tasks;
      if (typeof tasks === 'number') this.total = tasks;
      return;
    }
    if (!task || !(type in SYMBOL)) return;
    if (type === 'task_started') this.started.set(task, Date.now());
    if (type === 'task_succeeded' || type === 'task_failed' || type === 'task_skipped' || type === 'task_cancelled' || type === 'task_denied') this.done += 1;
    const since = this.started.get(task);
    const elapsed = since === undefined || type === 'task_started' ? '' : ` (${((Date.now() - since) / 1000).toFixed(1)} s)`;
    const error = (event.data as { error?: { code?: string; message?: string } } | undefined)?.error;
    const detail = error ? `: ${error.code ?? ''} ${error.message ?? ''}`.trimEnd() : '';
    const title = this.options.titles[task] ?? task;
    const line = `${SYMBOL[type]} ${task}${title !== task ? ` — ${title}` : ''} ${type.replace('task_', '').replace('_', ' ')}${elapsed}${detail}`;
    if (this.options.tty) {
      this.clearBar();
      this.sink.write(`${this.paint(type, line)}\n`);
      this.drawBar();
    } else {
      this.sink.write(`${new Date().toISOString()} ${line}\n`);
    }
  }

  /** Before asking a question on the terminal. */
  pause(): void {
    this.clearBar();
  }

  end(): void {
    this.clearBar();
  }

  private paint(type: string, text: string): string {
    if (!this.options.color) return text;
    const code = type === 'task_succeeded' || type === 'task_approved' ? 32 : type === 'task_failed' || type === 'task_denied' ? 31 : type === 'task_started' ? 2 : 33;
    return `\u001b[${code}m${text}\u001b[0m`;
  }

  private drawBar(): void {
    const total = Math.max(this.total, this.done, 1);
    const width = 24;
    const filled = Math.round((this.done / total) * width);
    const seconds = ((Date.now() - this.runStarted) / 1000).toFixed(1);
    this.sink.write(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${total} · ${seconds} s`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (this.barShown) this.sink.write('\r\u001b[K');
    this.barShown = false;
  }
}
