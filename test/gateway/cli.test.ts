import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli.js';
import { runInProcess } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';

/** `localagent token`, `certs` and `serve`, run in process as a person would. */
const tempDir = useTempDirs();

async function home(): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'config.yaml'), 'log:\n  file: { enabled: false }\norchestrator:\n  detect_ollama: false\n');
  return dir;
}

describe('localagent token', () => {
  it('creates a token shown once, lists it without the token, and revokes it', async () => {
    const dir = await home();
    const created = await runInProcess(['--home', dir, 'token', 'create', '--name', 'ci', '--role', 'operator', '--expires', '30d', '--json'], { cwd: dir });
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout) as { token: string; id: string; role: string; expires_at: string };
    expect(body.token).toMatch(/^la_tok_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(body.token).toContain(body.id);
    expect(body.role).toBe('operator');
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const human = await runInProcess(['--home', dir, 'token', 'create', '--name', 'me', '--role', 'admin'], { cwd: dir });
    expect(human.stdout).toMatch(/\n {2}la_tok_[0-9a-f]{12}_\S{43}\n/);
    expect(human.stdout).toContain('shown only now');

    const listed = await runInProcess(['--home', dir, 'token', 'list', '--json'], { cwd: dir });
    expect(listed.stdout).not.toContain(body.token);
    expect((JSON.parse(listed.stdout) as { name: string; state: string }[]).map((t) => [t.name, t.state]).sort()).toEqual([
      ['ci', 'active'],
      ['me', 'active'],
    ]);
    const table = await runInProcess(['--home', dir, 'token', 'list'], { cwd: dir });
    expect(table.stdout).toMatch(/ci\s+operator\s+active/);

    // Only the hash is stored: no database file (the WAL included) holds the token, but its hash is there.
    const files = (await readdir(dir)).filter((f) => f.startsWith('localagent.db'));
    const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
    expect(bytes.includes(Buffer.from(body.token))).toBe(false);
    expect(bytes.includes(Buffer.from(createHash('sha256').update(body.token).digest('hex')))).toBe(true);

    const revoked = await runInProcess(['--home', dir, 'token', 'revoke', 'ci'], { cwd: dir });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('Revoked token "ci"');
    const all = JSON.parse((await runInProcess(['--home', dir, 'token', 'list', '--all', '--json'], { cwd: dir })).stdout) as { name: string; state: string }[];
    expect(all.find((t) => t.name === 'ci')?.state).toBe('revoked');

    const audit = await runInProcess(['--home', dir, 'audit', 'show', '--json'], { cwd: dir });
    expect(audit.stdout).toContain('"category": "token"');
    expect(audit.stdout).not.toContain(body.token);
  });

  it('refuses bad input with the right exit codes', async () => {
    const dir = await home();
    expect((await runInProcess(['--home', dir, 'token', 'create', '--name', 'x', '--role', 'root'], { cwd: dir })).code).toBe(2);
    const lifetime = await runInProcess(['--home', dir, 'token', 'create', '--name', 'x', '--role', 'viewer', '--expires', 'forever'], { cwd: dir });
    expect(lifetime.code).toBe(2);
    expect(lifetime.stderr).toContain('LA_USAGE');
    expect((await runInProcess(['--home', dir, 'token', 'create', '--name', 'x', '--role', 'viewer'], { cwd: dir })).code).toBe(0);
    const taken = await runInProcess(['--home', dir, 'token', 'create', '--name', 'x', '--role', 'viewer'], { cwd: dir });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('LA_TOKEN_NAME_TAKEN');
    const missing = await runInProcess(['--home', dir, 'token', 'revoke', 'nobody'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('LA_TOKEN_NOT_FOUND');
  });
});

describe('localagent certs', () => {
  it('creates a CA, a server certificate and clients, keys private; adds a client later', async () => {
    const dir = await home();
    const made = await runInProcess(['--home', dir, 'certs', 'init', '--client', 'ci:operator', '--host', 'agent.local', '--days', '30', '--json'], { cwd: dir });
    expect(made.code).toBe(0);
    const set = JSON.parse(made.stdout) as { dir: string; server: { keyFile: string; certFile: string }; clients: { name: string; role: string }[] };
    expect(set.dir).toBe(join(dir, 'certs'));
    expect(set.clients).toMatchObject([{ name: 'ci', role: 'operator' }]);
    if (process.platform !== 'win32') expect((await stat(set.server.keyFile)).mode & 0o077).toBe(0);
    const { X509Certificate } = await import('node:crypto');
    const server = new X509Certificate(await readFile(set.server.certFile));
    expect(server.subjectAltName).toContain('DNS:agent.local');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.checkIssued(new X509Certificate(await readFile(join(dir, 'certs', 'ca.pem'))))).toBe(true);

    const again = await runInProcess(['--home', dir, 'certs', 'init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('LA_CERTS_EXIST');
    const added = await runInProcess(['--home', dir, 'certs', 'client', 'laptop', '--role', 'admin'], { cwd: dir });
    expect(added.code).toBe(0);
    const client = new X509Certificate(await readFile(join(dir, 'certs', 'client-laptop.pem')));
    expect(client.subject).toContain('CN=laptop');
    expect(client.subject).toContain('OU=admin');
    expect((await runInProcess(['--home', dir, 'certs', 'init', '--client', 'x:boss'], { cwd: dir })).code).toBe(2);
    expect((await runInProcess(['--home', dir, 'certs', 'init', '--days', '0', '--force'], { cwd: dir })).code).toBe(2);
  });
});

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('localagent serve', () => {
  it('serves until interrupted, and says how to create the first token', async () => {
    const dir = await home();
    const stdout = new Sink();
    const stderr = new Sink();
    const interrupt = new AbortController();
    const done = runCli(['--home', dir, 'serve', '--port', '0', '--json'], { stdout, stderr, env: {}, cwd: dir, signal: interrupt.signal });
    for (let i = 0; i < 200 && !stdout.text.includes('}'); i += 1) await new Promise((r) => setTimeout(r, 50));
    const started = JSON.parse(stdout.text) as { url: string; docs: string; workspace: string; mtls: boolean };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.workspace).toBe(dir);
    expect(stderr.text).toContain('localagent token create --name me --role admin');
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${started.url}/v1/runs`)).status).toBe(401);
    interrupt.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${started.url}/healthz`)).rejects.toThrow();
  });

  it('refuses a non-loopback address without TLS, and half-given TLS options', async () => {
    const dir = await home();
    const exposed = await runInProcess(['--home', dir, 'serve', '--host', '0.0.0.0', '--port', '0'], { cwd: dir });
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('LA_TLS_REQUIRED');
    expect((await runInProcess(['--home', dir, 'serve', '--tls-cert', 'a.pem'], { cwd: dir })).code).toBe(2);
    expect((await runInProcess(['--home', dir, 'serve', '--port', 'eighty'], { cwd: dir })).code).toBe(2);
    const unreadable = await runInProcess(['--home', dir, 'serve', '--port', '0', '--tls-cert', 'missing.pem', '--tls-key', 'missing-key.pem'], { cwd: dir });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('LA_TLS_FILE_UNREADABLE');
    const noWorkspace = await runInProcess(['--home', dir, 'serve', '--port', '0', '--workspace', join(dir, 'nope')], { cwd: dir });
    expect(noWorkspace.stderr).toContain('LA_PATH_NOT_FOUND');
  });
});
