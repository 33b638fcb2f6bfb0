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

function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

/** A response whose body is read as it arrives: server-sent events, and statuses without a body. */
function streamedResponse(res: IncomingMessage): Response {
  const headers = headersOf(res);
  const status = res.statusCode ?? 502;
  if (NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers });
}

/**
 * Any other answer (a provider's JSON) is read whole first and handed over as bytes: a `Response`
 * over a web stream costs more CPU than the rest of the client for these small bodies (the stream
 * machinery and one promise per chunk), and the caller reads the whole body at once anyway.
 */
function readWhole(res: IncomingMessage, resolve: (response: Response) => void, reject: (error: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.once('error', reject);
  // A connection that ends before the body does must not leave the call waiting forever.
  res.once('close', () => {
    if (!res.complete) reject(new Error('the connection closed before the whole answer arrived'));
  });
  res.once('end', () => {
    resolve(new Response(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), { status: res.statusCode ?? 502, statusText: res.statusMessage, headers: headersOf(res) }));
  });
}

/**
 * A `fetch` for calls to model providers over `node:http(s)` with pooled keep-alive connections:
 * about twice the throughput of Node 20's built-in fetch for the small JSON requests and
 * server-sent-event answers providers exchange. It sends what it is given (no automatic
 * compression, no redirects followed: provider APIs use neither). An event stream is handed over as
 * it arrives; any other body once it is complete. A request it does not handle
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
      const failed = (error: unknown): void => reject(init.signal?.aborted ? (init.signal.reason ?? error) : new TypeError('fetch failed', { cause: error }));
      const req = send(url, { method: init.method ?? 'GET', headers, agent: url.protocol === 'https:' ? https : http, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
        // A `Response` throws on a status outside 200–599 (from a broken or hostile server): that
        // must be this call's failure, not an exception that takes the process down.
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 599) {
          res.destroy();
          failed(new Error(`the server answered with HTTP status ${status}, which is not a valid final status`));
          return;
        }
        const streamed = NULL_BODY.has(res.statusCode ?? 502) || (res.headers['content-type'] ?? '').includes('text/event-stream');
        if (streamed) resolve(streamedResponse(res));
        else readWhole(res, resolve, failed);
      });
      req.on('error', failed);
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
