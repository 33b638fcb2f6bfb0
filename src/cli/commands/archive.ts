import { Option, type Command } from 'commander';
import type { Archive, ArchivedRun, SearchHit, StatsGrouping, StatsReport } from '../../archive/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';
import { renderTable } from '../table.js';

const RUN_STATUSES = ['success', 'partial', 'failure', 'cancelled'];

/** The archive, with finished runs nobody archived yet caught up first (so what is shown is complete). */
async function openArchive(ctx: CommandContext): Promise<Archive> {
  const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
  const archive = await app.archive({ getMasterPassword: masterPasswordSource(ctx) });
  await archive.ingestPending();
  return archive;
}

/** `--since`/`--older-than` as an ISO time (usage error, exit 2, when it does not parse). */
async function cutoff(option: string, value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const { cutoffOf } = await import('../../archive/index.js');
  return cutoffOf(option, value, Date.now());
}

function money(usd: number): string {
  return usd === 0 ? '0' : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(2)}`;
}

function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}

function renderHits(hits: readonly SearchHit[]): string {
  if (hits.length === 0) return 'No archived run matches.';
  return renderTable(
    ['RUN', 'STATUS', 'FINISHED', 'TASKS', 'TITLE'],
    hits.map((h) => [h.run_id, h.status, h.finished_at.slice(0, 16).replace('T', ' '), `${h.tasks - h.failed}/${h.tasks} ok`, h.title]),
  );
}

function renderRun({ record, source, archived_at }: ArchivedRun): string {
  const lines = [
    `${record.run_id}: ${record.status} · success rate ${percent(record.success_rate)} · ${record.title}`,
    ...(record.command ? [`command: ${record.command}`] : []),
    `finished ${record.finished_at} after ${ms(record.duration_ms)} · ${record.totals.tokens_in} tokens in, ${record.totals.tokens_out} out · ${money(record.totals.cost_usd)} · ${source === 'import' ? 'imported' : 'archived'} ${archived_at}`,
    renderTable(
      ['TASK', 'KIND', 'STATUS', 'MODEL', 'LATENCY', 'TTFT', 'TOKENS', 'COST', 'ERROR'],
      record.tasks.map((t) => [
        t.id,
        t.kind,
        t.status,
        t.model ? `${t.model}${t.provider ? ` (${t.provider})` : ''}` : '',
        ms(t.latency_ms),
        t.first_token_ms === undefined ? '' : ms(t.first_token_ms),
        t.tokens ? `${t.tokens.input}/${t.tokens.output}` : '',
        t.cost_usd === undefined ? '' : money(t.cost_usd),
        t.error_code ?? '',
      ]),
    ),
  ];
  if (record.feedback.length === 0) lines.push(`no feedback yet: \`localagent feedback ${record.run_id} --rating 1..5\``);
  for (const f of record.feedback) lines.push(`feedback: ${f.rating}/5${f.task ? ` on ${f.task}` : ''}${f.by ? ` by ${f.by}` : ''} at ${f.at}${f.comment ? ` — ${f.comment}` : ''}`);
  return lines.join('\n');
}

function renderStats(report: StatsReport): string {
  if (report.rows.length === 0) {
    const since = report.since ? ` since ${report.since}` : '';
    return report.by === 'model' ? `No archived task${since} was answered by a model.` : `Nothing archived${since}.`;
  }
  const unit = report.unit === 'runs' ? 'RUNS' : 'TASKS';
  return renderTable(
    [report.by.toUpperCase(), unit, 'SUCCESS', 'P50', 'P95', 'TOKENS IN/OUT', 'COST', 'RATING'],
    report.rows.map((r) => [
      report.by === 'plan' ? `${r.label ?? ''} (${r.group.slice(0, 12)})` : r.group,
      String(r.count),
      percent(r.success_rate),
      ms(r.latency_p50_ms),
      ms(r.latency_p95_ms),
      `${r.tokens_in}/${r.tokens_out}`,
      money(r.cost_usd),
      r.rating_mean === null ? '' : `${r.rating_mean.toFixed(1)} (${r.ratings})`,
    ]),
  );
}

export function registerArchiveCommands(program: Command, runtime: CliRuntime): void {
  const archive = program.command('archive').description('search, inspect, compare and move the records of finished runs');

  archive
    .command('search <query>')
    .description('runs whose command, titles, task outputs or errors match; words all match, "a phrase", a OR b, -word, word*, title:/command:/output:/error:word')
    .option('--status <statuses>', `only runs that ended so, comma-separated (${RUN_STATUSES.join(', ')})`)
    .option('--since <when>', 'only runs finished since an age (7d, 12h, 2w) or a date (2026-01-31)')
    .option('--model <id>', 'only runs with a task answered by this model')
    .option('--limit <n>', 'most results', (v) => Number.parseInt(v, 10), 20)
    .action(
      runtime.action(async (ctx, query: string, options: { status?: string; since?: string; model?: string; limit: number }) => {
        const { UsageError } = await import('../../core/errors/index.js');
        const statuses = options.status?.split(',').map((s) => s.trim()).filter((s) => s !== '');
        const unknown = statuses?.filter((s) => !RUN_STATUSES.includes(s)) ?? [];
        if (unknown.length > 0) throw new UsageError({ message: `--status "${unknown.join(', ')}" is not a run status.`, suggestion: `Use ${RUN_STATUSES.join(', ')}.` });
        if (!(Number.isInteger(options.limit) && options.limit > 0 && options.limit <= 1000)) throw new UsageError({ message: '--limit takes a whole number from 1 to 1000.' });
        const since = await cutoff('--since', options.since);
        const hits = await (await openArchive(ctx)).search(query, { status: statuses, since, model: options.model, limit: options.limit });
        ctx.out.result(hits, () => renderHits(hits));
      }),
    );

  archive
    .command('show <run>')
    .description("a finished run's .atlas record: every task's model, latency, tokens, cost and error code, and its feedback")
    .action(
      runtime.action(async (ctx, runId: string) => {
        const shown = await (await openArchive(ctx)).show(runId);
        ctx.out.result(shown, () => renderRun(shown));
      }),
    );

  archive
    .command('stats')
    .description('success rate, p50/p95 latency, tokens, cost and rating, computed from the archived runs')
    .addOption(new Option('--by <grouping>', 'group by the model, the task kind, the plan or the day').choices(['model', 'kind', 'plan', 'day']).default('model'))
    .option('--since <when>', 'only runs finished since an age (30d) or a date (2026-01-31)')
    .action(
      runtime.action(async (ctx, options: { by: StatsGrouping; since?: string }) => {
        const since = await cutoff('--since', options.since);
        const report = await (await openArchive(ctx)).statistics(options.by, { since });
        ctx.out.result(report, () => renderStats(report));
      }),
    );

  archive
    .command('export <file>')
    .description('write the .atlas records (with feedback) to a JSON Lines bundle, one run per line')
    .option('--since <when>', 'only runs finished since an age (30d) or a date (2026-01-31)')
    .action(
      runtime.action(async (ctx, file: string, options: { since?: string }) => {
        const since = await cutoff('--since', options.since);
        const { resolve } = await import('node:path');
        const { records } = await (await openArchive(ctx)).exportBundle(resolve(ctx.io.cwd, file), { since });
        ctx.out.result({ file, records }, () => `Exported ${records} record${records === 1 ? '' : 's'} to ${file}.`);
      }),
    );

  archive
    .command('import <file>')
    .description('add the records of a bundle; all or nothing, and importing the same bundle twice adds nothing')
    .action(
      runtime.action(async (ctx, file: string) => {
        const { resolve } = await import('node:path');
        const report = await (await openArchive(ctx)).importBundle(resolve(ctx.io.cwd, file), file);
        ctx.out.result({ file, ...report }, () =>
          [
            `Imported ${report.added} new record${report.added === 1 ? '' : 's'} from ${file}${report.skipped > 0 ? `; ${report.skipped} ${report.skipped === 1 ? 'was' : 'were'} archived already` : ''}.`,
            ...(report.feedbackAdded > 0 ? [`${report.feedbackAdded} feedback entr${report.feedbackAdded === 1 ? 'y' : 'ies'} added.`] : []),
          ].join('\n'),
        );
      }),
    );

  archive
    .command('prune')
    .description('remove what finished before a cutoff: archived records, finished runs with their journal and .last, model call statistics')
    .requiredOption('--older-than <age>', 'an age (90d, 12w) or a date (2026-01-31)')
    .action(
      runtime.action(async (ctx, options: { olderThan: string }) => {
        const before = (await cutoff('--older-than', options.olderThan)) as string;
        const report = await (await openArchive(ctx)).prune(before);
        ctx.out.result(report, () =>
          `Removed what finished before ${before}: ${report.archivedRuns} archived record${report.archivedRuns === 1 ? '' : 's'}, ${report.runs} run${report.runs === 1 ? '' : 's'}, ${report.modelCalls} model call${report.modelCalls === 1 ? '' : 's'}, ${report.plans} plan${report.plans === 1 ? '' : 's'}.`,
        );
      }),
    );
}
