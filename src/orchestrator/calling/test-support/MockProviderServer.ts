import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A small stand-in model provider on 127.0.0.1 for this folder's tests: it speaks just enough of
 * OpenAI chat completions, Anthropic messages and Gemini generateContent (JSON and SSE, with usage)
 * and can be told to fail in the ways real providers do. The full scriptable mock lives in
 * src/devtools/mock-llm; this one stays small on purpose so these tests do not depend on it.
 */

/** What the server does with one model request. */
export type Step =
  /** Answer `text` (streamed as `chunks` when given), reporting `usage`. */
  | {
      kind: 'text';
      text?: string;
      chunks?: string[];
      usage?: { input: number; output: number } | null;
      /** Wait before the response headers. */
      delayMs?: number;
      /** Wait between streamed chunks. */
      chunkDelayMs?: number;
    }
  /** Answer an HTTP error with a provider-shaped body (or `body`). */
  | { kind: 'status'; status: number; message?: string; code?: string; body?: unknown; headers?: Record<string, string> }
  /** Answer an error whose body echoes the credentials the request carried (a badly behaved server). */
  | { kind: 'echo-auth'; status: number }
  /** Read the request and never answer (until the client goes away). */
  | { kind: 'hang' }
  /** Send 200 and stream headers, then nothing. */
  | { kind: 'hang-after-headers' }
  /** Destroy the connection without answering. */
  | { kind: 'reset' }
  /** Stream `chunks`, then destroy the connection. */
  | { kind: 'reset-mid-stream'; chunks: string[] }
  /** Stream `chunks`, then an in-stream error event (Anthropic's `event: error`, OpenAI's `{ error }` chunk). */
  | { kind: 'error-mid-stream'; chunks: string[]; type: string; message: string };

export type Protocol = 'openai' | 'anthropic' | 'gemini';

export interface SeenRequest {
  method: string;
  path: string;
  protocol: Protocol | 'tags' | 'other';
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  stream: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class MockProviderServer {
  readonly requests: SeenRequest[] = [];
  /** Model requests being answered right now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Ollama's `/api/tags` model names; `null` answers 404. */
  tags: string[] | null = null;
  private readonly queue: Step[] = [];
  private fallback: Step = { kind: 'text', text: 'ok' };
  private readonly sockets = new Set<Socket>();
  /** Bumped by `reset`, so requests of an earlier test that end late do not change this test's counters. */
  private generation = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<MockProviderServer> {
    const holder: { instance?: MockProviderServer } = {};
    const server = createServer((req, res) => {
      void holder.instance?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.instance = new MockProviderServer(server, `http://127.0.0.1:${port}`);
    return holder.instance;
  }

  /** Steps for the next model requests, in order; afterwards the default step answers. */
  enqueue(...steps: Step[]): this {
    this.queue.push(...steps);
    return this;
  }

  /** The step used when the queue is empty. */
  setDefault(step: Step): this {
    this.fallback = step;
    return this;
  }

  /** Forgets requests, queued steps and counters between tests. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.fallback = { kind: 'text', text: 'ok' };
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.tags = null;
    this.generation += 1;
  }

  /** Model requests seen (not `/api/tags`). */
  get modelRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.protocol !== 'tags');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const protocol = protocolOf(path);
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const stream = protocol === 'gemini' ? path.includes(':streamGenerateContent') : body['stream'] === true;
    this.requests.push({ method: req.method ?? 'GET', path, protocol, headers: req.headers, body, stream });

    if (protocol === 'tags') {
      if (this.tags === null) return void res.writeHead(404).end('not found');
      return void json(res, 200, { models: this.tags.map((name) => ({ name, model: name, size: 1 })) });
    }
    if (protocol === 'other') return void json(res, 404, { error: 'not found' });

    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const generation = this.generation;
    res.on('close', () => {
      if (generation === this.generation) this.inFlight -= 1;
    });
    const step = this.queue.shift() ?? this.fallback;
    await this.answer(step, protocol, stream, req, res);
  }

  private async answer(step: Step, protocol: Protocol, stream: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (step.kind) {
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang-after-headers':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        return;
      case 'status': {
        const body = step.body ?? errorBody(protocol, step.status, step.message ?? `status ${step.status}`, step.code);
        return void json(res, step.status, body, step.headers);
      }
      case 'echo-auth': {
        const credentials = [req.headers.authorization, req.headers['x-api-key'], req.headers['x-goog-api-key']].filter(Boolean).join(' ');
        return void json(res, step.status, errorBody(protocol, step.status, `Incorrect API key provided: ${credentials}`, 'invalid_api_key'));
      }
      case 'reset-mid-stream': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of streamEvents(protocol, step.chunks, null, false)) res.write(event);
        await sleep(20);
        req.socket.destroy();
        return;
      }
      case 'error-mid-stream': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of streamEvents(protocol, step.chunks, null, false)) res.write(event);
        const error = { type: step.type, message: step.message };
        res.end(protocol === 'anthropic' ? sse({ type: 'error', error }, 'error') : sse({ error }));
        return;
      }
      case 'text': {
        if (step.delayMs) await sleep(step.delayMs);
        if (res.destroyed) return;
        const text = step.text ?? step.chunks?.join('') ?? 'ok';
        const usage = step.usage === undefined ? { input: 10, output: 5 } : step.usage;
        if (!stream) return void json(res, 200, completeBody(protocol, text, usage));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const events = streamEvents(protocol, step.chunks ?? [text], usage, true);
        for (const event of events) {
          if (res.destroyed) return;
          res.write(event);
          if (step.chunkDelayMs) await sleep(step.chunkDelayMs);
        }
        res.end();
        return;
      }
    }
  }
}

function protocolOf(path: string): SeenRequest['protocol'] {
  if (path.startsWith('/api/tags')) return 'tags';
  if (path.endsWith('/chat/completions')) return 'openai';
  if (path.endsWith('/messages')) return 'anthropic';
  if (path.includes(':generateContent') || path.includes(':streamGenerateContent')) return 'gemini';
  return 'other';
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** The error body each API sends, so the SDK's error parsing sees what it sees in production. */
export function errorBody(protocol: Protocol, status: number, message: string, code?: string): unknown {
  switch (protocol) {
    case 'openai':
      return { error: { message, type: status === 429 ? 'rate_limit_error' : 'invalid_request_error', param: null, code: code ?? null } };
    case 'anthropic':
      return { type: 'error', error: { type: code ?? (status === 529 ? 'overloaded_error' : 'invalid_request_error'), message } };
    case 'gemini':
      return { error: { code: status, message, status: code ?? 'INVALID_ARGUMENT' } };
  }
}

type Usage = { input: number; output: number } | null;

function completeBody(protocol: Protocol, text: string, usage: Usage): unknown {
  switch (protocol) {
    case 'openai':
      return {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'mock',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        ...(usage ? { usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } } : {}),
      };
    case 'anthropic':
      return {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'mock',
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: usage?.input ?? 0, output_tokens: usage?.output ?? 0 },
      };
    case 'gemini':
      return {
        candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
        ...(usage ? { usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output } } : {}),
      };
  }
}

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function streamEvents(protocol: Protocol, chunks: string[], usage: Usage, finish: boolean): string[] {
  switch (protocol) {
    case 'openai': {
      const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'mock' };
      const out = chunks.map((content, i) =>
        sse({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content } : { content }, finish_reason: null }] }),
      );
      if (!finish) return out;
      out.push(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      if (usage) {
        out.push(sse({ ...base, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }));
      }
      out.push('data: [DONE]\n\n');
      return out;
    }
    case 'anthropic': {
      const out = [
        sse(
          {
            type: 'message_start',
            message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'mock', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage?.input ?? 0, output_tokens: 1 } },
          },
          'message_start',
        ),
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        ...chunks.map((text) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta')),
      ];
      if (!finish) return out;
      out.push(
        sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
        sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage?.output ?? 0 } }, 'message_delta'),
        sse({ type: 'message_stop' }, 'message_stop'),
      );
      return out;
    }
    case 'gemini': {
      const out = chunks.map((text) => sse({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0 }] }));
      if (!finish) return out;
      out.push(
        sse({
          candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
          ...(usage ? { usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output } } : {}),
        }),
      );
      return out;
    }
  }
}
