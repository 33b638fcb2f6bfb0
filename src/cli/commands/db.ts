import type { Command } from 'commander';
import type { Store } from '../../store/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

/** Where the database is, as `db` commands print it: never the password. */
interface Location {
  dialect: 'sqlite' | 'postgres';
  where: string;
}

/**
 * Opens the configured database without migrating it (`db status` must not change it, and `db
 * migrate` applies the migrations itself to say which it applied). `undefined` for a SQLite file
 * that does not exist yet: status reports it rather than creating it.
 */
async function openDatabase(ctx: CommandContext, create: boolean): Promise<{ location: Location; store: Store | undefined }> {
  const [app, { describeTarget, openStore, resolveDatabaseTarget, targetSecrets }, { existsSync }] = await Promise.all([
    ctx.app(),
    import('../../store/index.js'),
    import('node:fs'),
  ]);
  const target = resolveDatabaseTarget({ env: ctx.io.env, configUrl: app.config.database.url, sqliteFile: app.paths.database });
  for (const secret of targetSecrets(target)) ctx.redactor.addSecret(secret);
  const location: Location = { dialect: target.dialect, where: describeTarget(target) };
  if (target.dialect === 'sqlite' && !create && !existsSync(target.file)) return { location, store: undefined };
  const store = await openStore(target.dialect === 'sqlite' ? { file: target.file, migrate: false } : { url: target.url, migrate: false });
  return { location, store };
}

export function registerDbCommands(program: Command, runtime: CliRuntime): void {
  const db = program.command('db').description('the database (SQLite in the home, or PostgreSQL): where it is, its schema version, migrations');

  db.command('status')
    .description('print the dialect, where the database is (password masked), its schema version and the migrations not applied yet; exit 1 when it is from a newer LocalAgent')
    .action(
      runtime.action(async (ctx) => {
        const [{ location, store }, { MIGRATIONS, schemaStatus }] = await Promise.all([openDatabase(ctx, false), import('../../store/index.js')]);
        let status;
        try {
          status = store
            ? await schemaStatus(store.db, store.dialect)
            : { version: 0, latest: MIGRATIONS.length, state: 'pending' as const, applied: [], pending: MIGRATIONS.map((m) => ({ version: m.version, name: m.name })) };
        } finally {
          await store?.close();
        }
        const result = { ...location, exists: store !== undefined, ...status };
        ctx.out.result(result, () => {
          const state =
            status.state === 'up_to_date'
              ? ctx.out.style('green', 'up to date')
              : status.state === 'pending'
                ? `${status.pending.length} pending (applied on the next start, or now with \`localagent db migrate\`)`
                : ctx.out.style('red', 'written by a newer LocalAgent: upgrade LocalAgent to use it');
          return [
            `dialect   ${location.dialect}`,
            `where     ${location.where}${store ? '' : ' (not created yet)'}`,
            `schema    version ${status.version} of ${status.latest}: ${state}`,
            ...status.pending.map((m) => `pending   ${m.version}  ${m.name}`),
          ].join('\n');
        });
        return status.state === 'too_new' ? 1 : 0;
      }),
    );

  db.command('migrate')
    .description('apply the migrations not applied yet (LocalAgent also applies them whenever it opens the database) and print which')
    .action(
      runtime.action(async (ctx) => {
        const [{ location, store }, { migrateWithReport }] = await Promise.all([openDatabase(ctx, true), import('../../store/index.js')]);
        const opened = store as Store;
        let report;
        try {
          report = await migrateWithReport(opened.db, opened.dialect, opened.where);
        } finally {
          await opened.close();
        }
        ctx.out.result({ ...location, ...report }, () =>
          report.applied.length === 0
            ? `${location.where}: already at schema version ${report.version}; nothing to apply.`
            : [
                `${location.where}: schema version ${report.from} → ${report.version}.`,
                ...report.applied.map((m) => `applied   ${m.version}  ${m.name}`),
              ].join('\n'),
        );
      }),
    );
}
