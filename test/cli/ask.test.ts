import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli.js';
import { startMockLlm, type MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();
let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlm();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.setScript({ models: { fast: { reply: 'echo' }, broken: { fault: { kind: 'server_error' } }, hang: { fault: { kind: 'hang' } }, js: { reply: 'json', json: { n: 1 } } } });
});

async function home(): Promise<string> {
  const dir = await tempDir();
  const models = ['fast', 'broken', 'hang', 'js'].map((m) => `  - id: ${m}\n    provider: mock\n    model: ${m}\n    capabilities: [text, json]`).join('\n');
  await writeFile(
    join(dir, 'config.yaml'),
    `resilience:\n  retry: { max_attempts: 1 }\nproviders:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: false\n  down:\n    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n    requires_key: false\norchestrator:\n  detect_ollama: false\n  default_model: fast\nmodels:\n${models}\n  - id: unreachable\n    provider: down\n    model: x\n`,
  );
  return dir;
}

const la = async (dir: string, argv: string[], input?: string): Promise<CliRun> => {
  const stdin = new PassThrough();
  stdin.end(input ?? '');
  return runInProcess(['--home', dir, ...argv], { cwd: dir, stdin });
};

describe('localagent ask', () => {
  it('streams the answer to stdout', async () => {
    const run = await la(await home(), ['ask', 'hello there from the terminal']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello there from the terminal\n');
    expect(mock.requests.at(-1)?.stream).toBe(true);
  });

  it('prints the full result with --json: text, model, provider, usage, cost, latency, attempts', async () => {
    const run = await la(await home(), ['ask', 'two words', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({
      text: 'two words',
      model: 'fast',
      provider: 'mock',
      usage: { input_tokens: expect.any(Number) as unknown, output_tokens: expect.any(Number) as unknown },
      cost_usd: 0,
      latency_ms: expect.any(Number) as unknown,
      attempts: 1,
      strategy: 'explicit',
      tried: [expect.objectContaining({ model: 'fast', ok: true })],
    });
  });

  it('reads the prompt from stdin with -, waits with --no-stream, and fails over with --models', async () => {
    const dir = await home();
    const piped = await la(dir, ['ask', '-', '--no-stream'], 'from a pipe\n');
    expect(piped.stdout).toBe('from a pipe\n');
    expect(mock.requests.at(-1)?.stream).toBe(false);
    const fallback = await la(dir, ['ask', 'x', '--models', 'broken,fast', '--json']);
    expect(JSON.parse(fallback.stdout)).toMatchObject({ model: 'fast', tried: [{ model: 'broken', ok: false, error_code: 'LA_PROVIDER_UNAVAILABLE' }, { model: 'fast', ok: true }] });
  });

  it('returns JSON matching a schema file', async () => {
    const dir = await home();
    await writeFile(join(dir, 'schema.json'), JSON.stringify({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }));
    const run = await la(dir, ['ask', 'x', '--model', 'js', '--json-schema', 'schema.json', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ json: { n: 1 } });
    await writeFile(join(dir, 'bad.json'), '[1, 2');
    const bad = await la(dir, ['ask', 'x', '--model', 'js', '--json-schema', 'bad.json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('LA_SCHEMA_INVALID');
  });

  it('races and ensembles several models', async () => {
    const dir = await home();
    const raced = JSON.parse((await la(dir, ['ask', 'x', '--strategy', 'race', '--models', 'hang,fast', '--json'])).stdout) as { model: string; members: { model: string; status: string }[] };
    expect(raced.model).toBe('fast');
    expect(raced.members).toEqual([expect.objectContaining({ model: 'hang', status: 'aborted' }), expect.objectContaining({ model: 'fast', status: 'won' })]);
    const merged = JSON.parse((await la(dir, ['ask', 'same', '--strategy', 'ensemble', '--models', 'fast,broken', '--json'])).stdout) as { decided_by: string; members: unknown[] };
    expect(merged.members).toHaveLength(2);
    expect(merged.decided_by).toBe('only-answer');
  });

  it('explains usage mistakes with exit 2', async () => {
    const dir = await home();
    for (const argv of [
      ['ask', 'x', '--strategy', 'race', '--models', 'fast'],
      ['ask', 'x', '--model', 'fast', '--models', 'fast,js'],
      ['ask', 'x', '--max-cost', 'lots'],
      ['ask'],
    ]) {
      const run = await runInProcess(['--home', dir, ...argv], { cwd: dir, stdin: Object.assign(new PassThrough(), { isTTY: true }) });
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr).toContain('LA_USAGE');
    }
  });

  it('names an unknown model with a did-you-mean', async () => {
    const run = await la(await home(), ['ask', 'x', '--model', 'fsat']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error LA_MODEL_UNKNOWN');
    expect(run.stderr).toContain('Did you mean "fast"?');
  });

  it('stops when the person presses Ctrl-C', async () => {
    const dir = await home();
    const interrupt = new AbortController();
    const out = { text: '', write(chunk: string) { this.text += chunk; return true; } };
    const err = { text: '', write(chunk: string) { this.text += chunk; return true; } };
    const pending = runCli(['--home', dir, 'ask', 'x', '--model', 'hang'], { stdout: out, stderr: err, env: {}, cwd: dir, signal: interrupt.signal });
    setTimeout(() => interrupt.abort(), 200);
    expect(await pending).toBe(1);
    expect(err.text).toContain('LA_CANCELLED');
  });
});

describe('localagent models', () => {
  it('lists models with price, capabilities and whether they can be used here', async () => {
    const run = await la(await home(), ['models', 'list', '--json']);
    const rows = JSON.parse(run.stdout) as { id: string; available: boolean; note: string }[];
    expect(rows.find((r) => r.id === 'fast')).toMatchObject({ available: true, note: 'ready' });
    expect(rows.find((r) => r.id === 'openai/gpt-4o-mini')).toMatchObject({ available: false, note: 'no key: localagent config set-key openai' });
    const human = await la(await home(), ['models', 'list']);
    expect(human.stdout).toMatch(/ID\s+PROVIDER\s+MODEL\s+PRICE IN\/OUT PER 1M\s+CAPABILITIES\s+STATUS/);
  });

  it('health probes each usable provider and exits 1 when one is down', async () => {
    const run = await la(await home(), ['models', 'health', '--json', '--timeout', '1000']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; providers: { provider: string; status: string; breaker: string }[] };
    expect(report.ok).toBe(false);
    expect(report.providers).toEqual(
      expect.arrayContaining([expect.objectContaining({ provider: 'mock', status: 'ok', breaker: 'closed' }), expect.objectContaining({ provider: 'down', status: 'unreachable' })]),
    );
    const human = await la(await home(), ['models', 'health', '--timeout', '1000']);
    expect(human.stdout).toMatch(/PROVIDER\s+STATUS\s+LATENCY\s+BREAKER\s+RECENT ERRORS/);
  });
});

describe('localagent ask with results encrypted at rest', () => {
  it('needs no master password when only the results key is in the vault: model statistics are never encrypted', async () => {
    const dir = await home();
    const config = (await import('node:fs/promises')).readFile(join(dir, 'config.yaml'), 'utf8');
    await writeFile(join(dir, 'config.yaml'), `${await config}keys:\n  backend: file\nsecurity:\n  encrypt_results: true\n`);
    // A run creates the results key in the file vault, behind the master password.
    await writeFile(join(dir, 'p.alt.yaml'), 'alt: 1\ntitle: t\ntasks:\n  - id: hi\n    kind: shell\n    argv: [echo, hi]\n');
    const stdin = new PassThrough();
    stdin.end('');
    const run = await runInProcess(['--home', dir, 'run', 'p.alt.yaml'], { cwd: dir, stdin, env: { LOCALAGENT_MASTER_PASSWORD: 'correct horse battery' } });
    expect(run.code, run.stderr).toBe(0);
    // No password this time, and no terminal to ask on.
    const asked = await la(dir, ['ask', 'no password needed']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toBe('no password needed\n');
    expect(asked.stderr).not.toContain('Model statistics are not stored');
    // The call was stored for model selection to learn from.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dir, 'localagent.db'), { readonly: true });
    try {
      expect(db.prepare('select model, success from model_calls').all()).toEqual([{ model: 'fast', success: 1 }]);
    } finally {
      db.close();
    }
  });
});
