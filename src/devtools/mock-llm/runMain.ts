import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { parseYaml, positionOf, readLimitedFile } from '../../core/config/index.js';
import { UsageError, UserInputError, toLocalAgentError, type LocalAgentError } from '../../core/errors/index.js';
import { startMockLlm, type MockLlmServer } from './MockLlmServer.js';
import { parseMockScript, type MockScript, type ResolvedMockScript } from './MockScript.js';
import { demoScript } from './demoScript.js';

/** The port `npm run mock-llm` listens on without `--port`. */
export const DEFAULT_PORT = 8787;

/** What `runMain` may touch of the outside world, so a test can drive it. */
export interface MainIo {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Calls `handler` on SIGINT or SIGTERM; returns a function that stops listening. */
  onSignal(handler: (signal: string) => void): () => void;
  /** Told once the server listens (tests reach the server through it). */
  onListening?(server: MockLlmServer): void;
}

const USAGE = `Usage: npm run mock-llm -- [--port N] [--script FILE] [--require-key KEY]

Starts a mock model provider on 127.0.0.1 that speaks the OpenAI, Anthropic and Gemini APIs,
so LocalAgent can be tried and tested without API keys.

Options:
  --port N           port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --script FILE      behaviour per model, YAML or JSON (default: mock-fast, mock-slow, mock-flaky)
  --require-key KEY  answer 401 unless requests present this key
  -h, --help         show this help
`;

interface Flags {
  port: number;
  scriptFile: string | undefined;
  requireKey: string | undefined;
  help: boolean;
}

function parseFlags(argv: readonly string[]): Flags {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        script: { type: 'string' },
        'require-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError({
      message: (error as Error).message,
      suggestion: 'Run `npm run mock-llm -- --help` to see the options.',
      cause: error,
    });
  }
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
    if (!(port >= 0 && port <= 65_535)) {
      throw new UsageError({
        message: `--port must be a whole number from 0 to 65535, not "${values.port}".`,
        suggestion: `Give a port such as ${DEFAULT_PORT}, or 0 to pick a free one.`,
      });
    }
  }
  const requireKey = values['require-key'];
  if (requireKey !== undefined && requireKey.trim().length === 0) {
    throw new UsageError({ message: '--require-key needs a non-empty key.', suggestion: 'Give the key clients must send, e.g. --require-key mock-key.' });
  }
  return { port, scriptFile: values.script, requireKey, help: values.help === true };
}

/** Reads a YAML or JSON script file; problems name the file, line and column. */
export async function loadScriptFile(file: string): Promise<ResolvedMockScript> {
  const text = await readLimitedFile(file);
  if (text === undefined) {
    throw new UserInputError({
      message: `The script file ${file} does not exist.`,
      suggestion: 'Check the path given to --script (it is relative to the current folder).',
      details: { file },
    });
  }
  const source = parseYaml(file, text);
  return parseMockScript(source.data, { file, positionOf: (path) => positionOf(source, path) });
}

/** The config.yaml lines that point LocalAgent at this server. */
export function configSnippet(server: Pick<MockLlmServer, 'openaiBaseUrl' | 'anthropicBaseUrl'>, script: ResolvedMockScript, keyRequired: boolean): string {
  const names = Object.keys(script.models);
  const models = names.length > 0 ? names : ['mock'];
  const keyless = keyRequired ? {} : { requires_key: false };
  const config = {
    providers: {
      mock: { type: 'openai-compatible', base_url: server.openaiBaseUrl, ...keyless },
      'mock-anthropic': { type: 'anthropic', base_url: server.anthropicBaseUrl, ...keyless },
    },
    models: [
      ...models.map((name) => ({ id: name, provider: 'mock', model: name, capabilities: ['text', 'json'] })),
      { id: 'mock-claude', provider: 'mock-anthropic', model: models[0], capabilities: ['text', 'json'] },
    ],
  };
  return stringify(config, { lineWidth: 0 });
}

function banner(server: MockLlmServer, script: ResolvedMockScript, keyRequired: boolean): string {
  const names = Object.keys(script.models);
  const lines = [
    `LocalAgent mock LLM server listening on ${server.url}`,
    `  OpenAI / OpenAI-compatible  ${server.openaiBaseUrl}   (chat/completions, responses, models)`,
    `  Anthropic                   ${server.anthropicBaseUrl}   (messages, models)`,
    `  Gemini                      ${server.geminiBaseUrl}`,
    `  Control API                 ${server.url}/_mock/   (script, requests, reset)`,
    `Models: ${names.length > 0 ? names.join(', ') : '(none listed)'}; any other name gets the default behaviour.`,
    keyRequired
      ? 'Key: required (the value of --require-key, sent as Bearer, x-api-key or x-goog-api-key).'
      : 'Key: not required (any key, or none, is accepted).',
    '',
    '# Paste into ~/.localagent/config.yaml (or ./localagent.yaml):',
    configSnippet(server, script, keyRequired).trimEnd(),
    '',
  ];
  if (keyRequired) {
    lines.push(
      '# Then give LocalAgent the key you passed to --require-key, e.g.:',
      '#   export LOCALAGENT_MOCK_API_KEY=<key> LOCALAGENT_MOCK_ANTHROPIC_API_KEY=<key>',
      '',
    );
  }
  lines.push('Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function printError(io: MainIo, thrown: unknown): number {
  const error: LocalAgentError = toLocalAgentError(thrown);
  io.stderr(`error ${error.code}: ${error.message}\nhint: ${error.suggestion}\n`);
  return error.exitCode;
}

/**
 * The `npm run mock-llm` command: starts the server, prints where it is and a config snippet, and
 * resolves with the exit code once SIGINT or SIGTERM has closed it (or at once on a usage error).
 */
export async function runMain(argv: readonly string[], io: MainIo): Promise<number> {
  let server: MockLlmServer;
  let keyRequired: boolean;
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      io.stdout(USAGE);
      return 0;
    }
    const script: MockScript = flags.scriptFile !== undefined ? await loadScriptFile(flags.scriptFile) : demoScript();
    keyRequired = flags.requireKey !== undefined;
    server = await startMockLlm({ port: flags.port, script, ...(flags.requireKey !== undefined ? { requireKey: flags.requireKey } : {}) });
  } catch (error) {
    return printError(io, error);
  }

  const stopped = new Promise<number>((resolve) => {
    const stopListening = io.onSignal((signal) => {
      stopListening();
      io.stderr(`Received ${signal}; stopping the mock LLM server.\n`);
      server.close().then(
        () => resolve(0),
        (error: unknown) => resolve(printError(io, error)),
      );
    });
  });
  io.stdout(banner(server, server.script, keyRequired));
  io.onListening?.(server);
  return stopped;
}
