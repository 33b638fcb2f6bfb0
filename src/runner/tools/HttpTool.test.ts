import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRequiredError, NetworkError, PolicyDeniedError, TimeoutError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { CedarPolicy } from '../../security/policy/index.js';
import { HttpTool } from './index.js';
import { FixedPolicy, failure, toolContext } from './test-support/toolContext.js';

type HttpTask = Extract<AltTask, { kind: 'http' }>;

function task(url: string, extra: Partial<HttpTask> = {}): HttpTask {
  return { id: 't', kind: 'http', method: 'GET', url, ...extra };
}

/** A real server on loopback; routes are chosen by path. */
function handler(seen: { headers: IncomingMessage['headers']; method: string; url: string }[]) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push({ headers: request.headers, method: request.method ?? '', url: request.url ?? '' });
    const url = new URL(request.url ?? '/', 'http://x');
    const port = (request.socket.localPort ?? 0).toString();
    switch (url.pathname) {
      case '/json':
        response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'X-Custom': 'Yes' }).end(JSON.stringify({ items: [{ title: 'one' }] }));
        return;
      case '/problem':
        response.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"title":"not here"}');
        return;
      case '/bad-json':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
        return;
      case '/text':
        response.writeHead(200, { 'content-type': 'text/plain' }).end('plain text');
        return;
      case '/echo':
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: request.method, type: request.headers['content-type'] ?? null, body }));
        return;
      case '/big':
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10000' }).end('x'.repeat(10_000));
        return;
      case '/big-chunked':
        response.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 20; i += 1) response.write('y'.repeat(1000));
        response.end();
        return;
      case '/hang':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('partial');
        return; // never ends
      case '/to-other-host':
        response.writeHead(302, { location: 'http://example.test/landing' }).end();
        return;
      case '/to-localhost':
        response.writeHead(307, { location: `http://localhost:${port}/echo` }).end();
        return;
      case '/same-origin':
        response.writeHead(301, { location: '/json' }).end();
        return;
      case '/see-other':
        response.writeHead(303, { location: '/echo' }).end();
        return;
      case '/loop':
        response.writeHead(302, { location: '/loop' }).end();
        return;
      default:
        response.writeHead(500).end('unexpected');
    }
  };
}

describe('HttpTool', () => {
  let server: Server;
  let base: string;
  const seen: { headers: IncomingMessage['headers']; method: string; url: string }[] = [];
  const tool = new HttpTool();
  const ws = tmpdir();

  beforeAll(async () => {
    server = createServer((request, response) => void handler(seen)(request, response));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });


  it('returns status, lower-case headers and a parsed JSON body', async () => {
    const output = await tool.run(task(`${base}/json`), toolContext(ws));
    expect(output.status).toBe(200);
    expect(output.headers['x-custom']).toBe('Yes');
    expect(output.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(output.body).toEqual({ items: [{ title: 'one' }] });
  });

  it('returns text bodies as text, and 4xx responses as results', async () => {
    expect((await tool.run(task(`${base}/text`), toolContext(ws))).body).toBe('plain text');
    expect((await tool.run(task(`${base}/bad-json`), toolContext(ws))).body).toBe('{not json');
    expect(await tool.run(task(`${base}/problem`), toolContext(ws))).toMatchObject({ status: 404, body: { title: 'not here' } });
    expect((await tool.run(task(`${base}/json`, { method: 'HEAD' }), toolContext(ws))).body).toBe('');
  });

  it('sends JSON values as JSON and text as is', async () => {
    const json = await tool.run(task(`${base}/echo`, { method: 'POST', body: { a: [1, 2] } }), toolContext(ws));
    expect(json.body).toEqual({ method: 'POST', type: 'application/json', body: '{"a":[1,2]}' });
    const text = await tool.run(task(`${base}/echo`, { method: 'PUT', body: 'raw', headers: { 'Content-Type': 'text/csv' } }), toolContext(ws));
    expect(text.body).toEqual({ method: 'PUT', type: 'text/csv', body: 'raw' });
    const keep = await tool.run(task(`${base}/echo`, { method: 'PATCH', body: [1], headers: { 'content-type': 'application/merge-patch+json' } }), toolContext(ws));
    expect(keep.body).toMatchObject({ type: 'application/merge-patch+json', body: '[1]' });
    expect((await failure(tool.run(task(`${base}/echo`, { body: 'x' }), toolContext(ws)))).code).toBe('LA_INPUT_INVALID');
  });

  it('refuses bodies over the size cap, announced or streamed', async () => {
    const limits = { maxOutputBytes: 1000, maxReadBytes: 5000, defaultTimeoutMs: 5000 };
    const announced = await failure(tool.run(task(`${base}/big`), toolContext(ws, { limits })));
    expect(announced).toMatchObject({ code: 'LA_HTTP_TOO_LARGE', category: 'permanent', details: { limit: 5000, content_length: 10_000 } });
    const streamed = await failure(tool.run(task(`${base}/big-chunked`), toolContext(ws, { limits })));
    expect(streamed.code).toBe('LA_HTTP_TOO_LARGE');
  });

  it('stops at the task timeout, body included', async () => {
    const error = await failure(tool.run(task(`${base}/hang`, { timeout: '300ms' }), toolContext(ws)));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'LA_TASK_TIMEOUT', details: { timeout_ms: 300 } });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const running = tool.run(task(`${base}/hang`), toolContext(ws, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect((await failure(running)).code).toBe('LA_CANCELLED');
    const aborted = new AbortController();
    aborted.abort();
    expect((await failure(tool.run(task(`${base}/json`), toolContext(ws, { signal: aborted.signal })))).code).toBe('LA_CANCELLED');
  });

  describe('policy', () => {
    const policy = new CedarPolicy();

    it('needs approval for a host that is not allowlisted, before any request', async () => {
      const error = await failure(tool.run(task('https://example.test/x'), toolContext(ws, { policy })));
      expect(error).toBeInstanceOf(ApprovalRequiredError);
      expect(error.details).toMatchObject({ action: 'http.request', resource: 'https://example.test/x', rules: ['http.approve.host'] });
    });

    it('asks the policy again when a redirect leads to another host', async () => {
      const error = await failure(tool.run(task(`${base}/to-other-host`), toolContext(ws, { policy })));
      expect(error).toBeInstanceOf(ApprovalRequiredError);
      expect(error.details).toMatchObject({ resource: 'http://example.test/landing', rules: ['http.approve.host'] });
      const denied = await failure(tool.run(task(`${base}/to-other-host`), toolContext(ws, { policy: new DenyHost('example.test') })));
      expect(denied).toBeInstanceOf(PolicyDeniedError);
    });

    it('drops credentials on a redirect to another origin and keeps the method and body on 307', async () => {
      const recording = new FixedPolicy('allow');
      seen.length = 0;
      const output = await tool.run(
        task(`${base}/to-localhost`, { method: 'POST', body: { n: 1 }, headers: { Authorization: 'Bearer secret', 'X-Trace': 't' } }),
        toolContext(ws, { policy: recording }),
      );
      expect(output.body).toEqual({ method: 'POST', type: 'application/json', body: '{"n":1}' });
      expect(recording.requests.map((r) => r.resource)).toEqual([`${base}/to-localhost`, expect.stringMatching(/^http:\/\/localhost:\d+\/echo$/)]);
      expect(recording.requests[1]?.context.redirected_from).toBe(`${base}/to-localhost`);
      expect(seen[0]?.headers.authorization).toBe('Bearer secret');
      expect(seen[1]?.headers.authorization).toBeUndefined();
      expect(seen[1]?.headers['x-trace']).toBe('t');
    });

    it('follows same-origin redirects without asking again, 303 as GET, and gives up on loops', async () => {
      const recording = new FixedPolicy('allow');
      expect((await tool.run(task(`${base}/same-origin`), toolContext(ws, { policy: recording }))).body).toEqual({ items: [{ title: 'one' }] });
      expect(recording.requests).toHaveLength(1);
      const seeOther = await tool.run(task(`${base}/see-other`, { method: 'POST', body: 'x' }), toolContext(ws));
      expect(seeOther.body).toEqual({ method: 'GET', type: null, body: '' });
      const loop = await failure(new HttpTool({ maxRedirects: 2 }).run(task(`${base}/loop`), toolContext(ws)));
      expect(loop).toBeInstanceOf(NetworkError);
      expect(loop.message).toContain('more than 2 times');
    });
  });

  it('refuses URLs that are not http or https, and reports unreachable servers as network errors', async () => {
    expect((await failure(tool.run(task('file:///etc/passwd'), toolContext(ws)))).code).toBe('LA_INPUT_INVALID');
    expect((await failure(tool.run(task('not a url'), toolContext(ws)))).code).toBe('LA_INPUT_INVALID');
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const error = await failure(tool.run(task(`http://127.0.0.1:${port}/`), toolContext(ws)));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'LA_NETWORK', category: 'transient' });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('describes failures of a fetch that throws oddly', async () => {
    const odd = new HttpTool({ fetch: () => Promise.reject(new Error('no route')) });
    expect((await failure(odd.run(task(`${base}/json`), toolContext(ws)))).message).toContain('no route');
    const stranger = new HttpTool({ fetch: () => Promise.reject('plain string' as unknown as Error) });
    expect((await failure(stranger.run(task(`${base}/json`), toolContext(ws)))).message).toContain('plain string');
  });
});

/** Denies requests to one host, allows the rest. */
class DenyHost extends FixedPolicy {
  constructor(private readonly host: string) {
    super('allow');
  }

  override async decide(request: Parameters<FixedPolicy['decide']>[0]): ReturnType<FixedPolicy['decide']> {
    const decision = await super.decide(request);
    return new URL(request.resource).hostname === this.host ? { effect: 'deny', reason: 'blocked host', rules: ['test.deny-host'] } : decision;
  }
}
