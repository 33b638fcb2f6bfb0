import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { ConfigurationError } from '../errors/index.js';
import { loadConfig, validateConfigFile, type ConfigProblem } from './index.js';

const tempDir = useTempDirs();

async function setup(files: { home?: string; project?: string; extra?: string } = {}) {
  const home = await tempDir();
  const cwd = await tempDir();
  if (files.home !== undefined) await writeFile(join(home, 'config.yaml'), files.home);
  if (files.project !== undefined) await writeFile(join(cwd, 'localagent.yaml'), files.project);
  if (files.extra !== undefined) await writeFile(join(cwd, 'extra.yaml'), files.extra);
  return { home, cwd };
}

async function problemsOf(promise: Promise<unknown>): Promise<{ error: ConfigurationError; problems: ConfigProblem[] }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the config to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  const configError = error as ConfigurationError;
  return { error: configError, problems: (configError.details.problems as ConfigProblem[] | undefined) ?? [] };
}

describe('loadConfig', () => {
  it('gives documented defaults when there is no config at all', async () => {
    const { home, cwd } = await setup();
    const { config, layers } = await loadConfig({ home, cwd, env: {} });
    expect(layers).toEqual([]);
    expect(config.log.level).toBe('info');
    expect(config.keys.backend).toBe('auto');
    expect(config.resilience.retry.max_attempts).toBe(3);
    expect(config.providers).toEqual({});
  });

  it('applies home, then project, then --config, then environment, later winning', async () => {
    const { home, cwd } = await setup({
      home: 'log:\n  level: warn\n  format: json\nkeys:\n  backend: file\n',
      project: 'log:\n  level: error\n',
      extra: 'log:\n  level: debug\n',
    });
    const base = await loadConfig({ home, cwd, env: {} });
    expect(base.config.log.level).toBe('error');
    expect(base.config.log.format).toBe('json');
    expect(base.config.keys.backend).toBe('file');
    const withFile = await loadConfig({ home, cwd, configFile: 'extra.yaml', env: {} });
    expect(withFile.config.log.level).toBe('debug');
    expect(withFile.layers.map((l) => l.kind)).toEqual(['home', 'project', 'file']);
    const withEnv = await loadConfig({ home, cwd, configFile: 'extra.yaml', env: { LOCALAGENT_LOG_LEVEL: 'trace', LOCALAGENT_LOG__FILE__KEEP: '3' } });
    expect(withEnv.config.log.level).toBe('trace');
    expect(withEnv.config.log.file.keep).toBe(3);
    expect(withEnv.layers.at(-1)).toEqual({ kind: 'env', source: 'environment', variables: ['LOCALAGENT_LOG__FILE__KEEP', 'LOCALAGENT_LOG_LEVEL'] });
  });

  it('ignores LOCALAGENT_ variables that are not configuration (home, keys, master password)', async () => {
    const { home, cwd } = await setup();
    const { layers } = await loadConfig({
      home,
      cwd,
      env: { LOCALAGENT_HOME: home, LOCALAGENT_MASTER_PASSWORD: 'x', LOCALAGENT_MYLOCAL_API_KEY: 'sk-abc', PATH: '/usr/bin' },
    });
    expect(layers).toEqual([]);
  });

  it('reads the home config once when the working directory is the home', async () => {
    const { home } = await setup({ home: 'log:\n  level: warn\n' });
    await writeFile(join(home, 'localagent.yaml'), 'log:\n  level: error\n');
    const { layers } = await loadConfig({ home, cwd: home, env: {} });
    expect(layers.map((l) => l.kind)).toEqual(['home', 'project']);
  });

  it('reports malformed YAML with file, line and column', async () => {
    const { home, cwd } = await setup({ home: 'log:\n  level: info\n  format: [json\n' });
    const { error } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(error.code).toBe('LA_YAML_SYNTAX');
    expect(error.message).toMatch(new RegExp(`${join(home, 'config.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: the YAML is malformed`));
    expect(error.details.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses duplicate keys instead of silently keeping one', async () => {
    const { home, cwd } = await setup({ home: 'log:\n  level: info\n  level: debug\n' });
    const { error } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(error.code).toBe('LA_YAML_SYNTAX');
    expect(error.details.line).toBe(3);
  });

  it('reports a wrong type with the position of the value and what was expected', async () => {
    const { home, cwd } = await setup({ home: '# settings\nlog:\n  file:\n    keep: many\n' });
    const { error, problems } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(error.code).toBe('LA_CONFIG_INVALID');
    expect(problems).toEqual([
      { source: join(home, 'config.yaml'), line: 4, column: 11, path: 'log.file.keep', message: 'expected a number, got the text "many".' },
    ]);
    expect(error.message).toContain(`${join(home, 'config.yaml')}:4:11: log.file.keep: expected a number`);
  });

  it('reports an unknown key at the key itself with a did-you-mean', async () => {
    const { home, cwd } = await setup({ project: 'log:\n  levle: debug\n' });
    const { problems } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: join(cwd, 'localagent.yaml'), line: 2, column: 3, path: 'log.levle' });
    expect(problems[0]?.message).toContain('Did you mean "level"?');
  });

  it('suggests the nearest enum value', async () => {
    const { home, cwd } = await setup({ home: 'keys:\n  backend: keyrng\n' });
    const { problems } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(problems[0]?.message).toBe('expected one of auto, keyring, file, got the text "keyrng". Did you mean "keyring"?');
  });

  it('lists every problem at once, across files and the environment', async () => {
    const { home, cwd } = await setup({ home: 'log:\n  level: loud\n', project: 'colour: true\n' });
    const { problems } = await problemsOf(loadConfig({ home, cwd, env: { LOCALAGENT_KEYS__VALIDATE_TIMEOUT_MS: '5' } }));
    expect(problems.map((p) => [p.source, p.path])).toEqual(
      expect.arrayContaining([
        [join(home, 'config.yaml'), 'log.level'],
        [join(cwd, 'localagent.yaml'), 'colour'],
        ['LOCALAGENT_KEYS__VALIDATE_TIMEOUT_MS', 'keys.validate_timeout_ms'],
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('tells people that API keys do not belong in config files', async () => {
    const { home, cwd } = await setup({ home: 'providers:\n  mylocal:\n    type: openai-compatible\n    api_key: sk-abcdefabcdefabcdefabcdef\n' });
    const { problems, error } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(problems[0]?.path).toBe('providers.mylocal.api_key');
    expect(problems[0]?.message).toContain('localagent config set-key');
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-abcdefabcdefabcdefabcdef');
  });

  it('validates provider names and URLs', async () => {
    const { home, cwd } = await setup({ home: 'providers:\n  My Local:\n    type: openai-compatible\n' });
    const { problems } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(problems).toEqual([expect.objectContaining({ path: 'providers.My Local', line: 2, column: 3 })]);
    expect(problems[0]?.message).toContain('lowercase letters');
    const url = await setup({ home: 'providers:\n  mine:\n    type: openai-compatible\n    base_url: ftp://x\n' });
    const urlProblems = await problemsOf(loadConfig({ home: url.home, cwd: url.cwd, env: {} }));
    expect(urlProblems.problems).toEqual([expect.objectContaining({ path: 'providers.mine.base_url', line: 4, column: 15 })]);
  });

  it('refuses a file whose root is not a mapping', async () => {
    const { home, cwd } = await setup({ home: '- a\n- b\n' });
    const { error } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(error.message).toContain('must be a mapping');
  });

  it('treats an empty file as no settings', async () => {
    const { home, cwd } = await setup({ home: '# nothing yet\n' });
    const { config } = await loadConfig({ home, cwd, env: {} });
    expect(config.log.level).toBe('info');
  });

  it('refuses YAML alias bombs before they expand', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']] as const) {
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const { home, cwd } = await setup({ home: `${lines.join('\n')}\n` });
    const { error } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(error.code).toBe('LA_YAML_ALIAS_LIMIT');
  });

  it('refuses files over 1 MiB without parsing them', async () => {
    const { home, cwd } = await setup({ home: `# ${'x'.repeat(1024 * 1024)}\n` });
    const { error } = await problemsOf(loadConfig({ home, cwd, env: {} }));
    expect(error.code).toBe('LA_FILE_TOO_LARGE');
  });

  it('requires the file given with --config to exist', async () => {
    const { home, cwd } = await setup();
    const { error } = await problemsOf(loadConfig({ home, cwd, configFile: 'nope.yaml', env: {} }));
    expect(error.code).toBe('LA_CONFIG_NOT_FOUND');
  });

  it('explains a folder given as a config file', async () => {
    const { home, cwd } = await setup();
    await mkdir(join(cwd, 'dir.yaml'));
    const { error } = await problemsOf(loadConfig({ home, cwd, configFile: 'dir.yaml', env: {} }));
    expect(error.code).toBe('LA_CONFIG_UNREADABLE');
  });

  it('validates a single file on its own', async () => {
    const { cwd } = await setup({ extra: 'log:\n  level: debug\n' });
    const { config } = await validateConfigFile(join(cwd, 'extra.yaml'));
    expect(config.log.level).toBe('debug');
    await writeFile(join(cwd, 'bad.yaml'), 'log:\n  level: 7\n');
    const { problems } = await problemsOf(validateConfigFile(join(cwd, 'bad.yaml')));
    expect(problems[0]).toMatchObject({ line: 2, column: 10, path: 'log.level' });
  });

  it('cannot be used for prototype pollution', async () => {
    const { home, cwd } = await setup({ home: '__proto__:\n  polluted: true\n' });
    await loadConfig({ home, cwd, env: {} }).catch(() => undefined);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
