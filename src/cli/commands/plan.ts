import { Option, type Command } from 'commander';
import type { AltPlan } from '../../formats/alt/index.js';
import type { ModelPlanResult, PlannerWarning } from '../../segmentation/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

interface PlanOptions {
  planner: 'rules' | 'llm';
  mode?: 'normal' | 'dream' | 'explore' | 'chaos';
  chaosLevel?: string;
  persona?: string;
  seed?: string;
  model?: string;
  language?: string;
  output?: string;
}

/**
 * The `.alt` modes, spelled out here so that loading the CLI does not load the format's zod schema
 * (group files import only types at load time); plan.test.ts checks it equals `MODES`.
 */
export const PLAN_MODES = ['normal', 'dream', 'explore', 'chaos'] as const;

async function wholeNumber(value: string, flag: string, min: number, max: number): Promise<number> {
  const { UsageError } = await import('../../core/errors/index.js');
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError({ message: `${flag} takes a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'up' : max}, not "${value}".`, details: { flag, value } });
  }
  return n;
}

/** Options that cannot work together or hold wrong values are usage errors (exit 2), before any planning. */
async function checkOptions(options: PlanOptions): Promise<{ chaosLevel?: number; seed?: number }> {
  const [{ UsageError, UserInputError }, { resolvePersona }] = await Promise.all([import('../../core/errors/index.js'), import('../../segmentation/index.js')]);
  const mode = options.mode ?? 'normal';
  if (options.chaosLevel !== undefined && mode !== 'chaos') {
    throw new UsageError({ message: `--chaos-level works with --mode chaos only${options.mode ? `, not --mode ${options.mode}` : ''}.`, suggestion: 'Add --mode chaos, or leave --chaos-level out.' });
  }
  if (options.model !== undefined && options.planner !== 'llm') {
    throw new UsageError({ message: '--model chooses the model of the llm planner.', suggestion: 'Add --planner llm, or leave --model out.' });
  }
  if (options.language !== undefined && options.planner === 'rules' && !/^(en|tr)(-|$)/i.test(options.language)) {
    throw new UsageError({ message: `The rules planner reads English (en) and Turkish (tr), not "${options.language}".`, suggestion: 'Leave --language out to detect it, or use --planner llm for other languages.' });
  }
  if (options.persona !== undefined) {
    try {
      resolvePersona(options.persona);
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      throw new UsageError({ message: error.message, suggestion: error.suggestion.replace(/, or define .*$/, '.'), details: error.details });
    }
  }
  return {
    ...(options.chaosLevel !== undefined ? { chaosLevel: await wholeNumber(options.chaosLevel, '--chaos-level', 1, 10) } : {}),
    ...(options.seed !== undefined ? { seed: await wholeNumber(options.seed, '--seed', 0, Number.MAX_SAFE_INTEGER) } : {}),
  };
}

async function makePlan(ctx: CommandContext, command: string, options: PlanOptions, checked: { chaosLevel?: number; seed?: number }): Promise<ModelPlanResult> {
  const { planWithRules, planWithModel } = await import('../../segmentation/index.js');
  const planOptions = {
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
    ...(options.persona !== undefined ? { persona: options.persona } : {}),
    ...(options.language !== undefined ? { language: options.language } : {}),
    ...checked,
  };
  if (options.planner === 'rules') return { plan: planWithRules(command, planOptions), planner: 'rules' };

  const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
  // The model service itself tolerates a missing or broken key store (models without keys are
  // simply unavailable), so "no usable model" surfaces from planWithModel, which falls back.
  const { orchestrator } = await app.models({ getMasterPassword: masterPasswordSource(ctx) });
  return planWithModel(command, {
    ...planOptions,
    orchestrator,
    signal: ctx.signal,
    onWarning: (warning: PlannerWarning) => ctx.out.warn(warning.message),
    ...(options.model !== undefined ? { model: options.model } : {}),
  });
}

function summary(plan: AltPlan): string[] {
  const width = Math.max(...plan.tasks.map((t) => t.id.length));
  return plan.tasks.map((task) => {
    const what = task.kind === 'fs' ? `fs ${task.op}` : task.kind;
    const needs = task.needs && task.needs.length > 0 ? `← ${task.needs.join(', ')}` : '';
    return `  ${task.id.padEnd(width)}  ${what.padEnd(9)}  ${needs}`.trimEnd();
  });
}

export function registerPlanCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('plan <command...>')
    .description('turn a plain-language command into a .alt plan: printed as YAML, or written to a file with -o')
    .addOption(new Option('--planner <name>', 'rules: offline and deterministic; llm: ask a model (falls back to rules when none can)').choices(['rules', 'llm']).default('rules'))
    .addOption(new Option('--mode <mode>', 'normal; dream (creative AI tasks); explore (AI tasks on several models); chaos (seeded fault injection when run)').choices([...PLAN_MODES]))
    .option('--chaos-level <n>', 'with --mode chaos: fault intensity from 1 to 10 (default 3)')
    .option('--persona <name>', 'technical_expert, creative_writer, researcher or project_manager: adds its system prompt to AI tasks')
    .option('--seed <n>', 'the seed recorded for anything random (default: derived from the command)')
    .option('--model <id>', 'with --planner llm: the model to ask (see `localagent models list`)')
    .option('--language <code>', 'the command\'s language: en or tr for the rules planner (default: detected)')
    .option('-o, --output <file>', 'write the plan to this file (YAML; JSON when it ends in .json or with --json)')
    .action(
      runtime.action(async (ctx, words: string[], options: PlanOptions) => {
        const { UsageError } = await import('../../core/errors/index.js');
        const command = words.join(' ').trim();
        if (command === '') throw new UsageError({ message: 'No command was given.', suggestion: 'Run `localagent plan "read notes.txt and summarize it"`.' });
        const checked = await checkOptions(options);
        const result = await makePlan(ctx, command, options, checked);
        const { plan } = result;
        const { stringify } = await import('yaml');
        const toYaml = (): string => stringify(plan, { lineWidth: 0 });

        if (options.output === undefined) {
          ctx.out.result(plan, () => toYaml().trimEnd());
          return 0;
        }
        const [{ resolve }, { writeFileAtomic }] = await Promise.all([import('node:path'), import('../../core/fs/index.js')]);
        const file = resolve(ctx.io.cwd, options.output);
        const format = ctx.out.json || /\.json$/i.test(options.output) ? 'json' : 'yaml';
        // A plan is a document people read and edit, not a secret: ordinary file permissions.
        await writeFileAtomic(file, format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : toYaml(), { mode: 0o644 });
        ctx.out.result(
          {
            file,
            format,
            planner: result.planner,
            ...(result.model !== undefined ? { model: result.model } : {}),
            ...(result.warning !== undefined ? { warning: result.warning } : {}),
            mode: plan.mode,
            ...(plan.chaos_level !== undefined ? { chaos_level: plan.chaos_level } : {}),
            seed: plan.seed,
            language: plan.language,
            tasks: plan.tasks.map((t) => ({ id: t.id, kind: t.kind, ...(t.kind === 'fs' ? { op: t.op } : {}), needs: t.needs ?? [] })),
          },
          () =>
            [
              `wrote ${file}`,
              `${plan.tasks.length} task${plan.tasks.length === 1 ? '' : 's'} · ${result.planner} planner${result.model ? ` (${result.model})` : ''} · mode ${plan.mode}${plan.chaos_level !== undefined ? ` ${plan.chaos_level}` : ''} · language ${plan.language ?? '?'} · seed ${plan.seed ?? '-'}`,
              ...summary(plan),
            ].join('\n'),
        );
        return 0;
      }),
    );
}
