import { webcrypto } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
// @peculiar/x509 loads reflect-metadata itself (its CommonJS build requires it first).
import * as x509 from '@peculiar/x509';
import { UserInputError } from '../../core/errors/index.js';
import { writeFileAtomic } from '../../core/fs/index.js';
import { ensurePrivateDir } from '../../core/paths/index.js';
import { isApiRole, type ApiRole } from '../auth/ApiRole.js';

/** Node's WebCrypto, typed as the library expects (this project compiles without the DOM types). */
const crypto = webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0];
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, PEM, and where they were written. */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  /** SHA-256 of the certificate (DER), hex: to recognise it. */
  fingerprint: string;
  notAfter: string;
}

export interface ClientSpec {
  /** The principal: the certificate's common name. */
  name: string;
  /** The role, carried in the certificate's OU. */
  role: ApiRole;
}

export interface CreateCertificatesOptions {
  /** Where the files go (created private, 0700). */
  dir: string;
  /** Names and addresses the server certificate is valid for, besides localhost, 127.0.0.1 and ::1. */
  hosts?: readonly string[];
  clients?: readonly ClientSpec[];
  /** Validity of the server and client certificates; the CA lasts ten times as long. */
  days?: number;
  /** Replace files that exist; without it, existing files stop the command (`LA_CERTS_EXIST`). */
  force?: boolean;
}

export interface CertificateSet {
  ca: IssuedCertificate;
  server: IssuedCertificate;
  clients: (IssuedCertificate & ClientSpec)[];
}

const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function checkClient(client: ClientSpec): void {
  if (!NAME_SHAPE.test(client.name) || !isApiRole(client.role)) {
    throw new UserInputError({
      message: `"${client.name.slice(0, 64)}:${String(client.role)}" is not a client (a name of letters, digits and . _ @ -, and a role).`,
      suggestion: 'Write clients as name:role, e.g. --client ci:operator; roles are viewer, operator and admin.',
    });
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function serial(): string {
  // Positive and unique enough for a local CA: 16 random bytes, high bit cleared.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function write(dir: string, base: string, certificate: x509.X509Certificate, keys: webcrypto.CryptoKeyPair): Promise<IssuedCertificate> {
  const certFile = join(dir, `${base}.pem`);
  const keyFile = join(dir, `${base}-key.pem`);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  await writeFileAtomic(keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  await writeFileAtomic(certFile, certificate.toString('pem'), { mode: 0o644 });
  const thumbprint = Buffer.from(await certificate.getThumbprint('SHA-256', crypto)).toString('hex');
  return { certFile, keyFile, fingerprint: thumbprint, notAfter: certificate.notAfter.toISOString() };
}

function subjectAltNames(hosts: readonly string[]): x509.SubjectAlternativeNameExtension {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])];
  return new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value })));
}

interface Issuer {
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

async function issue(issuer: Issuer, subject: string, days: number, extensions: x509.Extension[]): Promise<{ certificate: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject,
      issuer: issuer.certificate.subject,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + days * DAY_MS),
      signingKey: issuer.keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ...extensions,
      ],
    },
    crypto,
  );
  return { certificate, keys };
}

/** Quotes a value for an X.500 name (`CN=…`). */
function rdn(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
}

async function clientCertificate(dir: string, issuer: Issuer, client: ClientSpec, days: number): Promise<IssuedCertificate & ClientSpec> {
  const { certificate, keys } = await issue(issuer, `CN=${rdn(client.name)}, OU=${client.role}, O=LocalAgent`, days, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
  ]);
  return { ...(await write(dir, `client-${client.name}`, certificate, keys)), ...client };
}

/**
 * A local certificate authority for mTLS: the CA (`ca.pem`, `ca-key.pem`), a server certificate
 * for this machine (`server.pem`, `server-key.pem`) and client certificates
 * (`client-<name>.pem`, `client-<name>-key.pem`) whose common name is the principal and whose OU
 * is its role. ECDSA P-256; private keys are written 0600.
 */
export async function createCertificates(options: CreateCertificatesOptions): Promise<CertificateSet> {
  const days = options.days ?? 365;
  const clients = options.clients ?? [];
  clients.forEach(checkClient);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UserInputError({ message: `--days takes a whole number from 1 to 3650, not ${days}.` });
  const files = ['ca', 'server', ...clients.map((c) => `client-${c.name}`)].flatMap((base) => [`${base}.pem`, `${base}-key.pem`]).map((f) => join(options.dir, f));
  if (!options.force) {
    const found = [];
    for (const file of files) if (await exists(file)) found.push(file);
    if (found.length > 0) {
      throw new UserInputError({
        code: 'LA_CERTS_EXIST',
        message: `Certificates already exist in ${options.dir} (${found.length} file${found.length === 1 ? '' : 's'}, e.g. ${found[0] ?? ''}).`,
        suggestion: 'Add a client to the existing CA with `localagent certs client <name> --role <role>`, or replace everything with --force (clients of the old CA stop working).',
        details: { dir: options.dir },
      });
    }
  }
  await ensurePrivateDir(options.dir);
  x509.cryptoProvider.set(crypto);
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: 'CN=LocalAgent local CA, O=LocalAgent',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + days * 10 * DAY_MS),
      keys: caKeys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const issuer: Issuer = { certificate: caCertificate, keys: caKeys };
  const ca = await write(options.dir, 'ca', caCertificate, caKeys);
  const serverIssued = await issue(issuer, 'CN=localagent-server, O=LocalAgent', days, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
    subjectAltNames(options.hosts ?? []),
  ]);
  const server = await write(options.dir, 'server', serverIssued.certificate, serverIssued.keys);
  const issued = [];
  for (const client of clients) issued.push(await clientCertificate(options.dir, issuer, client, days));
  return { ca, server, clients: issued };
}

/** Issues one more client certificate from the CA in `dir` (made by `createCertificates`). */
export async function createClientCertificate(dir: string, client: ClientSpec, options: { days?: number; force?: boolean } = {}): Promise<IssuedCertificate & ClientSpec> {
  checkClient(client);
  const days = options.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UserInputError({ message: `--days takes a whole number from 1 to 3650, not ${days}.` });
  let caPem: string;
  let caKeyPem: string;
  try {
    [caPem, caKeyPem] = await Promise.all([readFile(join(dir, 'ca.pem'), 'utf8'), readFile(join(dir, 'ca-key.pem'), 'utf8')]);
  } catch (error) {
    throw new UserInputError({
      code: 'LA_CERTS_MISSING',
      message: `There is no local CA in ${dir} (ca.pem and ca-key.pem).`,
      suggestion: 'Create one with `localagent certs init`.',
      details: { dir },
      cause: error,
    });
  }
  if (!options.force && (await exists(join(dir, `client-${client.name}.pem`)))) {
    throw new UserInputError({
      code: 'LA_CERTS_EXIST',
      message: `A certificate for client "${client.name}" already exists in ${dir}.`,
      suggestion: 'Choose another name, or replace it with --force.',
      details: { dir },
    });
  }
  x509.cryptoProvider.set(crypto);
  const certificate = new x509.X509Certificate(caPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(caKeyPem), ALGORITHM, false, ['sign']);
  const publicKey = await certificate.publicKey.export(ALGORITHM, ['verify'], crypto);
  return clientCertificate(dir, { certificate, keys: { privateKey, publicKey } }, client, days);
}
