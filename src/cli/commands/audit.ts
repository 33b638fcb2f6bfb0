import type { Command } from 'commander';
import type { AuditCopyCheck } from '../../store/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

/** Every audit log under the home: one file per kind of event (`keys.audit.jsonl`, …). */
async function auditFiles(ctx: CommandContext): Promise<string[]> {
  const [{ readdir }, { join }, { HomePaths }] = await Promise.all([import('node:fs/promises'), import('node:path'), import('../../core/paths/index.js')]);
  const dir = new HomePaths(ctx.home).audit;
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.audit.jsonl')).sort().map((n) => join(dir, n));
}

/** How the database copy of the security audit log compares with the file (`audit verify`). */
type DatabaseCopyCheck =
  | ({ where: string } & AuditCopyCheck)
  | { where?: string; state: 'unavailable'; error: { code: string; message: string } }
  | { state: 'skipped'; reason: string };

/**
 * Compares the security audit log with its copy in the database. Skipped when the file itself does
 * not verify (the file is the record; a broken file is reported on its own) or holds no entries.
 */
async function checkDatabaseCopy(ctx: CommandContext, file: string, fileOk: boolean): Promise<DatabaseCopyCheck> {
  if (!fileOk) return { state: 'skipped', reason: 'the file itself does not verify' };
  const [{ AuditLog }, { AuditStore }, { toLocalAgentError }] = await Promise.all([
    import('../../security/audit/index.js'),
    import('../../store/index.js'),
    import('../../core/errors/index.js'),
  ]);
  const log = new AuditLog({ file });
  let logId: string | undefined;
  for await (const entry of log.read()) {
    logId = entry.hash;
    break;
  }
  if (logId === undefined) return { state: 'skipped', reason: 'the log has no entries yet' };
  let where: string | undefined;
  try {
    const store = await (await ctx.app()).database();
    where = store.where;
    return { where, ...(await new AuditStore(store).compare(logId, log.read())) };
  } catch (thrown) {
    const error = toLocalAgentError(thrown);
    return { ...(where ? { where } : {}), state: 'unavailable', error: { code: error.code, message: error.message } };
  }
}

function describeCopy(ctx: CommandContext, copy: DatabaseCopyCheck): string {
  const label = `database copy${'where' in copy && copy.where ? ` (${copy.where})` : ''}`;
  switch (copy.state) {
    case 'match':
      return `        ${label}: matches, ${copy.databaseEntries} entries`;
    case 'behind':
      return `        ${label}: matches so far; ${copy.missing} of ${copy.fileEntries} entries not copied yet (they are copied with the next security event)`;
    case 'mismatch':
      return `${ctx.out.style('red', 'MISMATCH')} ${label}: ${copy.mismatch?.reason ?? ''}`;
    case 'unavailable':
      return `${ctx.out.style('red', 'UNCHECKED')} ${label}: ${copy.error.code}: ${copy.error.message}`;
    case 'skipped':
      return `        ${label}: not compared (${copy.reason})`;
  }
}

export function registerAuditCommands(program: Command, runtime: CliRuntime): void {
  const audit = program.command('audit').description('inspect and verify the tamper-evident audit logs');

  audit
    .command('verify')
    .description(
      'check the hash chain of every audit log, and that the database copy of the security log matches it; exit 1 and the first broken entry when one was edited, removed or reordered',
    )
    .action(
      runtime.action(async (ctx) => {
        const [{ AuditLog }, { HomePaths }] = await Promise.all([import('../../security/audit/index.js'), import('../../core/paths/index.js')]);
        const files = await auditFiles(ctx);
        const securityLog = new HomePaths(ctx.home).securityAuditLog;
        const results: ({ file: string; database?: DatabaseCopyCheck } & Awaited<ReturnType<InstanceType<typeof AuditLog>['verify']>>)[] = [];
        for (const file of files) {
          const verified = await new AuditLog({ file }).verify();
          results.push({ file, ...verified, ...(file === securityLog ? { database: await checkDatabaseCopy(ctx, file, verified.ok) } : {}) });
        }
        const ok = results.every((r) => r.ok && r.database?.state !== 'mismatch' && r.database?.state !== 'unavailable');
        ctx.out.result({ ok, logs: results }, () => {
          if (results.length === 0) return `No audit logs yet under ${ctx.home}.`;
          return results
            .map((r) => {
              const line = r.ok
                ? `${ctx.out.style('green', 'ok')}      ${r.file}: ${r.entries} entries, chain intact${r.anchor === 'ok' ? '' : ` (head anchor ${r.anchor})`}`
                : `${ctx.out.style('red', 'BROKEN')}  ${r.file}: line ${r.line}: ${r.reason} (${r.entries} entries before it check out)`;
              return r.database ? `${line}\n${describeCopy(ctx, r.database)}` : line;
            })
            .join('\n');
        });
        return ok ? 0 : 1;
      }),
    );

  audit
    .command('show')
    .description('print audit entries, oldest first')
    .option('--since <time>', 'only entries at or after this ISO date or time (e.g. 2026-11-01)')
    .option('--limit <n>', 'only the last N entries', (v) => Number.parseInt(v, 10))
    .action(
      runtime.action(async (ctx, options: { since?: string; limit?: number }) => {
        const [{ AuditLog }, { UsageError }] = await Promise.all([import('../../security/audit/index.js'), import('../../core/errors/index.js')]);
        if (options.since !== undefined && Number.isNaN(Date.parse(options.since))) {
          throw new UsageError({ message: `--since "${options.since}" is not a date or time.`, suggestion: 'Use an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z.' });
        }
        if (options.limit !== undefined && !(options.limit > 0)) throw new UsageError({ message: '--limit takes a whole number above 0.' });
        const entries = [];
        for (const file of await auditFiles(ctx)) {
          entries.push(...(await new AuditLog({ file }).readAll(options.since ? { since: options.since } : {})));
        }
        entries.sort((a, b) => a.time.localeCompare(b.time));
        const shown = options.limit ? entries.slice(-options.limit) : entries;
        ctx.out.result(shown, () =>
          shown.length === 0
            ? 'No audit entries.'
            : shown
                .map((e) => `${e.time}  ${e.category}.${e.action}  ${e.outcome}${e.subject ? `  ${e.subject}` : ''}${e.actor ? `  by ${e.actor}` : ''}`)
                .join('\n'),
        );
      }),
    );
}
