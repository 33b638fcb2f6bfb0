import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../../src/app.js';
import { startMockLlm, type MockLlmServer, type MockScript } from '../../../src/devtools/mock-llm/index.js';
import { createServer, type Gateway, type GatewayOptions } from '../../../src/gateway/index.js';

export interface Harness {
  app: App;
  gateway: Gateway;
  home: string;
  workspace: string;
  /** A token per role. */
  tokens: { viewer: string; operator: string; admin: string };
  /** fetch against the gateway, with a role's token unless `token: null`. */
  call(path: string, init?: RequestInit & { role?: 'viewer' | 'operator' | 'admin'; token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra YAML appended to the home's config.yaml (not a `server` section: use `server`). */
  config?: string;
  /** The `server` section, as YAML flow (`{ rate_limit: { max: 5 } }`); default: a failure limit no test reaches. */
  server?: string;
  /** The mock model server the config points at (model ids `mock-fast`, `mock-slow`, …). */
  mock?: MockLlmServer;
  gateway?: Partial<Omit<GatewayOptions, 'app'>>;
  /** Skip creating the three tokens. */
  noTokens?: boolean;
}

/** The mock models the harness config declares. */
export const MOCK_MODELS = ['mock-fast', 'mock-other', 'mock-down', 'mock-slow'];

export const MOCK_SCRIPT: MockScript = {
  models: {
    'mock-fast': { reply: 'hello from the fast mock' },
    'mock-other': { reply: 'hello from the other mock' },
    'mock-down': { fault: { kind: 'server_error' } },
    'mock-slow': { reply: 'slow answer', ttft_ms: 300, chunk_size: 2, chunk_delay_ms: 5 },
  },
};

export function mockConfig(mock: MockLlmServer): string {
  const models = MOCK_MODELS.map((id) => `  - id: ${id}\n    provider: mock\n    model: ${id}\n    price: { input: 1, output: 2 }\n    capabilities: [text, json]`).join('\n');
  return (
    `providers:\n  mock:\n    type: openai-compatible\n    base_url: ${mock.openaiBaseUrl}\n    requires_key: false\n    timeout_ms: 5000\n` +
    `models:\n${models}\n` +
    `orchestrator:\n  detect_ollama: false\n  default_strategy: fallback\n` +
    `resilience:\n  retry: { max_attempts: 1, base_delay_ms: 1, max_delay_ms: 5 }\n  breaker: { failure_threshold: 100 }\n`
  );
}

/**
 * A real app in a temp home, a real server on 127.0.0.1 port 0, and a token per role. The home and
 * workspace live until `close()` (they outlast single tests, unlike `useTempDirs`).
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const home = await mkdtemp(join(tmpdir(), 'la-gw-home-'));
  const workspace = await mkdtemp(join(tmpdir(), 'la-gw-ws-'));
  const server = options.server ?? '{ rate_limit: { auth_failures: 100000 } }';
  const config = `log:\n  level: warn\n  file: { enabled: false }\nserver: ${server}\n${options.mock ? mockConfig(options.mock) : 'orchestrator:\n  detect_ollama: false\n'}${options.config ?? ''}`;
  await writeFile(join(home, 'config.yaml'), config);
  const app = await createApp({ home, cwd: workspace, env: {}, logStream: false });
  const store = await app.tokens();
  const tokens = { viewer: '', operator: '', admin: '' };
  if (!options.noTokens) {
    for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await store.create({ name: `test-${role}`, role, createdBy: 'test' })).token;
  }
  const gateway = await createServer({ app, host: '127.0.0.1', port: 0, workspace, events: { pollMs: 100, heartbeatMs: 1000 }, ...options.gateway });
  return {
    app,
    gateway,
    home,
    workspace,
    tokens,
    call: (path, init = {}) => {
      const { role = 'admin', token, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token === undefined ? tokens[role] : token;
      if (bearer !== null && bearer !== '') headers.set('authorization', `Bearer ${bearer}`);
      if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${gateway.url}${path}`, { ...rest, headers });
    },
    close: async () => {
      await gateway.close();
      await app.close();
      await Promise.all([rm(home, { recursive: true, force: true }), rm(workspace, { recursive: true, force: true })]);
    },
  };
}

export { startMockLlm };
