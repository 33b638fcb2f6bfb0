import type { LocalAgentError } from '../core/errors/index.js';
import type { Redactor } from '../core/redact/index.js';

/** Anything we can write text to: a process stream or a test buffer. */
export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  stdout: TextSink;
  stderr: TextSink;
  json: boolean;
  color: boolean;
  debug: boolean;
  redactor: Redactor;
}

const ANSI = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof ANSI;

/**
 * The only place LocalAgent writes to the terminal. Command results go to stdout (as JSON with
 * `--json`); warnings and errors go to stderr. Everything passes the redactor first, so a secret
 * cannot reach the terminal by accident.
 */
export class Output {
  constructor(private readonly options: OutputOptions) {}

  get json(): boolean {
    return this.options.json;
  }

  get isTTY(): boolean {
    return this.options.stdout.isTTY === true;
  }

  style(style: Style, text: string): string {
    if (!this.options.color) return text;
    const [open, close] = ANSI[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** A command's result: JSON when `--json`, otherwise the human rendering. */
  result(value: unknown, human: () => string): void {
    if (this.options.json) this.options.stdout.write(`${JSON.stringify(this.options.redactor.value(value), null, 2)}\n`);
    else this.line(human());
  }

  /** Text on stdout, for human output only. */
  line(text: string): void {
    this.options.stdout.write(`${this.options.redactor.text(text)}\n`);
  }

  /** A status message that must not pollute `--json` output. */
  note(text: string): void {
    const sink = this.options.json ? this.options.stderr : this.options.stdout;
    sink.write(`${this.options.redactor.text(text)}\n`);
  }

  warn(text: string): void {
    this.options.stderr.write(`${this.style('yellow', 'warning:')} ${this.options.redactor.text(text)}\n`);
  }

  /** Prints an error: code, message and suggestion; the stack and causes only with `--debug`. */
  error(error: LocalAgentError): void {
    const redact = this.options.redactor;
    if (this.options.json) {
      this.options.stderr.write(`${JSON.stringify({ error: redact.value(error.toJSON()) })}\n`);
    } else {
      const lines = [
        `${this.style('red', `error ${error.code}:`)} ${redact.text(error.message)}`,
        `${this.style('cyan', 'hint:')} ${redact.text(error.suggestion)}`,
      ];
      this.options.stderr.write(`${lines.join('\n')}\n`);
    }
    if (this.options.debug) this.options.stderr.write(`${redact.text(describeStack(error))}\n`);
  }
}

/** The stack of an error and of every cause below it. */
function describeStack(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    if (current instanceof Error) {
      parts.push(`${depth === 0 ? '' : 'caused by: '}${current.stack ?? `${current.name}: ${current.message}`}`);
      current = current.cause;
    } else {
      parts.push(`caused by: ${String(current)}`);
      break;
    }
  }
  return parts.join('\n');
}
