import { LocalAgentError, NetworkError, UserInputError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { TOOL_ERROR_CODES, abortError, durationToMs, taskTimeout, throwIfAborted } from './toolErrors.js';

export interface HttpToolOptions {
  /** Most redirects followed (each one checked by the policy when it changes origin). Default 5. */
  maxRedirects?: number;
  /** The fetch implementation; tests and the composition root may pass another. Default: global fetch. */
  fetch?: typeof fetch;
  onDecision?: DecisionListener;
}

export interface HttpOutput {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed when the response is JSON (`application/json`, `…+json`), text otherwise. */
  body: unknown;
}

type HttpTask = Extract<AltTask, { kind: 'http' }>;

/** Credentials a redirect to another origin must not carry along (what browsers drop too). */
const CROSS_ORIGIN_DROPPED_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * One HTTP request. The URL (and every redirect to another origin) is decided by the policy
 * (`http.request`); the whole exchange, body included, is bounded by the task's timeout; the body
 * is streamed and refused past `limits.maxReadBytes` (`LA_HTTP_TOO_LARGE`). A status code is a
 * result, not a failure: 4xx and 5xx responses are returned like any other.
 */
export class HttpTool implements Tool<'http'> {
  readonly kind = 'http' as const;
  private readonly maxRedirects: number;
  private readonly fetchImpl: typeof fetch;
  private readonly onDecision: DecisionListener | undefined;

  constructor(options: HttpToolOptions = {}) {
    this.maxRedirects = options.maxRedirects ?? 5;
    this.fetchImpl = options.fetch ?? fetch;
    this.onDecision = options.onDecision;
  }

  async run(task: HttpTask, context: ToolContext): Promise<HttpOutput> {
    let url = parseHttpUrl(task.url);
    const what = `The request to ${url.host}`;
    throwIfAborted(context.signal, what);
    let method = task.method ?? 'GET';
    const headers = lowerCaseHeaders(task.headers ?? {});
    let body = encodeBody(task.body, headers);
    if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
      throw new UserInputError({ message: `A ${method} request cannot have a body.`, details: { method } });
    }
    await enforcePolicy(context, 'http.request', url.href, { method, host: url.hostname }, this.onDecision);

    const timeoutMs = durationToMs(task.timeout) ?? context.limits.defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([context.signal, deadline]);
    const stopped = (): LocalAgentError => (deadline.aborted && !context.signal.aborted ? taskTimeout(what, timeoutMs) : abortError(context.signal, what));

    try {
      for (let redirects = 0; ; redirects += 1) {
        const response = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal });
        const location = response.headers.get('location');
        if (response.status < 300 || response.status > 399 || location === null) {
          const text = await readBodyCapped(response, context.limits.maxReadBytes, url);
          return { status: response.status, headers: headersObject(response.headers), body: parseBody(text, response.headers.get('content-type')) };
        }
        await response.body?.cancel();
        if (redirects >= this.maxRedirects) {
          throw new NetworkError({ code: 'LA_NETWORK', category: 'permanent', message: `${what} was redirected more than ${this.maxRedirects} times.`, details: { url: url.href } });
        }
        const next = parseHttpUrl(new URL(location, url).href);
        if (next.origin !== url.origin) {
          // A new origin is a new request as far as the policy is concerned; credentials stay behind.
          await enforcePolicy(context, 'http.request', next.href, { method, host: next.hostname, redirected_from: url.href }, this.onDecision);
          for (const name of CROSS_ORIGIN_DROPPED_HEADERS) delete headers[name];
        }
        // 303 always, and 301/302 after POST, continue as GET without a body (as browsers do).
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        url = next;
      }
    } catch (error) {
      if (signal.aborted) throw stopped();
      if (error instanceof LocalAgentError) throw error;
      throw new NetworkError({
        message: `${what} failed: ${describeFetchError(error)}`,
        details: { url: url.href },
        cause: error,
      });
    }
  }
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserInputError({ message: `"${text}" is not a valid URL.`, suggestion: 'Write an absolute http:// or https:// URL.', details: { url: text } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserInputError({ message: `Only http and https URLs can be requested, not "${url.protocol}".`, suggestion: 'Use an http:// or https:// URL; read files with an fs task.', details: { url: text } });
  }
  return url;
}

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Text as is; any other JSON value as JSON with a JSON content type unless one is set. */
function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

/** Streams the body, stopping at the cap: a large response is refused without being held. */
async function readBodyCapped(response: Response, limit: number, url: URL): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw tooLarge(url, limit, declared);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(url, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(url: URL, limit: number, declared?: number): UserInputError {
  return new UserInputError({
    code: TOOL_ERROR_CODES.httpTooLarge,
    category: 'permanent',
    message: `The response from ${url.host} is larger than ${limit} bytes${declared !== undefined ? ` (${declared} announced)` : ''}; it was not read.`,
    suggestion: 'Ask the server for less (paging, filters, a range), or raise the runner\'s maxReadBytes limit.',
    details: { url: url.href, limit, ...(declared !== undefined ? { content_length: declared } : {}) },
  });
}

function parseBody(text: string, contentType: string | null): unknown {
  if (contentType === null || !isJsonMediaType(contentType) || text.trim() === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A server that says JSON and sends something else: the text is still worth having.
    return text;
  }
}

/** `application/json`, `application/problem+json; charset=utf-8`… */
function isJsonMediaType(contentType: string): boolean {
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

function headersObject(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    result[name] = value;
  });
  return result;
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error) return `${error.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`;
    return error.message;
  }
  return String(error);
}
