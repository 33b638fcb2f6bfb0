import { randomBytes } from 'node:crypto';
import { lstat, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { startModelsServer, type ModelsServer } from '../support/fakeModelsServer.js';
import { listTree } from '../support/listTree.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();
const GOOD_KEY = `sk-good-${randomBytes(12).toString('hex')}`;
const PASSWORD = 'correct horse battery';
let server: ModelsServer;

beforeAll(async () => {
  server = await startModelsServer(GOOD_KEY);
});
afterAll(async () => {
  await server.close();
});

/** A home whose config points provider `mylocal` at the loopback models server, keys in the vault file. */
async function home(): Promise<string> {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'config.yaml'),
    `keys:\n  backend: file\n  validate_timeout_ms: 2000\nproviders:\n  mylocal:\n    type: openai-compatible\n    base_url: ${server.baseUrl}\n`,
  );
  return dir;
}

function stdinWith(text: string): PassThrough {
  const input = new PassThrough();
  input.end(text);
  return input;
}

async function la(dir: string, argv: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return runInProcess(['--home', dir, ...argv], {
    env: { LOCALAGENT_MASTER_PASSWORD: PASSWORD, ...options.env },
    cwd: dir,
    stdin: stdinWith(options.input ?? ''),
  });
}

async function allFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const path of await listTree(dir)) if (!(await lstat(path)).isDirectory()) out.push(path);
  return out;
}

describe('localagent config set-key / keys / rotate-key / delete-key', () => {
  it('stores a key read from stdin after the provider accepts it, and lists it masked', async () => {
    const dir = await home();
    const set = await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--json'], { input: `${GOOD_KEY}\n` });
    expect(set.code, set.stderr).toBe(0);
    const stored = JSON.parse(set.stdout) as { provider: string; backend: string; masked: string; check: string };
    expect(stored).toMatchObject({ provider: 'mylocal', backend: 'file', masked: `sk-…${GOOD_KEY.slice(-4)}` });
    expect(stored.check).toBe(`accepted by ${server.baseUrl}/models`);
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);

    const list = await la(dir, ['config', 'keys', '--json']);
    const entries = JSON.parse(list.stdout) as { provider: string; source: string; createdAt: string; rotatedAt: string | null }[];
    expect(entries).toEqual([expect.objectContaining({ provider: 'mylocal', source: 'file', rotatedAt: null })]);
    const human = await la(dir, ['config', 'keys']);
    expect(human.stdout).toMatch(/PROVIDER\s+SOURCE\s+KEY\s+FINGERPRINT\s+CREATED\s+ROTATED\nmylocal\s+file\s+sk-…\w{4}\s+sha256:/);
    for (const run of [set, list, human]) expect(run.stdout + run.stderr).not.toContain(GOOD_KEY);
    expect((await stat(join(dir, 'vault.json'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a key the provider rejects, storing nothing', async () => {
    const dir = await home();
    const run = await la(dir, ['config', 'set-key', 'mylocal', '--stdin'], { input: 'sk-wrong-0123456789abcdef\n' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error LA_KEY_REJECTED');
    expect(run.stderr).not.toContain('sk-wrong-0123456789abcdef');
    expect(JSON.parse((await la(dir, ['config', 'keys', '--json'])).stdout)).toEqual([]);
  });

  it('refuses a malformed key before any network call', async () => {
    const dir = await home();
    const before = server.requests.length;
    const run = await la(dir, ['config', 'set-key', 'openai', '--stdin'], { input: 'not a key\n' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error LA_KEY_FORMAT');
    expect(server.requests.length).toBe(before);
  });

  it('stores only with --force when the provider cannot be reached, and says so', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.yaml'), 'keys:\n  backend: file\nproviders:\n  down:\n    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n');
    const refused = await la(dir, ['config', 'set-key', 'down', '--stdin'], { input: `${GOOD_KEY}\n` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LA_KEY_CHECK_NETWORK');
    expect(refused.stderr).toContain('--force');
    const forced = await la(dir, ['config', 'set-key', 'down', '--stdin', '--force'], { input: `${GOOD_KEY}\n` });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('warning: The key could not be checked');
    expect(forced.stdout).toContain('check: not checked (provider unreachable, --force)');
  });

  it('never takes a key as an argument and explains how to give one without a terminal', async () => {
    const dir = await home();
    const extra = await la(dir, ['config', 'set-key', 'mylocal', GOOD_KEY]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).not.toContain(GOOD_KEY);
    const noTerminal = await la(dir, ['config', 'set-key', 'mylocal']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('LA_KEY_INPUT_REQUIRED');
    expect(noTerminal.stderr).toContain('--stdin');
  });

  it('explains how to give the master password when none is available', async () => {
    const dir = await home();
    const run = await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}\n`, env: { LOCALAGENT_MASTER_PASSWORD: '' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LA_MASTER_PASSWORD_REQUIRED');
    expect(run.stderr).toContain('LOCALAGENT_MASTER_PASSWORD');
  });

  it('rotates a key, recording when, and deletes it', async () => {
    const dir = await home();
    await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: 'sk-old-0123456789abcdef\n' });
    const rotated = await la(dir, ['config', 'rotate-key', 'mylocal', '--stdin', '--json'], { input: `${GOOD_KEY}\n` });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect((JSON.parse(rotated.stdout) as { rotatedAt: string | null }).rotatedAt).toMatch(/^\d{4}-/);
    const [entry] = JSON.parse((await la(dir, ['config', 'keys', '--json'])).stdout) as { masked: string; rotatedAt: string }[];
    expect(entry?.masked.endsWith(GOOD_KEY.slice(-4))).toBe(true);
    const deleted = await la(dir, ['config', 'delete-key', 'mylocal']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Deleted the key for mylocal');
    const again = await la(dir, ['config', 'delete-key', 'mylocal']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('LA_KEY_NOT_FOUND');
  });

  it('shows env-provided keys with their variable, never their value', async () => {
    const dir = await home();
    const run = await la(dir, ['config', 'keys', '--json'], { env: { OPENAI_API_KEY: GOOD_KEY } });
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ provider: 'openai', source: 'env', envVar: 'OPENAI_API_KEY' })]);
    expect(run.stdout).not.toContain(GOOD_KEY);
  });
});

describe('localagent config rotate-master', () => {
  it('re-encrypts under a new password; the old one stops working', async () => {
    const dir = await home();
    await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}\n` });
    const file = join(dir, 'old-password.txt');
    await writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
    const before = await readFile(join(dir, 'vault.json'), 'utf8');
    const rotated = await la(dir, ['config', 'rotate-master', '--master-password-file', file], { env: { LOCALAGENT_MASTER_PASSWORD: '', LOCALAGENT_NEW_MASTER_PASSWORD: 'a brand new password' } });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('Re-encrypted 1 key');
    expect(await readFile(join(dir, 'vault.json'), 'utf8')).not.toBe(before);
    const oldFails = await la(dir, ['config', 'rotate-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}x\n` });
    expect(oldFails.stderr).toContain('LA_VAULT_BAD_PASSWORD');
    const newWorks = await la(dir, ['config', 'rotate-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}x\n`, env: { LOCALAGENT_MASTER_PASSWORD: 'a brand new password' } });
    expect(newWorks.code, newWorks.stderr).toBe(0);
  });

  it('checks the current password before asking for a new one', async () => {
    const dir = await home();
    await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}\n` });
    const run = await la(dir, ['config', 'rotate-master'], { env: { LOCALAGENT_MASTER_PASSWORD: 'not the password' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LA_VAULT_BAD_PASSWORD');
    const missing = await la(dir, ['config', 'rotate-master']);
    expect(missing.stderr).toContain('LA_MASTER_PASSWORD_REQUIRED');
  });

  it('warns about a password file others can read, and explains an unreadable one', async () => {
    const dir = await home();
    await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}\n` });
    const loose = join(dir, 'pw.txt');
    await writeFile(loose, `${PASSWORD}\r\n`, { mode: 0o644 });
    const run = await la(dir, ['config', 'keys', '--master-password-file', loose], { env: { LOCALAGENT_MASTER_PASSWORD: '' } });
    expect(run.code).toBe(0);
    const rotated = await la(dir, ['config', 'rotate-key', 'mylocal', '--stdin', '--no-validate', '--master-password-file', loose], { input: `${GOOD_KEY}y\n`, env: { LOCALAGENT_MASTER_PASSWORD: '' } });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stderr).toContain('can be read by other users');
    const missing = await la(dir, ['config', 'rotate-key', 'mylocal', '--stdin', '--master-password-file', 'nope.txt'], { input: `${GOOD_KEY}\n` });
    expect(missing.stderr).toContain('LA_PASSWORD_FILE_UNREADABLE');
  });
});

describe('localagent config doctor and audit', () => {
  it('doctor reports the backends, the config and the audit log', async () => {
    const dir = await home();
    const run = await la(dir, ['config', 'doctor', '--json'], { env: { ANTHROPIC_API_KEY: 'sk-ant-xxxxxxxxxxxxxxxxxxxxxxxx' } });
    const report = JSON.parse(run.stdout) as { ok: boolean; keys: { file: { usable: boolean }; env: { variables: string[] }; keyring: { usable: boolean } } };
    expect(report.keys.file.usable).toBe(true);
    expect(report.keys.env.variables).toEqual(['ANTHROPIC_API_KEY']);
    expect(run.stdout).not.toContain('sk-ant-xxxxxxxxxxxxxxxxxxxxxxxx');
    const human = await la(dir, ['config', 'doctor']);
    expect(human.stdout).toContain('vault file');
    expect(human.stdout).toContain('OS keyring');
  });

  it('audit verify passes on an intact log and finds the first tampered line', async () => {
    const dir = await home();
    await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}\n` });
    await la(dir, ['config', 'delete-key', 'mylocal']);
    const ok = await la(dir, ['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('chain intact');
    const shown = await la(dir, ['audit', 'show', '--json']);
    const entries = JSON.parse(shown.stdout) as { action: string; outcome: string }[];
    expect(entries.map((e) => e.action)).toEqual(['store', 'unlock', 'delete']);
    const log = join(dir, 'audit', 'keys.audit.jsonl');
    const lines = (await readFile(log, 'utf8')).split('\n');
    lines[0] = (lines[0] ?? '').replace('"store"', '"retrieve"');
    await writeFile(log, lines.join('\n'));
    const broken = await la(dir, ['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN');
    expect(broken.stdout).toContain('line 1');
  });

  it('audit show filters by time and count and rejects bad input', async () => {
    const dir = await home();
    expect((await la(dir, ['audit', 'show'])).stdout).toContain('No audit entries.');
    expect((await la(dir, ['audit', 'verify'])).stdout).toContain('No audit logs yet');
    await la(dir, ['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${GOOD_KEY}\n` });
    await la(dir, ['config', 'delete-key', 'mylocal']);
    expect(JSON.parse((await la(dir, ['audit', 'show', '--limit', '1', '--json'])).stdout)).toHaveLength(1);
    expect(JSON.parse((await la(dir, ['audit', 'show', '--since', '2999-01-01', '--json'])).stdout)).toHaveLength(0);
    expect((await la(dir, ['audit', 'show'])).stdout).toMatch(/key\.store\s+success\s+mylocal/);
    expect((await la(dir, ['audit', 'show', '--since', 'yesterday'])).code).toBe(2);
    expect((await la(dir, ['audit', 'show', '--limit', '0'])).code).toBe(2);
  });
});

describe('a sentinel key never leaks', () => {
  it('is found in no file under the home and in no output, whichever way it was given', async () => {
    const sentinel = `sk-SENTINEL${randomBytes(16).toString('hex')}`;
    const dir = await home();
    await writeFile(join(dir, 'localagent.yaml'), `providers:\n  leaky:\n    type: openai-compatible\n    api_key: ${sentinel}\n`);
    const runs: CliRun[] = [];
    const debug = ['--debug', '--log-level', 'trace'];
    // A config file holding the key: refused, and the error must not echo it.
    runs.push(await la(dir, [...debug, 'config', 'show']));
    runs.push(await la(dir, [...debug, 'config', 'validate', '--json']));
    await writeFile(join(dir, 'localagent.yaml'), '# fixed\n');
    // Through stdin into the vault, rejected by the provider, then accepted unchecked.
    runs.push(await la(dir, [...debug, 'config', 'set-key', 'mylocal', '--stdin'], { input: `${sentinel}\n` }));
    runs.push(await la(dir, [...debug, 'config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { input: `${sentinel}\n` }));
    runs.push(await la(dir, [...debug, 'config', 'keys', '--json']));
    runs.push(await la(dir, [...debug, 'config', 'rotate-key', 'mylocal', '--stdin', '--no-validate'], { input: `${sentinel}\n` }));
    // Through the environment.
    runs.push(await la(dir, [...debug, 'config', 'keys'], { env: { OPENAI_API_KEY: sentinel, LOCALAGENT_MYLOCAL_API_KEY: sentinel } }));
    runs.push(await la(dir, [...debug, 'config', 'doctor', '--json'], { env: { OPENAI_API_KEY: sentinel } }));
    runs.push(await la(dir, [...debug, 'config', 'show', '--json'], { env: { LOCALAGENT_LOG__SERVICE: sentinel } }));
    // As the master password.
    runs.push(await la(dir, [...debug, 'config', 'keys'], { env: { LOCALAGENT_MASTER_PASSWORD: sentinel } }));
    runs.push(await la(dir, [...debug, 'config', 'rotate-key', 'mylocal', '--stdin', '--no-validate'], { input: 'sk-other-0123456789abcdef\n', env: { LOCALAGENT_MASTER_PASSWORD: sentinel } }));
    runs.push(await la(dir, [...debug, 'audit', 'show', '--json']));

    expect(runs.some((r) => r.code === 0)).toBe(true);
    for (const run of runs) {
      expect(run.stdout).not.toContain(sentinel);
      expect(run.stderr).not.toContain(sentinel);
    }
    const marker = sentinel.slice(2);
    for (const file of await allFilesUnder(dir)) {
      const content = await readFile(file);
      expect(content.includes(marker), file).toBe(false);
      expect(content.includes(Buffer.from(marker).toString('base64')), file).toBe(false);
      expect(content.includes(Buffer.from(marker).toString('hex')), file).toBe(false);
    }
  });
});
