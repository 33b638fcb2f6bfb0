import type { Kysely, Selectable } from 'kysely';
import { UserInputError } from '../../core/errors/index.js';
import type { Database } from '../../store/index.js';
import { isApiRole, type ApiRole } from './ApiRole.js';
import { hashToken, newToken, newTokenId, tokenIdOf, tokenMatches } from './tokenFormat.js';

/** A token as listed: everything but the token (which is never stored) and its hash. */
export interface ApiTokenRecord {
  /** Public id: the policy principal, shown in logs and listings. */
  id: string;
  name: string;
  role: ApiRole;
  /** ISO-8601. */
  createdAt: string;
  createdBy: string;
  /** ISO-8601, or null when it never expires. */
  expiresAt: string | null;
  /** ISO-8601, or null while in force. */
  revokedAt: string | null;
  /** ISO-8601 of the last use seen (updated at most once a minute), or null. */
  lastUsedAt: string | null;
}

export interface NewApiToken {
  name: string;
  role: ApiRole;
  /** How long it lasts, in milliseconds; undefined: until revoked. */
  lifetimeMs?: number | undefined;
  /** Who creates it: an OS user, or the principal of the admin token that asked. */
  createdBy: string;
}

/** Why a presented token was refused, or the token it is. */
export type TokenCheck =
  | { ok: true; record: ApiTokenRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired'; record?: ApiTokenRecord };

export interface TokenStoreOptions {
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  /** How often `last_used_at` is written per token, at most. Default 60 s. */
  touchEveryMs?: number;
  /**
   * How long a verified token is trusted without asking the database again. A token revoked
   * through this store stops at once; one revoked by another process (`token revoke` while a
   * server runs) within this time. Default 2 s; 0 asks every time.
   */
  verifiedForMs?: number;
}

/** Verified tokens remembered at most; past it the memory starts over. */
const MAX_VERIFIED = 10_000;

const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$/;

function toRecord(row: Selectable<Database['api_tokens']>): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: isApiRole(row.role) ? row.role : 'viewer',
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function tokenNotFound(idOrName: string): UserInputError {
  return new UserInputError({
    code: 'LA_TOKEN_NOT_FOUND',
    message: `There is no API token with the id or name "${idOrName.slice(0, 100)}" in force.`,
    suggestion: 'List the tokens with `localagent token list` and use an id from there.',
    details: { token: idOrName.slice(0, 100) },
  });
}

/**
 * API tokens in the database, hashed: `create` returns the token once; afterwards only its SHA-256
 * is kept, so a copy of the database grants nothing. `verify` looks a token up by its public id
 * and compares hashes in constant time.
 */
export class TokenStore {
  private readonly now: () => number;
  private readonly touchEveryMs: number;
  /** When `last_used_at` was last written, per token id: bounded by the number of tokens. */
  private readonly touched = new Map<string, number>();
  /** Tokens verified lately, by hash, with when: spares the database on every request. */
  private readonly verified = new Map<string, { record: ApiTokenRecord; at: number }>();
  private readonly verifiedForMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    options: TokenStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
    this.verifiedForMs = options.verifiedForMs ?? 2000;
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  /** Creates a token; the returned `token` is the only copy there will ever be. */
  async create(input: NewApiToken): Promise<{ token: string; record: ApiTokenRecord }> {
    const name = input.name.trim();
    if (!NAME_SHAPE.test(name)) {
      throw new UserInputError({
        message: `"${name.slice(0, 100)}" cannot name a token.`,
        suggestion: 'Use 1–100 letters, digits, spaces and . _ @ -, starting with a letter or digit.',
        details: { name: name.slice(0, 100) },
      });
    }
    if (!isApiRole(input.role)) {
      throw new UserInputError({ message: `"${String(input.role)}" is not a role.`, suggestion: 'Use viewer, operator or admin.', details: { role: String(input.role) } });
    }
    if (await this.active(name)) {
      throw new UserInputError({
        code: 'LA_TOKEN_NAME_TAKEN',
        message: `A token named "${name}" is already in force.`,
        suggestion: `Choose another name, or revoke the old one first with \`localagent token revoke "${name}"\`.`,
        details: { name },
      });
    }
    const id = newTokenId();
    const token = newToken(id);
    const row = {
      id,
      name,
      role: input.role,
      hash: hashToken(token),
      created_at: this.iso(),
      created_by: input.createdBy.slice(0, 255),
      expires_at: input.lifetimeMs === undefined ? null : this.iso(input.lifetimeMs),
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return { token, record: toRecord(row) };
  }

  /** Tokens newest first; revoked ones only when asked. */
  async list(options: { includeRevoked?: boolean } = {}): Promise<ApiTokenRecord[]> {
    let query = this.db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
    return (await query.execute()).map(toRecord);
  }

  /** Whether any token is in force (the first `serve` explains how to create one when none is). */
  async hasActive(): Promise<boolean> {
    const row = await this.db.selectFrom('api_tokens').select('id').where('revoked_at', 'is', null).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** The token in force with this id or name, if any. */
  private async active(idOrName: string): Promise<ApiTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Revokes a token by id or name; it stops working at once. Throws `LA_TOKEN_NOT_FOUND`. */
  async revoke(idOrName: string): Promise<ApiTokenRecord> {
    const found = await this.active(idOrName);
    if (!found) throw tokenNotFound(idOrName);
    const revokedAt = this.iso();
    await this.db.updateTable('api_tokens').set({ revoked_at: revokedAt }).where('id', '=', found.id).where('revoked_at', 'is', null).execute();
    this.touched.delete(found.id);
    for (const [hash, entry] of this.verified) if (entry.record.id === found.id) this.verified.delete(hash);
    return { ...found, revokedAt };
  }

  /** Checks a presented token. Never throws for a bad token: says why it is refused. */
  async verify(token: string): Promise<TokenCheck> {
    const id = tokenIdOf(token);
    if (id === undefined) return { ok: false, reason: 'malformed' };
    const now = this.now();
    // Keyed by the token's hash: a lookup by the token itself could leak it through timing.
    const hash = hashToken(token);
    const known = this.verified.get(hash);
    if (known && now - known.at < this.verifiedForMs) {
      if (known.record.expiresAt === null || Date.parse(known.record.expiresAt) > now) return { ok: true, record: known.record };
      this.verified.delete(hash);
    }
    const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    // Hashes are compared even for a missing row, so the answer takes as long either way.
    if (!tokenMatches(token, row?.hash ?? '0'.repeat(64)) || !row) return { ok: false, reason: 'unknown' };
    const record = toRecord(row);
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked', record };
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now) return { ok: false, reason: 'expired', record };
    if (this.verifiedForMs > 0) {
      if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
      this.verified.set(hash, { record, at: now });
    }
    return { ok: true, record };
  }

  /**
   * Records that a token was used, at most once per `touchEveryMs` per token. Returns true the
   * first time it is called for a token in this process (the gateway audits first uses).
   */
  async touch(id: string): Promise<boolean> {
    const now = this.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < this.touchEveryMs) return false;
    this.touched.set(id, now);
    await this.db.updateTable('api_tokens').set({ last_used_at: new Date(now).toISOString() }).where('id', '=', id).execute();
    return last === undefined;
  }
}
