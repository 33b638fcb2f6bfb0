import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from './createKeepAliveFetch.js';

let server: Server;
let base: string;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (req.url === '/empty') {
        res.writeHead(204).end();
        return;
      }
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 20);
        return;
      }
      if (req.url === '/hang') return;
      if (req.url === '/odd-status') {
        res.writeHead(600, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      if (req.url === '/slow-json' || req.url === '/half-json' || req.url === '/cut-json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"parts": ["one",');
        if (req.url === '/slow-json') setTimeout(() => res.end(' "two"]}'), 20);
        if (req.url === '/cut-json') setTimeout(() => res.destroy(), 20);
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null, length: req.headers['content-length'] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createKeepAliveFetch', () => {
  it('sends method, headers and body, answers like fetch, and reuses the connection', async () => {
    const { fetch, close } = createKeepAliveFetch();
    sockets.clear();
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${base}/echo`, { method: 'POST', headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('set-cookie')).toContain('a=1');
      expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer x', length: '7' });
    }
    expect(sockets.size).toBe(1);
    close();
  });

  it('streams a body as it arrives, and answers bodiless statuses', async () => {
    const { fetch, close } = createKeepAliveFetch();
    const response = await fetch(new URL(`${base}/stream`));
    expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
    const empty = await fetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    close();
  });

  it('hands over a JSON body whole, however it arrived, and stops reading one when aborted', async () => {
    const { fetch, close } = createKeepAliveFetch();
    expect(await (await fetch(`${base}/slow-json`)).json()).toEqual({ parts: ['one', 'two'] });
    const controller = new AbortController();
    const pending = fetch(`${base}/half-json`, { signal: controller.signal });
    const reason = new Error('enough');
    setTimeout(() => controller.abort(reason), 30);
    await expect(pending).rejects.toBe(reason);
    await expect(fetch(`${base}/cut-json`)).rejects.toThrow();
    // A status no Response can carry fails the call instead of crashing the process.
    await expect(fetch(`${base}/odd-status`)).rejects.toThrow(TypeError);
    close();
  });

  it('hands over an event stream as it arrives', async () => {
    const { fetch, close } = createKeepAliveFetch();
    const response = await fetch(`${base}/stream`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // The first event is readable while the server still holds back the second.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
    await reader.cancel();
    close();
  });

  it('aborts with the signal\'s reason, fails like fetch when nothing listens, and hands unusual requests to the built-in fetch', async () => {
    const { fetch, close } = createKeepAliveFetch();
    const controller = new AbortController();
    const pending = fetch(`${base}/hang`, { signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(fetch('http://127.0.0.1:1/')).rejects.toThrow(TypeError);
    const viaRequest = await fetch(new Request(`${base}/echo`, { method: 'PUT', body: 'x' }));
    expect(((await viaRequest.json()) as { method: string }).method).toBe('PUT');
    close();
  });
});
