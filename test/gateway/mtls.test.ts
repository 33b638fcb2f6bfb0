import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificates, type CertificateSet } from '../../src/gateway/tls/index.js';
import { useTempDirs } from '../support/tempDir.js';
import { startHarness, type Harness } from './support/gatewayHarness.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** HTTPS with client certificates: none refused, another CA's refused, ours accepted (its CN is the principal, its OU the role). */
let dir: string;
let otherDir: string;
let ours: CertificateSet;
let theirs: CertificateSet;
let h: Harness;
const tempDir = useTempDirs();

interface Answer {
  status: number;
  body: string;
}

async function get(path: string, client: { cert: Buffer; key: Buffer } | undefined, method = 'GET'): Promise<Answer> {
  const url = new URL(h.gateway.url);
  const ca = await readFile(ours.ca.certFile);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: url.hostname, port: url.port, path, method, ca, servername: 'localhost', ...(client ?? {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function clientFiles(set: CertificateSet, name: string): Promise<{ cert: Buffer; key: Buffer }> {
  const client = set.clients.find((c) => c.name === name)!;
  return { cert: await readFile(client.certFile), key: await readFile(client.keyFile) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'la-certs-'));
  otherDir = await mkdtemp(join(tmpdir(), 'la-certs-other-'));
  ours = await createCertificates({ dir, clients: [{ name: 'ci-bot', role: 'operator' }, { name: 'reader', role: 'viewer' }] });
  theirs = await createCertificates({ dir: otherDir, clients: [{ name: 'ci-bot', role: 'admin' }] });
  h = await startHarness({
    noTokens: true,
    gateway: { tls: { cert: await readFile(ours.server.certFile), key: await readFile(ours.server.keyFile), clientCa: await readFile(ours.ca.certFile) } },
  });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([rm(dir, { recursive: true, force: true }), rm(otherDir, { recursive: true, force: true })]);
});

describe('mTLS', () => {
  it('serves HTTPS', () => {
    expect(h.gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a client without a certificate', async () => {
    const error = (await get('/healthz', undefined).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    // The TLS handshake fails: no HTTP answer at all.
    expect(error.code).toMatch(/CERTIFICATE_REQUIRED|ECONNRESET|HANDSHAKE/);
  });

  it('refuses a certificate from another CA', async () => {
    const error = (await get('/v1/runs', await clientFiles(theirs, 'ci-bot')).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toMatch(/UNKNOWN_CA|ECONNRESET|EPIPE|BAD_CERTIFICATE/);
  });

  it('accepts our certificate; the principal and role come from it', async () => {
    const operator = await clientFiles(ours, 'ci-bot');
    const runs = await get('/v1/runs', operator);
    expect(runs.status).toBe(200);
    expect(JSON.parse(runs.body)).toEqual({ runs: [] });
    // OU=viewer may read but not start runs.
    const reader = await clientFiles(ours, 'reader');
    expect((await get('/v1/runs', reader)).status).toBe(200);
    const denied = await get('/v1/keys', reader);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body)).toMatchObject({ code: 'LA_API_FORBIDDEN' });
    const health = await get('/healthz', reader);
    expect(health.status).toBe(200);
  });

  it('sends HSTS over TLS', async () => {
    const url = new URL(h.gateway.url);
    const client = await clientFiles(ours, 'reader');
    const ca = await readFile(ours.ca.certFile);
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      httpsRequest({ host: url.hostname, port: url.port, path: '/healthz', ca, servername: 'localhost', ...client }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security']);
      })
        .on('error', reject)
        .end();
    });
    expect(hsts).toContain('max-age=');
  });

  it('refuses to overwrite certificates without --force, and adds clients to an existing CA', async () => {
    await expect(createCertificates({ dir })).rejects.toMatchObject({ code: 'LA_CERTS_EXIST' });
    const { createClientCertificate } = await import('../../src/gateway/tls/index.js');
    const added = await createClientCertificate(dir, { name: 'late', role: 'admin' });
    expect((await get('/v1/keys', { cert: await readFile(added.certFile), key: await readFile(added.keyFile) })).status).toBe(200);
    await expect(createClientCertificate(dir, { name: 'late', role: 'admin' })).rejects.toMatchObject({ code: 'LA_CERTS_EXIST' });
    await expect(createClientCertificate(await tempDir(), { name: 'x', role: 'viewer' })).rejects.toMatchObject({ code: 'LA_CERTS_MISSING' });
    await expect(createCertificates({ dir: await tempDir(), clients: [{ name: 'bad name!', role: 'viewer' }] })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
  });
});
