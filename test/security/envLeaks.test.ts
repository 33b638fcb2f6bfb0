import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { useAttackSites } from './support/attackHarness.js';
import { filesContaining } from './support/scan.js';

/**
 * Secrets LocalAgent holds or inherits must not reach what a task can see or what is stored:
 * sentinel API keys and tokens in the environment, a key in the vault that an AI task really uses,
 * and the vault's master password. A hostile plan prints the whole environment; every byte
 * LocalAgent writes (outputs, .last, journal, database, logs, audit logs) is searched for them.
 */
const site = useAttackSites();
const PASSWORD = `master-${randomBytes(8).toString('hex')}`;
const VAULT_KEY = `sk-vault-${randomBytes(16).toString('hex')}`;
const ENV_SECRETS = {
  OPENAI_API_KEY: `sk-proj-${randomBytes(24).toString('hex')}`,
  ANTHROPIC_API_KEY: `sk-ant-api03-${randomBytes(24).toString('hex')}`,
  LOCALAGENT_MYLOCAL_OTHER_API_KEY: `plain-${randomBytes(12).toString('hex')}`,
  GITHUB_TOKEN: `ghp_${randomBytes(18).toString('hex')}`,
  AWS_SECRET_ACCESS_KEY: randomBytes(20).toString('base64url'),
  DATABASE_PASSWORD: `pw-${randomBytes(10).toString('hex')}`,
};
let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlm({ requireKey: VAULT_KEY });
});
afterAll(async () => {
  await mock.close();
});

describe('environment and key leaks', { timeout: 120_000 }, () => {
  it('no secret from the environment or the vault reaches a task, its output, the terminal or any file', async () => {
    const s = await site(
      [
        'security:',
        '  allow_commands: [printenv, sh]',
        'orchestrator:',
        '  detect_ollama: false',
        'resilience:',
        '  retry: { max_attempts: 1 }',
        'providers:',
        '  mylocal:',
        '    type: openai-compatible',
        `    base_url: ${mock.openaiBaseUrl}`,
        'models:',
        '  - id: m',
        '    provider: mylocal',
        '    model: fast',
        '',
      ].join('\n'),
    );
    const env = { LOCALAGENT_MASTER_PASSWORD: PASSWORD };
    const stored = await s.la(['config', 'set-key', 'mylocal', '--stdin', '--no-validate'], { env, input: `${VAULT_KEY}\n` });
    expect(stored.code, stored.stderr).toBe(0);

    const plan = await s.plan([
      // Uses the vault key for real (the mock answers 401 to any other), so it is loaded in the process.
      { id: 'think', kind: 'ai', model: 'm', prompt: 'say something' },
      { id: 'all', kind: 'shell', needs: ['think'], argv: ['printenv'] },
      { id: 'named', kind: 'shell', needs: ['think'], on_failure: 'continue', argv: ['sh', '-c', 'echo "[$OPENAI_API_KEY][$GITHUB_TOKEN][$LOCALAGENT_MASTER_PASSWORD][$LOCALAGENT_MYLOCAL_API_KEY]"; set'] },
      { id: 'proc', kind: 'shell', needs: ['think'], on_failure: 'continue', argv: ['sh', '-c', 'cat /proc/$$/environ | tr "\\0" "\\n"'] },
    ]);
    const run = await s.la(['run', plan, '--json'], { env: { ...env, ...ENV_SECRETS } });
    expect(run.code, run.stderr).toBe(0);
    const last = JSON.parse(run.stdout) as { tasks: { id: string; status: string; output?: { stdout?: string } }[] };
    expect(last.tasks.map((t) => t.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // The key was really used: the mock saw it.
    expect(mock.requests.some((r) => r.headers.authorization === `Bearer ${VAULT_KEY}`)).toBe(true);
    // The environment the tasks saw is a short allowlist, with the secret variables not even named.
    const seen = last.tasks.find((t) => t.id === 'all')?.output?.stdout ?? '';
    expect(seen).toContain('PATH=');
    for (const name of [...Object.keys(ENV_SECRETS), 'LOCALAGENT_MASTER_PASSWORD']) expect(seen).not.toContain(`${name}=`);
    expect(last.tasks.find((t) => t.id === 'named')?.output?.stdout).toContain('[][][][]');

    const secrets = [VAULT_KEY, PASSWORD, ...Object.values(ENV_SECRETS)];
    for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
    expect(await filesContaining(s.home, secrets)).toEqual([]);
    expect(await filesContaining(s.ws, secrets)).toEqual([]);
    const shown = await s.la(['runs', 'show', JSON.parse(run.stdout).run_id as string, '--json'], { env });
    for (const secret of secrets) expect(shown.stdout).not.toContain(secret);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });
});
