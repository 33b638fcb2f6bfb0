import type { TLSSocket } from 'node:tls';
import type { AuditEvent } from '../../security/audit/index.js';
import { authInvalid, authRequired, tokenExpired } from '../errors.js';
import { isApiRole } from './ApiRole.js';
import type { Principal } from './Principal.js';
import type { TokenStore } from './TokenStore.js';

/** What authentication looks at: the Authorization header and the connection (for client certificates). */
export interface Credentials {
  authorization: string | undefined;
  socket: unknown;
}

export interface AuthenticatorOptions {
  tokens: TokenStore;
  /** Writes to the security audit log; failures to write are the caller's to log. */
  audit: (event: AuditEvent) => Promise<void>;
  /** The server verifies client certificates (mTLS): the certificate is the principal. */
  clientCertificates: boolean;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The principal a verified client certificate names: its common name, and the role in its OU (viewer when absent). */
function certificatePrincipal(socket: TLSSocket): Principal | undefined {
  if (!socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  const subject = certificate.subject as Record<string, string | string[] | undefined> | undefined;
  const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  const name = first(subject?.CN);
  if (!name) return undefined;
  const unit = first(subject?.OU);
  return { type: 'User', id: `cert:${name}`, name, role: isApiRole(unit) ? unit : 'viewer' };
}

/**
 * Finds out who calls: with mTLS, the verified client certificate; otherwise the bearer token,
 * checked against the token store. Every failure and the first use of each token in this process
 * go to the security audit log.
 */
export class Authenticator {
  /** Tokens whose first use this process has audited. */
  private readonly seen = new Set<string>();

  constructor(private readonly options: AuthenticatorOptions) {}

  /**
   * The caller, or an error (401) saying why not. `quiet`: do not audit a failure (the address is
   * over its failure limit and is answered 429 anyway, so a flood cannot fill the audit log).
   */
  async authenticate(credentials: Credentials, route: string, options: { quiet?: boolean } = {}): Promise<Principal> {
    if (this.options.clientCertificates) {
      const principal = certificatePrincipal(credentials.socket as TLSSocket);
      // The TLS handshake already refused unverified certificates; this catches a certificate without a name.
      if (!principal) throw authInvalid();
      return principal;
    }
    const header = credentials.authorization;
    if (header === undefined || header === '') throw authRequired();
    const bearer = BEARER.exec(header)?.[1];
    if (bearer === undefined) {
      if (!options.quiet) await this.fail('malformed', route);
      throw authRequired();
    }
    const check = await this.options.tokens.verify(bearer);
    if (!check.ok) {
      if (!options.quiet) await this.fail(check.reason, route, check.record?.id);
      if (check.reason === 'expired' && check.record?.expiresAt) throw tokenExpired(check.record.expiresAt);
      throw authInvalid();
    }
    const { record } = check;
    const principal: Principal = { type: 'Token', id: record.id, name: record.name, role: record.role };
    if (!this.seen.has(record.id)) {
      this.seen.add(record.id);
      await this.options.audit({ category: 'token', action: 'use', outcome: 'success', actor: `token:${record.id}`, subject: route, token_name: record.name, role: record.role });
    }
    // Fire and forget: a failed bookkeeping write must not fail the request.
    void this.options.tokens.touch(record.id).catch(() => undefined);
    return principal;
  }

  private async fail(reason: string, route: string, tokenId?: string): Promise<void> {
    await this.options.audit({ category: 'auth', action: 'authenticate', outcome: 'failure', ...(tokenId ? { actor: `token:${tokenId}` } : {}), subject: route, reason });
  }
}
