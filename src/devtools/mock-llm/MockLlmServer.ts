import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserInputError } from '../../core/errors/index.js';
import { parseMockScript, type MockScript, type ResolvedMockScript } from './MockScript.js';
import { MockState } from './MockState.js';
import type { RecordedRequest } from './RecordedRequest.js';
import { Aborted, sendJson } from './http.js';
import { handleRequest } from './router.js';

/** How to start a mock server. */
export interface MockLlmOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Only loopback: the mock has no real auth and must never be reachable from the network. */
  host?: '127.0.0.1';
  /** Behaviour per model; default: every model echoes. */
  script?: MockScript;
  /** When set, requests must present this key the provider's way, or get that provider's 401. */
  requireKey?: string;
}

/** A running mock server. */
export interface MockLlmServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Base URL for `@ai-sdk/openai` and `@ai-sdk/openai-compatible`: `url + '/v1'`. */
  readonly openaiBaseUrl: string;
  /** Base URL for `@ai-sdk/anthropic` (which appends `/messages`): `url + '/v1'`. */
  readonly anthropicBaseUrl: string;
  /** Base URL for `@ai-sdk/google`: `url + '/v1beta'`. */
  readonly geminiBaseUrl: string;
  /** A copy of the request log, oldest first (control API calls are not logged). */
  readonly requests: RecordedRequest[];
  /** The script in force, defaults filled in. */
  readonly script: ResolvedMockScript;
  /** Replaces the script (validated; throws `LA_INPUT_INVALID`) and restarts the per-model call counters. */
  setScript(script: MockScript): void;
  /** Clears the request log and the per-model call counters. */
  reset(): void;
  /** Stops listening, aborts every request in flight (hung ones too) and closes keep-alive sockets. Idempotent. */
  close(): Promise<void>;
}

/** Pending connections the kernel queues while the server accepts; high so a burst of 1,000 clients is not refused. */
const LISTEN_BACKLOG = 4096;

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

function internalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.socket?.destroy();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 500, { error: { message: `mock-llm internal error: ${message}`, type: 'server_error', param: null, code: null } });
}

/**
 * Starts an HTTP server on 127.0.0.1 that speaks the OpenAI (Chat Completions and Responses),
 * Anthropic Messages and Gemini APIs, answering as its script says. For tests and keyless demos.
 */
export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlmServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') {
    throw new UserInputError({ message: `The mock LLM server listens on 127.0.0.1 only, not ${String(host)}.`, details: { host } });
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UserInputError({ message: `The port must be a whole number from 0 to 65535, not ${port}.`, details: { port } });
  }
  const state = new MockState(parseMockScript(options.script ?? {}), options.requireKey);
  const inFlight = new Set<InFlight>();
  let baseUrl = `http://${host}:${port}`;

  const server = createServer({ noDelay: true }, (req, res) => {
    const controller = new AbortController();
    // 'close' also fires after a normal finish; aborting then is harmless and frees the listeners.
    res.on('close', () => controller.abort());
    // Writes racing a destroyed socket emit errors that carry nothing the test needs.
    res.on('error', () => undefined);
    const entry: InFlight = {
      controller,
      done: handleRequest(state, req, res, controller.signal, baseUrl)
        .catch((error: unknown) => {
          if (error instanceof Aborted || controller.signal.aborted) return;
          internalError(res, error);
        })
        .finally(() => inFlight.delete(entry)),
    };
    inFlight.add(entry);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new UserInputError({
          message:
            error.code === 'EADDRINUSE'
              ? `Port ${port} on ${host} is already in use.`
              : `The mock LLM server cannot listen on ${host}:${port}: ${error.message}`,
          suggestion: 'Pick another port with --port (0 picks a free one), or stop what is using it.',
          cause: error,
          details: { host, port },
        }),
      );
    };
    server.once('error', onError);
    server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const actualPort = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${actualPort}`;
  let closing: Promise<void> | undefined;

  return {
    url: baseUrl,
    port: actualPort,
    openaiBaseUrl: `${baseUrl}/v1`,
    anthropicBaseUrl: `${baseUrl}/v1`,
    geminiBaseUrl: `${baseUrl}/v1beta`,
    get requests() {
      return state.requests;
    },
    get script() {
      return state.script;
    },
    setScript: (script) => state.setScript(script),
    reset: () => state.reset(),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const entry of inFlight) entry.controller.abort();
        server.closeAllConnections();
        await Promise.allSettled([...inFlight].map((entry) => entry.done));
        await closed;
      })();
      return closing;
    },
  };
}
