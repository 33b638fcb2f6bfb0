import type { Command } from 'commander';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

export function registerConfigCommands(program: Command, runtime: CliRuntime): Command {
  const config = program.command('config').description('see and check configuration, and manage API keys');

  config
    .command('path')
    .description('show where LocalAgent keeps its files and which config files it reads')
    .action(
      runtime.action(async (ctx) => {
        const [{ configFileCandidates }, { HomePaths }, { existsSync }] = await Promise.all([
          // The light part of config only: `config path` must answer even when config is broken, and fast.
          import('../../core/config/configFiles.js'),
          import('../../core/paths/index.js'),
          import('node:fs'),
        ]);
        const paths = new HomePaths(ctx.home);
        const files = configFileCandidates({ home: ctx.home, cwd: ctx.io.cwd, configFile: ctx.globals.config }).map((f) => ({
          ...f,
          exists: existsSync(f.path),
        }));
        const database = await whereIsTheDatabase(ctx, paths.database);
        const result = { home: paths.root, config_files: files, logs: paths.logs, vault: paths.vault, key_audit_log: paths.keyAuditLog, runs: paths.runs, database };
        ctx.out.result(result, () =>
          [
            `home        ${paths.root}`,
            ...files.map((f) => `${`config (${f.kind})`.padEnd(16)}${f.path}${f.exists ? '' : ctx.out.style('dim', '  (not present)')}`),
            `logs            ${paths.logs}`,
            `vault           ${paths.vault}`,
            `key audit log   ${paths.keyAuditLog}`,
            `runs            ${paths.runs}`,
            `database        ${database}`,
          ].join('\n'),
        );
      }),
    );

  config
    .command('show')
    .description('print the effective configuration (secrets masked) and where each layer came from')
    .action(
      runtime.action(async (ctx) => {
        const [{ loadConfig }, { stringify }] = await Promise.all([import('../../core/config/index.js'), import('yaml')]);
        const loaded = await loadConfig({ home: ctx.home, cwd: ctx.io.cwd, configFile: ctx.globals.config, env: ctx.io.env });
        const config = ctx.redactor.value(loaded.config);
        ctx.out.result({ config, layers: loaded.layers }, () => {
          const sources =
            loaded.layers.length === 0
              ? ['# no config files or LOCALAGENT_* variables: all defaults']
              : loaded.layers.map((l) => `# ${l.kind.padEnd(7)} ${l.source}${l.variables ? ` (${l.variables.join(', ')})` : ''}`);
          return `${sources.join('\n')}\n${stringify(config).trimEnd()}`;
        });
      }),
    );

  config
    .command('validate [file]')
    .description('check the effective configuration, or one file on its own; prints "ok" or every problem with file:line:column')
    .action(
      runtime.action(async (ctx, file: string | undefined) => {
        const { loadConfig, validateConfigFile } = await import('../../core/config/index.js');
        const { resolve } = await import('node:path');
        const loaded = file
          ? await validateConfigFile(resolve(ctx.io.cwd, file))
          : await loadConfig({ home: ctx.home, cwd: ctx.io.cwd, configFile: ctx.globals.config, env: ctx.io.env });
        ctx.out.result({ ok: true, layers: loaded.layers }, () =>
          [`${ctx.out.style('green', 'ok')}`, ...loaded.layers.map((l) => `  ${l.kind.padEnd(7)} ${l.source}`)].join('\n'),
        );
      }),
    );

  return config;
}

/**
 * The database the other commands would open: PostgreSQL (URL with the password masked) when
 * `LOCALAGENT_DATABASE_URL` or `database.url` says so, else the SQLite file. `config path` must
 * answer even when the config is broken, so a config that does not load leaves the file, marked.
 */
async function whereIsTheDatabase(ctx: CommandContext, sqliteFile: string): Promise<string> {
  const [{ resolveDatabaseTarget, describeTarget }, { loadConfig }] = await Promise.all([import('../../store/databaseTarget.js'), import('../../core/config/index.js')]);
  try {
    const loaded = await loadConfig({ home: ctx.home, cwd: ctx.io.cwd, configFile: ctx.globals.config, env: ctx.io.env });
    return describeTarget(resolveDatabaseTarget({ env: ctx.io.env, configUrl: loaded.config.database.url, sqliteFile }));
  } catch {
    return `${sqliteFile} (unless the config, which does not load, names another: see \`localagent config doctor\`)`;
  }
}
