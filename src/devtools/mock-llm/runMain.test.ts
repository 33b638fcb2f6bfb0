import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, type APICallError } from 'ai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../core/config/index.js';
import { DEFAULT_PORT, runMain, startMockLlm, type MainIo, type MockLlmServer } from './index.js';

globalThis.AI_SDK_LOG_WARNINGS = false;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mock-llm-main-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `runMain` with captured output; `stop` sends the shutdown signal once the server listens. */
function run(argv: string[]): {
  out: () => string;
  err: () => string;
  exit: Promise<number>;
  listening: Promise<MockLlmServer>;
  stop: (signal?: string) => void;
} {
  let out = '';
  let err = '';
  let signalHandler: ((signal: string) => void) | undefined;
  let unsubscribed = false;
  let onListening: (server: MockLlmServer) => void = () => undefined;
  const listening = new Promise<MockLlmServer>((resolve) => {
    onListening = resolve;
  });
  const io: MainIo = {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    onSignal: (handler) => {
      signalHandler = handler;
      return () => {
        unsubscribed = true;
      };
    },
    onListening,
  };
  return {
    out: () => out,
    err: () => err,
    exit: runMain(argv, io),
    listening,
    stop: (signal = 'SIGINT') => {
      if (!signalHandler || unsubscribed) throw new Error('no signal handler registered');
      signalHandler(signal);
    },
  };
}

describe('runMain (npm run mock-llm)', () => {
  it('prints the URLs and a config snippet LocalAgent accepts, serves the demo models, and stops on SIGINT', async () => {
    const main = run(['--port', '0']);
    const server = await main.listening;
    const out = main.out();
    expect(out).toContain(`listening on ${server.url}`);
    expect(out).toContain(server.openaiBaseUrl);
    expect(out).toContain(server.geminiBaseUrl);
    expect(out).toContain('Key: not required');

    const snippet = out.slice(out.indexOf('providers:'), out.indexOf('Press Ctrl-C'));
    const config = configSchema.parse(parse(snippet));
    expect(config.providers.mock).toEqual({ type: 'openai-compatible', base_url: server.openaiBaseUrl, requires_key: false });
    expect(config.providers['mock-anthropic']).toEqual({ type: 'anthropic', base_url: server.anthropicBaseUrl, requires_key: false });
    expect(config.models.map((m) => m.id)).toEqual(['mock-fast', 'mock-slow', 'mock-flaky', 'mock-claude']);

    const mock = createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl });
    expect((await generateText({ model: mock.chatModel('mock-fast'), prompt: 'fast echo', maxRetries: 0 })).text).toBe('fast echo');
    const flaky: (number | string)[] = [];
    for (let i = 0; i < 3; i += 1) {
      flaky.push(
        await generateText({ model: mock.chatModel('mock-flaky'), prompt: 'x', maxRetries: 0 }).then(
          () => 'ok',
          (error: unknown) => (error as APICallError).statusCode ?? -1,
        ),
      );
    }
    expect(flaky).toEqual([500, 500, 'ok']);
    const anthropic = createAnthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'unused' });
    expect((await generateText({ model: anthropic('mock-fast'), prompt: 'via anthropic', maxRetries: 0 })).text).toBe('via anthropic');

    main.stop('SIGTERM');
    expect(await main.exit).toBe(0);
    expect(main.err()).toContain('Received SIGTERM');
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });

  it('enforces --require-key and leaves requires_key to its default in the snippet', async () => {
    const main = run(['--port', '0', '--require-key', 'demo-key']);
    const server = await main.listening;
    const out = main.out();
    expect(out).toContain('Key: required');
    expect(out).not.toContain('demo-key');
    expect(out).toContain('LOCALAGENT_MOCK_API_KEY=<key>');
    const config = configSchema.parse(parse(out.slice(out.indexOf('providers:'), out.indexOf('# Then'))));
    expect(config.providers.mock?.requires_key).toBeUndefined();
    const denied = await fetch(`${server.openaiBaseUrl}/models`, { headers: { authorization: 'Bearer other' } });
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${server.openaiBaseUrl}/models`, { headers: { authorization: 'Bearer demo-key' } });
    expect(allowed.status).toBe(200);
    main.stop();
    expect(await main.exit).toBe(0);
  });

  it('loads a YAML script and lists its models in the snippet', async () => {
    const file = join(dir, 'script.yaml');
    await writeFile(file, 'models:\n  scripted:\n    reply: from the file\n  other: {}\n');
    const main = run(['--port', '0', '--script', file]);
    const server = await main.listening;
    expect(main.out()).toContain('Models: scripted, other;');
    const config = configSchema.parse(parse(main.out().slice(main.out().indexOf('providers:'), main.out().indexOf('Press Ctrl-C'))));
    expect(config.models.map((m) => m.id)).toEqual(['scripted', 'other', 'mock-claude']);
    const model = createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl }).chatModel('scripted');
    expect((await generateText({ model, prompt: 'x', maxRetries: 0 })).text).toBe('from the file');
    main.stop();
    expect(await main.exit).toBe(0);
  });

  it('lists a placeholder model when the script names none', async () => {
    const file = join(dir, 'default-only.json');
    await writeFile(file, JSON.stringify({ default: { reply: 'same for all' } }));
    const main = run(['--port', '0', '--script', file]);
    await main.listening;
    expect(main.out()).toContain('Models: (none listed)');
    expect(main.out()).toContain('model: mock\n');
    main.stop();
    expect(await main.exit).toBe(0);
  });

  it('reports script problems with file, line and column', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'models:\n  broken:\n    latency_ms: soon\n    fault:\n      kind: explode\n');
    const main = run(['--port', '0', '--script', file]);
    expect(await main.exit).toBe(1);
    expect(main.err()).toContain('error LA_INPUT_INVALID: The mock LLM script has 2 problems:');
    expect(main.err()).toContain(`${file}:3:17: models.broken.latency_ms:`);
    expect(main.err()).toContain(`${file}:5:13: models.broken.fault.kind:`);
    expect(main.err()).toContain('hint: ');

    const syntax = join(dir, 'syntax.yaml');
    await writeFile(syntax, 'models: [\n');
    const bad = run(['--script', syntax]);
    expect(await bad.exit).toBe(1);
    expect(bad.err()).toContain('error LA_YAML_SYNTAX');

    const missing = run(['--script', join(dir, 'absent.yaml')]);
    expect(await missing.exit).toBe(1);
    expect(missing.err()).toMatch(/absent\.yaml does not exist/);
  });

  it('answers usage errors with exit code 2', async () => {
    for (const argv of [['--nope'], ['--port', 'abc'], ['--port', '70000'], ['--require-key', ' '], ['extra']]) {
      const main = run(argv);
      expect(await main.exit, argv.join(' ')).toBe(2);
      expect(main.err(), argv.join(' ')).toMatch(/^error LA_USAGE: /);
    }
  });

  it('prints help', async () => {
    const main = run(['--help']);
    expect(await main.exit).toBe(0);
    expect(main.out()).toContain(`default ${DEFAULT_PORT}`);
    expect(main.out()).toContain('--require-key KEY');
  });

  it('exits 1 when the port is taken', async () => {
    const other = await startMockLlm();
    try {
      const main = run(['--port', String(other.port)]);
      expect(await main.exit).toBe(1);
      expect(main.err()).toContain('already in use');
    } finally {
      await other.close();
    }
  });
});
