import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Statuses whose responses have no body (a `Response` refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

export interface KeepAliveFetch {
  fetch: typeof globalThis.fetch;
  /** Closes the pooled connections. */
  close(): void;
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const status = res.statusCode ?? 502;
  if (NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers });
}

/**
 * A `fetch` for calls to model providers over `node:http(s)` with pooled keep-alive connections:
 * about twice the throughput of Node 20's built-in fetch for the small JSON requests and
 * server-sent-event answers providers exchange. It sends what it is given (no automatic
 * compression, no redirects followed: provider APIs use neither); a request it does not handle
 * (a `Request` object, a streamed body) goes to the built-in fetch.
 */
export function createKeepAliveFetch(options: { maxSockets?: number } = {}): KeepAliveFetch {
  const maxSockets = options.maxSockets ?? 256;
  const http = new HttpAgent({ keepAlive: true, maxSockets, timeout: 60_000 });
  const https = new HttpsAgent({ keepAlive: true, maxSockets, timeout: 60_000 });

  const fetch: typeof globalThis.fetch = (input, init = {}) => {
    const body = init.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!(typeof input === 'string' || input instanceof URL) || !simpleBody) return globalThis.fetch(input, init);
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return globalThis.fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: init.method ?? 'GET', headers, agent: url.protocol === 'https:' ? https : http, ...(init.signal ? { signal: init.signal } : {}) }, (res) => resolve(toResponse(res)));
      req.on('error', (error) => reject(init.signal?.aborted ? (init.signal.reason ?? error) : new TypeError('fetch failed', { cause: error })));
      req.end(body ?? undefined);
    });
  };

  return {
    fetch,
    close: () => {
      http.destroy();
      https.destroy();
    },
  };
}
