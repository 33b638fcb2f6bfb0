import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAgentError } from '../core/errors/index.js';
import { isInconclusiveKeyCheck } from './errors.js';
import { KEYS } from './test-support/testHome.js';
import { validateKeyLive, type LiveCheckOptions } from './validateKeyLive.js';

const GOOD = KEYS.openai;
const BAD = KEYS.openai2;

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A stand-in model provider on loopback: answers like the real APIs do for good and bad keys. */
function startProvider(seen: Seen[]): Promise<Server> {
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const bearer = req.headers.authorization === `Bearer ${GOOD}`;
    switch (req.url) {
      case '/openai/v1/models':
      case '/or/key':
      case '/ollama/api/tags':
        return bearer ? json(200, { data: [] }) : json(401, { error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}` } });
      case '/anth/v1/models':
        if (!req.headers['anthropic-version']) return json(400, { error: 'missing version' });
        return req.headers['x-api-key'] === GOOD ? json(200, { data: [] }) : json(401, { error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      case '/gem/v1beta/models':
        return req.headers['x-goog-api-key'] === GOOD
          ? json(200, { models: [] })
          : json(400, { error: { status: 'INVALID_ARGUMENT', message: 'API key not valid.', details: [{ reason: 'API_KEY_INVALID' }] } });
      case '/forbidden/models':
        return json(403, { error: 'forbidden' });
      case '/limited/models':
        return json(429, { error: 'slow down' });
      case '/broken/models':
        return json(503, { error: 'down' });
      case '/teapot/models':
        return json(418, { error: 'teapot' });
      case '/plain400/models':
        return json(400, { error: 'bad request' });
      case '/redirect/models':
        res.writeHead(302, { location: 'http://127.0.0.2:9/steal' }).end();
        return;
      case '/slow/models':
        setTimeout(() => json(200, {}), 2000).unref();
        return;
      default:
        return json(404, { error: 'not found' });
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('validateKeyLive against a real HTTP server', () => {
  const seen: Seen[] = [];
  let server: Server;
  let base: string;
  let closedPort: number;

  beforeAll(async () => {
    server = await startProvider(seen);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const spare = await startProvider([]);
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const check = (options: Omit<LiveCheckOptions, 'key'> & { key?: string }): ReturnType<typeof validateKeyLive> =>
    validateKeyLive({ ...options, key: Buffer.from(options.key ?? GOOD) });

  const rejection = async (promise: Promise<unknown>): Promise<LocalAgentError> => {
    const error = await promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LocalAgentError);
    const e = error as LocalAgentError;
    // Nothing a provider or the network says may carry the key into our errors.
    for (const text of [e.message, e.suggestion, JSON.stringify(e.toJSON())]) {
      expect(text).not.toContain(GOOD);
      expect(text).not.toContain(BAD);
    }
    return e;
  };

  it('accepts a good OpenAI key with a Bearer GET {base}/models', async () => {
    await expect(check({ kind: 'openai', baseUrl: `${base}/openai/v1/` })).resolves.toEqual({ ok: true, status: 200, url: `${base}/openai/v1/models` });
    expect(seen.at(-1)).toMatchObject({ url: '/openai/v1/models', headers: { authorization: `Bearer ${GOOD}` } });
  });

  it('rejects a bad OpenAI key with LA_KEY_REJECTED (not inconclusive)', async () => {
    const error = await rejection(check({ kind: 'openai', baseUrl: `${base}/openai/v1`, key: BAD, provider: 'work-openai' }));
    expect(error).toMatchObject({ code: 'LA_KEY_REJECTED', category: 'user', details: { provider: 'work-openai', status: 401 } });
    expect(isInconclusiveKeyCheck(error)).toBe(false);
  });

  it('uses x-api-key and anthropic-version for Anthropic', async () => {
    await expect(check({ kind: 'anthropic', baseUrl: `${base}/anth` })).resolves.toMatchObject({ ok: true });
    expect(seen.at(-1)?.headers).toMatchObject({ 'x-api-key': GOOD, 'anthropic-version': '2023-06-01' });
    expect(seen.at(-1)?.headers.authorization).toBeUndefined();
    expect((await rejection(check({ kind: 'anthropic', baseUrl: `${base}/anth`, key: BAD }))).code).toBe('LA_KEY_REJECTED');
  });

  it('accepts a base URL that already ends in the API version, as provider config writes it', async () => {
    await expect(check({ kind: 'anthropic', baseUrl: `${base}/anth/v1` })).resolves.toMatchObject({ ok: true });
    expect(seen.at(-1)?.url).toBe('/anth/v1/models');
    await expect(check({ kind: 'gemini', baseUrl: `${base}/gem/v1beta/` })).resolves.toMatchObject({ ok: true });
    expect(seen.at(-1)?.url).toBe('/gem/v1beta/models');
    await expect(check({ kind: 'ollama', baseUrl: `${base}/ollama/v1` })).resolves.toMatchObject({ ok: true });
    expect(seen.at(-1)?.url).toBe('/ollama/api/tags');
  });

  it('sends the Gemini key in a header, never in the URL, and reads 400 API_KEY_INVALID as rejected', async () => {
    await expect(check({ kind: 'gemini', baseUrl: `${base}/gem` })).resolves.toMatchObject({ ok: true });
    expect(seen.at(-1)).toMatchObject({ url: '/gem/v1beta/models', headers: { 'x-goog-api-key': GOOD } });
    expect((await rejection(check({ kind: 'gemini', baseUrl: `${base}/gem`, key: BAD }))).code).toBe('LA_KEY_REJECTED');
    expect(seen.every((request) => !request.url.includes('key='))).toBe(true);
  });

  it("checks OpenRouter keys against its /key endpoint (its /models is public)", async () => {
    await expect(check({ kind: 'openrouter', baseUrl: `${base}/or` })).resolves.toMatchObject({ url: `${base}/or/key` });
    expect((await rejection(check({ kind: 'openrouter', baseUrl: `${base}/or`, key: BAD }))).code).toBe('LA_KEY_REJECTED');
  });

  it('checks a key for an Ollama behind a proxy on /api/tags', async () => {
    await expect(check({ kind: 'ollama', baseUrl: `${base}/ollama` })).resolves.toMatchObject({ url: `${base}/ollama/api/tags` });
    expect((await rejection(check({ kind: 'ollama', baseUrl: `${base}/ollama`, key: BAD }))).code).toBe('LA_KEY_REJECTED');
  });

  it('treats 403 as rejected', async () => {
    expect((await rejection(check({ kind: 'openai-compatible', baseUrl: `${base}/forbidden` }))).code).toBe('LA_KEY_REJECTED');
  });

  it.each([
    ['/limited', 429, 'rate limited'],
    ['/broken', 503, 'provider had an error'],
    ['/nowhere', 404, 'check the base URL'],
    ['/teapot', 418, 'unexpected'],
    ['/plain400', 400, 'unexpected'],
    ['/redirect', 302, 'redirects'],
  ])('reports %s (HTTP %i) as inconclusive, so the CLI may offer --force', async (path, status, why) => {
    const error = await rejection(check({ kind: 'openai-compatible', baseUrl: `${base}${path}`, provider: 'gw' }));
    expect(error).toMatchObject({ code: 'LA_KEY_CHECK_INCONCLUSIVE', details: { status, inconclusive: true } });
    expect(error.message).toContain(why);
    expect(isInconclusiveKeyCheck(error)).toBe(true);
  });

  it('does not follow a redirect, so the key never reaches another host', async () => {
    const before = seen.length;
    await rejection(check({ kind: 'openai-compatible', baseUrl: `${base}/redirect` }));
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/redirect/models']);
  });

  it('times out with LA_KEY_CHECK_TIMEOUT', async () => {
    const error = await rejection(check({ kind: 'openai', baseUrl: `${base}/slow`, timeoutMs: 150 }));
    expect(error).toMatchObject({ code: 'LA_KEY_CHECK_TIMEOUT', category: 'transient', details: { timeout_ms: 150 } });
    expect(isInconclusiveKeyCheck(error)).toBe(true);
  });

  it('reports an unreachable endpoint as LA_KEY_CHECK_NETWORK with the reason', async () => {
    const error = await rejection(check({ kind: 'openai', baseUrl: `http://127.0.0.1:${closedPort}/v1` }));
    expect(error).toMatchObject({ code: 'LA_KEY_CHECK_NETWORK', details: { reason: 'ECONNREFUSED' } });
    expect(isInconclusiveKeyCheck(error)).toBe(true);
  });

  it('uses the fetch it is given', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls += 1;
      return fetch(input, init);
    };
    await check({ kind: 'openai', baseUrl: `${base}/openai/v1`, fetch: counting });
    expect(calls).toBe(1);
  });

  it('reports a fetch failure without a cause by its message', async () => {
    const failing: typeof fetch = () => Promise.reject(new TypeError('no route'));
    expect(await rejection(check({ kind: 'openai', fetch: failing }))).toMatchObject({ code: 'LA_KEY_CHECK_NETWORK', details: { reason: 'no route' } });
  });

  it('needs a base URL for openai-compatible providers', async () => {
    expect(await rejection(check({ kind: 'openai-compatible', provider: 'gw' }))).toMatchObject({ code: 'LA_KEY_CHECK_BASE_URL' });
    expect(await rejection(check({ kind: 'openai', baseUrl: 'ftp://x' }))).toMatchObject({ code: 'LA_KEY_CHECK_BASE_URL' });
  });

  it('isInconclusiveKeyCheck is false for anything else', () => {
    expect(isInconclusiveKeyCheck(new Error('x'))).toBe(false);
    expect(isInconclusiveKeyCheck(undefined)).toBe(false);
  });
});
