import { describe, expect, it } from 'vitest';
import { PolicyDeniedError, UserInputError } from '../../core/errors/index.js';
import { DEFAULT_ENV_ALLOWLIST, cleanSearchPath, isSecretEnvName, scrubEnv } from './index.js';

const parent: NodeJS.ProcessEnv = {
  PATH: '/usr/local/bin:/usr/bin::.:bin:/bin',
  HOME: '/home/alice',
  USER: 'alice',
  LANG: 'en_US.UTF-8',
  LC_ALL: 'C',
  LC_TIME: 'de_DE.UTF-8',
  TERM: 'xterm',
  TZ: 'Europe/Berlin',
  TMPDIR: '/tmp',
  LOCALAGENT_MASTER_PASSWORD: 'hunter2',
  LOCALAGENT_DATABASE_URL: 'postgres://u:p@db/x',
  OPENAI_API_KEY: 'sk-123',
  GITHUB_TOKEN: 'ghp_x',
  AWS_SECRET_ACCESS_KEY: 'aws',
  SSH_AUTH_SOCK: '/tmp/ssh.sock',
  EDITOR: 'vim',
  UNSET: undefined,
};

describe('scrubEnv', () => {
  it('keeps only allowlisted names, with prefixes, and cleans PATH', () => {
    expect(scrubEnv(parent)).toEqual({
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/home/alice',
      USER: 'alice',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'C',
      LC_TIME: 'de_DE.UTF-8',
      TERM: 'xterm',
      TZ: 'Europe/Berlin',
      TMPDIR: '/tmp',
    });
  });

  it('never passes secrets, even when a custom allowlist names them or allows everything', () => {
    const env = scrubEnv(parent, ['*']);
    expect(env).not.toHaveProperty('LOCALAGENT_MASTER_PASSWORD');
    expect(env).not.toHaveProperty('LOCALAGENT_DATABASE_URL');
    expect(env).not.toHaveProperty('OPENAI_API_KEY');
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(env).toHaveProperty('SSH_AUTH_SOCK');
    expect(scrubEnv(parent, ['OPENAI_API_KEY', 'EDITOR'])).toEqual({ EDITOR: 'vim' });
  });

  it('adds the task\'s own variables on top', () => {
    expect(scrubEnv(parent, ['USER'], { GREETING: 'hi', USER: 'bob' })).toEqual({ USER: 'bob', GREETING: 'hi' });
  });

  it('refuses secret-looking names in the task env, naming all of them', () => {
    let error: unknown;
    try {
      scrubEnv(parent, DEFAULT_ENV_ALLOWLIST, { OPENAI_API_KEY: 'x', MY_TOKEN: 'y', LOCALAGENT_MASTER_PASSWORD: 'z', OK: '1' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PolicyDeniedError);
    const denied = error as PolicyDeniedError;
    expect(denied.code).toBe('LA_ENV_FORBIDDEN');
    expect(denied.exitCode).toBe(3);
    expect(denied.details.names).toEqual(['OPENAI_API_KEY', 'MY_TOKEN', 'LOCALAGENT_MASTER_PASSWORD']);
    expect(denied.message).toContain('look like secrets');
    // The values never appear.
    expect(JSON.stringify(denied.toJSON())).not.toMatch(/"x"|"y"|"z"/);
  });

  it('refuses names that change which code runs', () => {
    for (const name of ['PATH', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS', 'BASH_ENV', 'GIT_DIR', 'HOME', 'XDG_CONFIG_HOME', 'PYTHONPATH']) {
      expect(() => scrubEnv(parent, DEFAULT_ENV_ALLOWLIST, { [name]: 'x' }), name).toThrow(/change which program or code runs/);
    }
    expect(() => scrubEnv(parent, DEFAULT_ENV_ALLOWLIST, { API_TOKEN: 'x', LD_PRELOAD: 'y' })).toThrow(/secret.*; LD_PRELOAD/);
    expect(() => scrubEnv(parent, DEFAULT_ENV_ALLOWLIST, { LD_PRELOAD: 'y', NODE_OPTIONS: 'z' })).toThrow(/change which program or code runs, so a task may not set them/);
  });

  it('refuses NUL bytes in values', () => {
    expect(() => scrubEnv(parent, [], { A: 'x\0y' })).toThrow(UserInputError);
  });

  it('recognises secret names', () => {
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_APIKEY', 'API_KEY', 'NPM_TOKEN', 'AWS_SESSION_TOKEN', 'CLIENT_SECRET', 'DB_PASSWORD', 'GPG_PASSPHRASE', 'GOOGLE_APPLICATION_CREDENTIALS', 'AWS_ACCESS_KEY_ID', 'NPM_CONFIG__AUTH', 'localagent_home']) {
      expect(isSecretEnvName(name), name).toBe(true);
    }
    for (const name of ['PATH', 'SSH_AUTH_SOCK', 'TOKENIZER_MODE', 'KEYBOARD', 'AUTHOR']) {
      expect(isSecretEnvName(name), name).toBe(false);
    }
  });

  it('cleans search paths of empty and relative entries', () => {
    expect(cleanSearchPath('/a::b:./c:/d', ':')).toBe('/a:/d');
    expect(cleanSearchPath('', ':')).toBe('');
  });
});
