import { Option, type Command } from 'commander';
import type { CallResult, OrchestratedRequest, StrategyName } from '../../orchestrator/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

interface AskOptions {
  model?: string;
  models?: string;
  strategy?: StrategyName | 'race' | 'ensemble';
  merge?: 'vote' | 'judge' | 'all';
  judge?: string;
  system?: string;
  jsonSchema?: string;
  stream: boolean;
  maxCost?: number;
  temperature?: number;
  maxTokens?: number;
}

/** Longest prompt read from stdin or a file: far more than any model's context. */
const MAX_PROMPT_BYTES = 4 * 1024 * 1024;

async function readPrompt(ctx: CommandContext, prompt: string | undefined): Promise<string> {
  const { UsageError, UserInputError } = await import('../../core/errors/index.js');
  if (prompt !== undefined && prompt !== '-') return prompt;
  const stdin = ctx.io.stdin;
  if (!stdin || (prompt === undefined && stdin.isTTY)) {
    throw new UsageError({ message: 'No prompt was given.', suggestion: 'Run `localagent ask "your question"`, or pipe it: `echo "question" | localagent ask -`.' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_PROMPT_BYTES) throw new UserInputError({ code: 'LA_INPUT_TOO_LARGE', message: 'The prompt on standard input is larger than 4 MiB.', suggestion: 'Send less text, or summarise it in parts.' });
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') throw new UsageError({ message: 'The prompt on standard input is empty.', suggestion: 'Pipe the question in, e.g. `echo "question" | localagent ask -`.' });
  return text;
}

async function readSchema(ctx: CommandContext, file: string): Promise<Record<string, unknown>> {
  const [{ readLimitedFile }, { UserInputError }, { resolve }] = await Promise.all([
    import('../../core/config/index.js'),
    import('../../core/errors/index.js'),
    import('node:path'),
  ]);
  const path = resolve(ctx.io.cwd, file);
  const text = await readLimitedFile(path);
  if (text === undefined) throw new UserInputError({ code: 'LA_SCHEMA_INVALID', message: `The schema file ${path} does not exist.`, suggestion: 'Check the path given to --json-schema.' });
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UserInputError({ code: 'LA_SCHEMA_INVALID', message: `${path} is not a JSON Schema: ${(error as Error).message}.`, suggestion: 'Give a JSON file holding a JSON Schema object, e.g. {"type":"object","properties":{…}}.' });
  }
}

function summary(result: CallResult): string {
  const cost = result.costUsd === 0 ? 'free' : `$${result.costUsd.toFixed(6)}`;
  return `${result.model} (${result.provider}) · ${result.usage.inputTokens}+${result.usage.outputTokens} tokens · ${cost} · ${Math.round(result.latencyMs)} ms${result.attempts > 1 ? ` · ${result.attempts} attempts` : ''}`;
}

function resultJson(result: CallResult, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    text: result.text,
    ...(result.json !== undefined ? { json: result.json } : {}),
    model: result.model,
    provider: result.provider,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost_usd: result.costUsd,
    latency_ms: Math.round(result.latencyMs),
    ...(result.firstTokenMs !== undefined ? { first_token_ms: Math.round(result.firstTokenMs) } : {}),
    attempts: result.attempts,
    ...(result.finishReason ? { finish_reason: result.finishReason } : {}),
    ...extra,
  };
}

/**
 * Writes streamed text as it comes, but only up to the last whitespace, so a secret split across
 * two chunks is still whole when the redactor sees it.
 */
class StreamPrinter {
  private pending = '';
  constructor(private readonly ctx: CommandContext) {}

  push(text: string): void {
    this.pending += text;
    const cut = Math.max(this.pending.lastIndexOf(' '), this.pending.lastIndexOf('\n'));
    if (cut < 0) return;
    this.ctx.io.stdout.write(this.ctx.redactor.text(this.pending.slice(0, cut + 1)));
    this.pending = this.pending.slice(cut + 1);
  }

  end(): void {
    this.ctx.io.stdout.write(`${this.ctx.redactor.text(this.pending)}\n`);
    this.pending = '';
  }
}

export function registerAskCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('ask [prompt]')
    .description('ask a model; the answer streams to the terminal (use - to read the prompt from stdin)')
    .option('--model <id>', 'exactly this model (see `localagent models list`)')
    .option('--models <ids>', 'candidate models, comma-separated, tried or combined by --strategy')
    .addOption(new Option('--strategy <name>', 'how to choose: explicit, fallback, fastest, cheapest, best, auto, learn; or race / ensemble to call several at once').choices(['explicit', 'fallback', 'fastest', 'cheapest', 'best', 'auto', 'learn', 'race', 'ensemble']))
    .addOption(new Option('--merge <how>', 'ensemble: vote (short answers), judge (a judge model picks), all (keep every answer)').choices(['vote', 'judge', 'all']).default('vote'))
    .option('--judge <id>', 'ensemble: the model that judges the answers')
    .option('--system <text>', 'system instructions')
    .option('--json-schema <file>', 'the answer must be JSON matching this JSON Schema (validated; one repair attempt)')
    .option('--no-stream', 'wait for the whole answer instead of streaming it')
    .option('--max-cost <usd>', 'refuse the call if it could cost more than this', (v) => Number.parseFloat(v))
    .option('--temperature <t>', 'sampling temperature', (v) => Number.parseFloat(v))
    .option('--max-tokens <n>', 'cap on output tokens', (v) => Number.parseInt(v, 10))
    .action(
      runtime.action(async (ctx, promptArg: string | undefined, options: AskOptions) => {
        const { UsageError } = await import('../../core/errors/index.js');
        for (const [flag, value] of [['--max-cost', options.maxCost], ['--temperature', options.temperature], ['--max-tokens', options.maxTokens]] as const) {
          if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new UsageError({ message: `${flag} takes a number of at least 0.` });
        }
        const models = options.models?.split(',').map((m) => m.trim()).filter(Boolean);
        if (options.model && models) throw new UsageError({ message: '--model and --models cannot be used together.', suggestion: 'Use --model for one model, --models a,b,c for several.' });
        const parallel = options.strategy === 'race' || options.strategy === 'ensemble';
        if (parallel && (!models || models.length < 2)) {
          throw new UsageError({ message: `--strategy ${options.strategy} calls several models at once and needs --models with at least two.`, suggestion: `e.g. localagent ask "…" --strategy ${options.strategy} --models a,b` });
        }
        const prompt = await readPrompt(ctx, promptArg);
        const request: OrchestratedRequest = {
          prompt,
          signal: ctx.signal,
          taskKind: 'ai',
          ...(options.system ? { system: options.system } : {}),
          ...(options.jsonSchema ? { schema: await readSchema(ctx, options.jsonSchema) } : {}),
          ...(options.maxCost !== undefined ? { maxCostUsd: options.maxCost } : {}),
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          ...(options.maxTokens !== undefined ? { maxOutputTokens: options.maxTokens } : {}),
          ...(options.model ? { model: options.model } : {}),
          ...(models && !parallel ? { models } : {}),
          ...(options.strategy && !parallel ? { strategy: options.strategy as StrategyName } : {}),
        };
        const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
        const { orchestrator } = await app.models({ getMasterPassword: masterPasswordSource(ctx) });
        const stderrTty = ctx.io.stderr.isTTY === true;

        if (options.strategy === 'race' && models) {
          const raced = await orchestrator.race(request, models);
          ctx.out.result(
            resultJson(raced.result, {
              strategy: 'race',
              members: raced.members.map((m) => ({ model: m.model, status: m.status, latency_ms: Math.round(m.latencyMs), cost_usd: m.costUsd, ...(m.errorCode ? { error_code: m.errorCode } : {}) })),
              total_cost_usd: raced.totalCostUsd,
            }),
            () => raced.result.text,
          );
          if (!ctx.out.json && stderrTty) ctx.io.stderr.write(`${ctx.out.style('dim', `won by ${summary(raced.result)}`)}\n`);
          return 0;
        }
        if (options.strategy === 'ensemble' && models) {
          const merged = await orchestrator.ensemble(request, models, { merge: options.merge ?? 'vote', ...(options.judge ? { judgeModel: options.judge } : {}) });
          ctx.out.result(
            resultJson(merged.result, {
              strategy: 'ensemble',
              merge: merged.merge,
              decided_by: merged.decidedBy,
              members: merged.members.map((m) => ({ model: m.model, status: m.status, latency_ms: Math.round(m.latencyMs), cost_usd: m.costUsd, ...(m.errorCode ? { error_code: m.errorCode } : {}), ...(m.result ? { text: m.result.text } : {}) })),
              total_cost_usd: merged.totalCostUsd,
            }),
            () => (merged.merge === 'all' && merged.alternatives ? merged.alternatives.map((a) => `── ${a.model}\n${a.text}`).join('\n\n') : merged.result.text),
          );
          if (!ctx.out.json && stderrTty) ctx.io.stderr.write(`${ctx.out.style('dim', `decided by ${merged.decidedBy}; answer from ${summary(merged.result)}`)}\n`);
          return 0;
        }
        if (!options.stream || ctx.out.json) {
          const answered = await orchestrator.generate(request);
          ctx.out.result(
            resultJson(answered.result, {
              strategy: answered.strategy,
              tried: answered.tried.map((t) => ({ model: t.model, ok: t.ok, latency_ms: Math.round(t.latencyMs), ...(t.errorCode ? { error_code: t.errorCode } : {}) })),
            }),
            () => answered.result.text,
          );
          if (!ctx.out.json && stderrTty) ctx.io.stderr.write(`${ctx.out.style('dim', summary(answered.result))}\n`);
          return 0;
        }
        const printer = new StreamPrinter(ctx);
        for await (const event of orchestrator.stream(request)) {
          if (event.type === 'text') printer.push(event.text);
          else {
            printer.end();
            if (stderrTty) ctx.io.stderr.write(`${ctx.out.style('dim', summary(event.result))}\n`);
          }
        }
        return 0;
      }),
    );
}
