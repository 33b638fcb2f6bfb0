import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request bodies larger than this are refused with 413 (real providers cap bodies too). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Thrown when the client went away or the server is closing; handlers stop quietly on it. */
export class Aborted extends Error {
  constructor() {
    super('The request was aborted.');
    this.name = 'Aborted';
  }
}

/** Waits `ms`, or rejects with `Aborted` as soon as `signal` fires (so close() never waits on a timer). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Aborted());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves never; rejects with `Aborted` when `signal` fires. The `hang` fault. */
export function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(new Aborted());
    else signal.addEventListener('abort', () => reject(new Aborted()), { once: true });
  });
}

/** Reads the whole body, or `'too_large'` past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return 'too_large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Sends a complete JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Sends already serialised JSON (or, for the `malformed_json` fault, text that claims to be). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Writes, waiting for `drain` when the socket's buffer is full (1,000 slow readers must not balloon memory). */
export async function write(res: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new Aborted();
  if (text.length === 0) return;
  if (!res.write(text)) {
    try {
      await once(res, 'drain', { signal });
    } catch {
      throw new Aborted();
    }
  }
}

/** Writes and waits until the bytes are handed to the kernel, so destroying the socket next cannot drop them. */
export function writeFlushed(res: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Aborted());
  // Raced with the signal: a write callback may never run once the socket is gone.
  return Promise.race([new Promise<void>((resolve) => res.write(text, () => resolve())), waitForAbort(signal)]);
}
