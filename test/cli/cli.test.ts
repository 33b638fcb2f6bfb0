import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuilt, runInProcess } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('localagent (global behaviour)', () => {
  it('prints its version, fast path and full parser alike', async () => {
    expect((await runBuilt(['--version'])).stdout.trim()).toBe(version);
    const inProcess = await runInProcess(['-V']);
    expect(inProcess.code).toBe(0);
    expect(inProcess.stdout.trim()).toBe(version);
  });

  it('shows help with every global option, and help for bare invocation', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    for (const option of ['--json', '--log-level', '--config', '--home', '--debug', '--no-color', '--version']) expect(help.stdout).toContain(option);
    const bare = await runInProcess([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('Usage: localagent');
  });

  it('exits 2 with the nearest command for an unknown command', async () => {
    const run = await runInProcess(['confg', 'path']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error LA_USAGE: unknown command');
    expect(run.stderr).toContain('Did you mean config?');
    expect(run.stdout).toBe('');
  });

  it('exits 2 with the nearest option for an unknown option', async () => {
    const run = await runInProcess(['config', 'path', '--jsno']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--jsno'");
    expect(run.stderr).toContain('Did you mean --json?');
  });

  it('exits 2 for a bad option value and for a group without subcommand', async () => {
    const bad = await runInProcess(['config', 'path', '--log-level', 'loud']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('LA_USAGE');
    const group = await runInProcess(['config']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('A subcommand is needed here');
  });

  it('prints usage errors as JSON with --json', async () => {
    const run = await runInProcess(['nope', '--json']);
    expect(run.code).toBe(2);
    const parsed = JSON.parse(run.stderr.trim()) as { error: { code: string; suggestion: string } };
    expect(parsed.error.code).toBe('LA_USAGE');
    expect(parsed.error.suggestion).toContain('--help');
  });

  it('accepts global options before or after the command', async () => {
    const home = await tempDir();
    const before = await runInProcess(['--home', home, '--json', 'config', 'path']);
    const after = await runInProcess(['config', 'path', '--home', home, '--json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual(JSON.parse(after.stdout));
  });

  it('colours only on a TTY and never with --no-color or NO_COLOR', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.yaml'), 'log: [\n');
    const tty = await runInProcess(['--home', home, 'config', 'show'], { tty: true });
    expect(tty.stderr).toContain('\u001b[31m');
    const plain = await runInProcess(['--home', home, 'config', 'show', '--no-color'], { tty: true });
    expect(plain.stderr).not.toContain('\u001b[');
    const noColor = await runInProcess(['--home', home, 'config', 'show'], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stderr).not.toContain('\u001b[');
  });
});

describe('localagent config', () => {
  it('path shows the database the other commands open: the SQLite file, or PostgreSQL with the password masked', async () => {
    const home = await tempDir();
    const where = async (env: NodeJS.ProcessEnv = {}): Promise<string> => (JSON.parse((await runInProcess(['--home', home, '--json', 'config', 'path'], { env })).stdout) as { database: string }).database;
    expect(await where()).toBe(join(home, 'localagent.db'));
    await writeFile(join(home, 'config.yaml'), 'database:\n  url: postgres://ana:hunter2-db@db.internal:5432/agents\n'); // secret-scan: allow (fake value for a test or benchmark)
    expect(await where()).toBe('postgres://ana:***@db.internal:5432/agents');
    expect(await where({ LOCALAGENT_DATABASE_URL: 'postgres://bo:pw9@127.0.0.1/x' })).toBe('postgres://bo:***@127.0.0.1/x'); // secret-scan: allow (fake value for a test or benchmark)
    const text = await runInProcess(['--home', home, 'config', 'path']);
    expect(text.stdout).not.toContain('hunter2-db');
    await writeFile(join(home, 'config.yaml'), 'database: [\n');
    const broken = await runInProcess(['--home', home, 'config', 'path']);
    expect(broken.code).toBe(0);
    expect(broken.stdout).toContain('does not load');
  });

  it('path: shows the home from --home, LOCALAGENT_HOME, and the config files read', async () => {
    const home = await tempDir();
    const cwd = await tempDir();
    await writeFile(join(cwd, 'localagent.yaml'), 'log:\n  level: warn\n');
    const run = await runInProcess(['config', 'path', '--json'], { env: { LOCALAGENT_HOME: home }, cwd });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { home: string; config_files: { kind: string; path: string; exists: boolean }[]; vault: string };
    expect(result.home).toBe(home);
    expect(result.vault).toBe(join(home, 'vault.json'));
    expect(result.config_files).toEqual([
      { kind: 'home', path: join(home, 'config.yaml'), exists: false },
      { kind: 'project', path: join(cwd, 'localagent.yaml'), exists: true },
    ]);
    const human = await runInProcess(['config', 'path', '--home', home], { cwd });
    expect(human.stdout).toContain(`home        ${home}`);
    expect(human.stdout).toContain('(not present)');
  });

  it('show: prints the effective config with its layers, as YAML or JSON', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.yaml'), 'log:\n  level: warn\n');
    const human = await runInProcess(['config', 'show', '--home', home], { env: { LOCALAGENT_LOG__FORMAT: 'json' } });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`# home    ${join(home, 'config.yaml')}`);
    expect(human.stdout).toContain('# env     environment (LOCALAGENT_LOG__FORMAT)');
    expect(human.stdout).toMatch(/log:\n {2}level: warn\n {2}format: json/);
    const json = await runInProcess(['config', 'show', '--home', home, '--json']);
    const parsed = JSON.parse(json.stdout) as { config: { log: { level: string } }; layers: unknown[] };
    expect(parsed.config.log.level).toBe('warn');
    expect(parsed.layers).toHaveLength(1);
    const empty = await runInProcess(['config', 'show', '--home', await tempDir()]);
    expect(empty.stdout).toContain('all defaults');
  });

  it('validate: ok, or every problem with file:line:column and exit 1', async () => {
    const home = await tempDir();
    const ok = await runInProcess(['config', 'validate', '--home', home]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe('ok');
    await writeFile(join(home, 'config.yaml'), 'log:\n  levle: debug\n  format: xml\n');
    const bad = await runInProcess(['config', 'validate', '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error LA_CONFIG_INVALID: The configuration has 2 problems');
    expect(bad.stderr).toContain(`${join(home, 'config.yaml')}:2:3: log.levle: unknown key "levle". Did you mean "level"?`);
    expect(bad.stderr).toContain(`${join(home, 'config.yaml')}:3:11: log.format`);
    expect(bad.stderr).toContain('hint: ');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const json = await runInProcess(['config', 'validate', '--home', home, '--json']);
    const parsed = JSON.parse(json.stderr) as { error: { code: string; details: { problems: unknown[] } } };
    expect(parsed.error.details.problems).toHaveLength(2);
  });

  it('validate <file>: checks one file on its own', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'team.yaml'), 'keys:\n  backend: file\n');
    const run = await runInProcess(['config', 'validate', 'sub/team.yaml', '--home', await tempDir()], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(join(dir, 'sub', 'team.yaml'));
  });

  it('shows the stack trace only with --debug', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.yaml'), 'log: 5\n');
    const plain = await runInProcess(['config', 'show', '--home', home]);
    expect(plain.stderr).not.toContain('    at ');
    const debug = await runInProcess(['config', 'show', '--home', home, '--debug']);
    expect(debug.stderr).toContain('    at ');
  });
});
