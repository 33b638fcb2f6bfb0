import { Option, type Command } from 'commander';
import type { AltPlan, ParsedPlan } from '../../formats/index.js';
import type { LastResult } from '../../formats/last/index.js';
import type { GetMasterPassword } from '../../keys/index.js';
import type { RunHandle, Runner } from '../../runner/index.js';
import type { FieldCipher } from '../../core/crypto/index.js';
import type { StoredRunEvent } from '../../store/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';
import { RunProgress } from '../RunProgress.js';
import { renderTable } from '../table.js';

interface RunOptions {
  dryRun?: boolean;
  concurrency?: number;
  yes?: boolean;
  output?: string;
  planner: 'rules' | 'llm';
  workspace?: string;
  input?: string[];
}

/** A plan file when the target names one (or looks like one), otherwise a command in plain words. */
async function planFor(ctx: CommandContext, target: string, options: RunOptions): Promise<{ plan: AltPlan; parsed?: ParsedPlan; fromCommand: boolean; warning?: string }> {
  const [{ existsSync }, { resolve }] = await Promise.all([import('node:fs'), import('node:path')]);
  const path = resolve(ctx.io.cwd, target);
  if (existsSync(path) || /\.(ya?ml|json)$/i.test(target)) {
    const { loadPlanFile } = await import('../../formats/index.js');
    const parsed = await loadPlanFile(path, { name: target });
    return { plan: parsed.plan, parsed, fromCommand: false };
  }
  const { planWithRules, planWithModel } = await import('../../segmentation/index.js');
  if (options.planner === 'llm') {
    const app = await ctx.app();
    const { masterPasswordSource } = await import('../masterPassword.js');
    const { orchestrator } = await app.models({ getMasterPassword: masterPasswordSource(ctx) });
    let warning: string | undefined;
    const planned = await planWithModel(target, { orchestrator, signal: ctx.signal, onWarning: (w) => (warning = w.message) });
    return { plan: planned.plan, fromCommand: true, ...(warning ? { warning } : {}) };
  }
  return { plan: planWithRules(target), fromCommand: true };
}

function describePlan(plan: AltPlan): string {
  const rows = plan.tasks.map((t) => [t.id, t.kind + ('op' in t ? ` ${t.op}` : ''), t.needs?.length ? `← ${t.needs.join(', ')}` : '', t.title ?? '']);
  return `${plan.title}\n${renderTable(['TASK', 'KIND', 'NEEDS', 'WHAT'], rows)}`;
}

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const stdin = ctx.io.stdin;
  if (!stdin?.isTTY) return false;
  ctx.io.stderr.write(`${question} [y/N] `);
  const { readSecretLine } = await import('../secretInput.js');
  const answer = (await readSecretLine(stdin)).toString('utf8').trim().toLowerCase();
  return answer === 'y' || answer === 'yes' || answer === 'e' || answer === 'evet';
}

function parseInputs(pairs: string[] | undefined): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw Object.assign(new Error(`--input "${pair}" is not name=value`), { usage: true });
    inputs[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return inputs;
}

/** Failures that mean "the policy or a person said no", which the CLI reports with exit code 3. */
const POLICY_STOPS = new Set(['LA_POLICY_DENIED', 'LA_PATH_OUTSIDE_WORKSPACE', 'LA_PATH_INVALID', 'LA_PATH_NOT_REGULAR', 'LA_ENV_FORBIDDEN', 'LA_APPROVAL_DENIED']);

/** Exit code for a finished (or paused) run: 0 success, 4 waiting for approval, 3 stopped by policy, 1 otherwise. */
function exitCodeOf(last: LastResult): number {
  if (last.status === 'success') return 0;
  if (last.status === 'waiting_approval') return 4;
  if (last.tasks.some((t) => t.status === 'failed' && POLICY_STOPS.has(t.error?.code ?? ''))) return 3;
  return 1;
}

/** Waits for a run, asking a person on a terminal about approvals; returns the final (or paused) result. */
async function follow(ctx: CommandContext, runner: Runner, first: RunHandle, progress: RunProgress): Promise<LastResult> {
  let last = await first.done;
  while (last.status === 'waiting_approval' && ctx.io.stdin?.isTTY && !ctx.out.json) {
    const waiting = last.tasks.map((t) => [t.id, t] as const).filter(([, t]) => t.status === 'waiting_approval');
    let handle: RunHandle | undefined;
    for (const [taskId, task] of waiting) {
      progress.pause();
      const message = task.approval?.message ?? `task ${taskId} needs approval`;
      const yes = await confirm(ctx, `Approve "${taskId}"? ${message}`);
      const by = approverOf(ctx);
      handle = yes ? await runner.approve(last.run_id, taskId, by, { signal: ctx.signal }) : await runner.deny(last.run_id, taskId, by, { signal: ctx.signal });
    }
    if (!handle) break;
    last = await handle.done;
  }
  return last;
}

/**
 * Prints the run's summary and writes `-o`. With `security.encrypt_results` the `-o` file is
 * encrypted like the stored copy: a result someone asked to keep is still a result, and a plain
 * copy in the workspace would undo the option. `runs show <file>` opens it.
 */
async function finish(ctx: CommandContext, last: LastResult, lastFile: string, output: string | undefined, cipher: FieldCipher | undefined): Promise<number> {
  if (output) {
    const [{ writeFileAtomic }, { resolve }, { encodeLastFile }] = await Promise.all([import('../../core/fs/index.js'), import('node:path'), import('../../runner/index.js')]);
    const text = cipher ? encodeLastFile(JSON.stringify(last), cipher) : `${JSON.stringify(last, null, 2)}\n`;
    await writeFileAtomic(resolve(ctx.io.cwd, output), text, { mode: 0o600 });
  }
  const counts = last.tasks.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.status]: (acc[t.status] ?? 0) + 1 }), {});
  ctx.out.result(last, () => {
    const lines = [
      `${last.status === 'success' ? ctx.out.style('green', last.status) : ctx.out.style(last.status === 'waiting_approval' ? 'yellow' : 'red', last.status)}: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')} · success rate ${Math.round(last.success_rate * 100)} % · run ${last.run_id}`,
      `result: ${lastFile}${output ? ` (and ${output})` : ''}${cipher ? ' · encrypted; `localagent runs show <run id or file>` opens it' : ''}`,
    ];
    for (const task of last.tasks) if (task.status === 'failed' && task.error) lines.push(`  ${task.id}: ${task.error.code}: ${task.error.message}`);
    if (last.status === 'waiting_approval') {
      for (const [id, task] of last.tasks.map((t) => [t.id, t] as const)) {
        if (task.status === 'waiting_approval') lines.push(`  waiting: approve with \`localagent runs approve ${last.run_id} ${id}\` or deny with \`localagent runs deny ${last.run_id} ${id}\``);
      }
    }
    return lines.join('\n');
  });
  return exitCodeOf(last);
}

/** The app, and how it gets the vault's master password (the results key may live in the vault). */
async function appWithPassword(ctx: CommandContext): Promise<{ app: Awaited<ReturnType<CommandContext['app']>>; getMasterPassword: GetMasterPassword }> {
  const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
  return { app, getMasterPassword: masterPasswordSource(ctx) };
}

/** `runs show` takes a run id or a path: anything with a folder separator or a .json/.last ending is a file (run ids have neither). */
function namesFile(target: string): boolean {
  return target.includes('/') || target.includes('\\') || /\.(json|last)$/i.test(target);
}

function showLast(ctx: CommandContext, last: LastResult): void {
  ctx.out.result(last, () =>
    [
      `${last.run_id}: ${last.status} · success rate ${Math.round(last.success_rate * 100)} % · ${last.title ?? ''}`,
      renderTable(
        ['TASK', 'STATUS', 'ATTEMPTS', 'ERROR'],
        last.tasks.map((t) => [t.id, t] as const).map(([id, t]) => [id, t.status, String(t.attempts), t.error ? `${t.error.code}: ${t.error.message}` : '']),
      ),
    ].join('\n'),
  );
}

/** Who a person's approval or denial is recorded as. */
function approverOf(ctx: CommandContext): string {
  return ctx.io.env.USER ?? ctx.io.env.USERNAME ?? 'cli-user';
}

/**
 * Starts (or continues) a run with live progress, waits for it (asking about approvals on a
 * terminal), writes `-o` and prints the summary. Returns the exit code.
 */
async function followRun(
  ctx: CommandContext,
  start: (runner: Runner) => Promise<RunHandle>,
  options: { output?: string | undefined; plan?: AltPlan },
): Promise<number> {
  const plan = options.plan;
  const progress = new RunProgress(ctx.io.stderr, {
    tty: ctx.io.stderr.isTTY === true,
    color: ctx.globals.color,
    quiet: ctx.out.json,
    titles: plan ? Object.fromEntries(plan.tasks.map((t) => [t.id, t.title ?? t.id])) : {},
    total: plan?.tasks.length ?? 0,
  });
  const [app, { masterPasswordSource }, { lastFilePath }] = await Promise.all([ctx.app(), import('../masterPassword.js'), import('../../runner/index.js')]);
  const { runner } = await app.runner({ getMasterPassword: masterPasswordSource(ctx), onEvent: (e: StoredRunEvent) => progress.onEvent(e) });
  const last = await follow(ctx, runner, await start(runner), progress);
  progress.end();
  return finish(ctx, last, lastFilePath(app.paths.runs, last.run_id), options.output, await app.resultCipher());
}

export function registerRunCommands(program: Command, runtime: CliRuntime): void {
  program
    .command('run <target>')
    .description('run a plan file (.alt.yaml / .json), or a command in plain words (planned first, shown, and run once you confirm)')
    .option('--dry-run', 'validate, check every task against the policy, and print the order of execution; change nothing')
    .option('--concurrency <n>', 'tasks at once (default: config runner.concurrency)', (v) => Number.parseInt(v, 10))
    .option('--yes', 'run a planned command without asking first (approvals still need a person)')
    .option('-o, --output <file>', 'also write the .last result to this file')
    .addOption(new Option('--planner <planner>', 'for a command: rules (offline) or llm').choices(['rules', 'llm']).default('rules'))
    .option('--workspace <dir>', 'the folder tasks may touch (default: the current folder)')
    .option('--input <name=value...>', 'values for the plan\'s inputs')
    .action(
      runtime.action(async (ctx, target: string, options: RunOptions) => {
        const { UsageError, UserInputError } = await import('../../core/errors/index.js');
        if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency > 0)) throw new UsageError({ message: '--concurrency takes a whole number above 0.' });
        let inputs: Record<string, unknown>;
        try {
          inputs = parseInputs(options.input);
        } catch (error) {
          throw new UsageError({ message: (error as Error).message, suggestion: 'Write each input as --input name=value.' });
        }
        const { plan, parsed, fromCommand, warning } = await planFor(ctx, target, options);
        if (warning) ctx.out.warn(warning);
        const [{ resolve }, { stat }] = await Promise.all([import('node:path'), import('node:fs/promises')]);
        const workspace = resolve(ctx.io.cwd, options.workspace ?? '.');
        if (!(await stat(workspace).catch(() => undefined))?.isDirectory()) {
          throw new UserInputError({ code: 'LA_PATH_NOT_FOUND', message: `The workspace ${workspace} is not a folder.`, suggestion: 'Create it, or choose another with --workspace.' });
        }

        if (options.dryRun) {
          const { planOrder } = await import('../../formats/index.js');
          const { dryRunDecisions } = await import('../dryRun.js');
          const app = await ctx.app();
          const decisions = await dryRunDecisions(plan, await app.policy(), workspace);
          const order = planOrder(plan);
          ctx.out.result({ ok: true, title: plan.title, order, decisions }, () =>
            [
              describePlan(plan),
              '',
              'order of execution and policy:',
              ...order.map((id, i) => {
                const d = decisions.find((x) => x.task === id);
                return `  ${String(i + 1).padStart(3)}. ${id.padEnd(20)} ${d ? `${d.effect}${d.effect === 'allow' ? '' : ` — ${d.reason}`}` : ''}`;
              }),
              'dry run: nothing was changed.',
            ].join('\n'),
          );
          return decisions.some((d) => d.effect === 'deny') ? 3 : 0;
        }

        if (fromCommand && !ctx.out.json) ctx.io.stderr.write(`${describePlan(plan)}\n`);
        if (fromCommand && !options.yes) {
          if (!ctx.io.stdin?.isTTY) {
            throw new UsageError({ message: 'A planned command runs only after confirmation, and there is no terminal to ask on.', suggestion: 'Add --yes to run it, or --dry-run to see what it would do. Save the plan with `localagent plan "…" -o plan.alt.yaml` to review it first.' });
          }
          if (!(await confirm(ctx, 'Run this plan?'))) {
            ctx.out.note('Not run.');
            return 1;
          }
        }
        // A loaded file is already validated; the runner takes it as is instead of checking it again.
        const start = { workspace, inputs, signal: ctx.signal, ...(options.concurrency ? { concurrency: options.concurrency } : {}) };
        return followRun(ctx, (runner) => runner.start(parsed ?? plan, start), { output: options.output, plan });
      }),
    );

  const runs = program.command('runs').description('list, inspect, resume, cancel and approve runs');

  runs
    .command('list')
    .description('recent runs, newest first')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
    .action(
      runtime.action(async (ctx, options: { limit: number }) => {
        const { app, getMasterPassword } = await appWithPassword(ctx);
        const { store } = await app.runner({ getMasterPassword });
        const list = await store.listRuns({ limit: options.limit });
        ctx.out.result(list, () =>
          list.length === 0
            ? 'No runs yet. Try `localagent run examples/hello.alt.yaml`.'
            : renderTable(['RUN', 'STATUS', 'TITLE', 'CREATED'], list.map((r) => [r.id, r.status, r.title ?? '', String(r.createdAt)])),
        );
      }),
    );

  runs
    .command('show <run>')
    .description("a run's result: status, each task, errors, totals. <run> is a run id or a .last file (an encrypted one is opened with this home's key)")
    .action(
      runtime.action(async (ctx, runId: string) => {
        const { app, getMasterPassword } = await appWithPassword(ctx);
        if (namesFile(runId)) {
          const [{ readLastFile }, { resolve }] = await Promise.all([import('../../runner/index.js'), import('node:path')]);
          showLast(ctx, await readLastFile(resolve(ctx.io.cwd, runId), { cipher: await app.resultCipher({ getMasterPassword }) }));
          return 0;
        }
        const { runner, store } = await app.runner({ getMasterPassword });
        const last = await runner.result(runId);
        if (!last) {
          const record = await store.getRun(runId);
          if (!record) {
            const { runNotFound } = await import('../../store/index.js');
            throw runNotFound(runId);
          }
          ctx.out.result(record, () => `${record.id}: ${record.status} (no result yet; resume it with \`localagent runs resume ${record.id}\`)`);
          return 0;
        }
        showLast(ctx, last);
        return 0;
      }),
    );

  const outputOption = (): Option => new Option('-o, --output <file>', 'also write the .last result to this file');
  runs
    .command('resume <run>')
    .description('continue a run after a crash or pause: finished tasks keep their results, unfinished ones run')
    .addOption(outputOption())
    .action(runtime.action(async (ctx, runId: string, options: { output?: string }) => followRun(ctx, (runner) => runner.resume(runId, { signal: ctx.signal }), options)));
  runs
    .command('approve <run> <task>')
    .description('approve a task that waits for a person, and continue the run')
    .addOption(outputOption())
    .action(
      runtime.action(async (ctx, runId: string, taskId: string, options: { output?: string }) =>
        followRun(ctx, (runner) => runner.approve(runId, taskId, approverOf(ctx), { signal: ctx.signal }), options),
      ),
    );
  runs
    .command('deny <run> <task>')
    .description('deny a task that waits for a person (it fails), and continue the run')
    .addOption(outputOption())
    .action(
      runtime.action(async (ctx, runId: string, taskId: string, options: { output?: string }) =>
        followRun(ctx, (runner) => runner.deny(runId, taskId, approverOf(ctx), { signal: ctx.signal }), options),
      ),
    );

  runs
    .command('cancel <run>')
    .description('cancel a run: nothing new starts, running tasks are stopped')
    .action(
      runtime.action(async (ctx, runId: string) => {
        const { app, getMasterPassword } = await appWithPassword(ctx);
        const { runner } = await app.runner({ getMasterPassword });
        const last = await runner.cancel(runId);
        ctx.out.result(last, () => `${last.run_id}: ${last.status}`);
        return 0;
      }),
    );
}
