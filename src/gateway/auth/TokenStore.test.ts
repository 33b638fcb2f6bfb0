import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDialects } from '../../../test/support/postgres.js';
import { openStore, type Store } from '../../store/index.js';
import { hashToken } from './tokenFormat.js';
import { TokenStore } from './TokenStore.js';

describeDialects('TokenStore', ({ newDatabase }) => {
  let store: Store;
  let now: number;
  let tokens: TokenStore;

  beforeEach(async () => {
    const at = await newDatabase();
    store = at.file !== undefined ? await openStore({ file: at.file }) : await openStore({ url: at.url, schema: at.schema });
    now = Date.parse('2026-06-01T00:00:00Z');
    tokens = new TokenStore(store.db, { now: () => now, touchEveryMs: 60_000 });
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates a token that verifies, and keeps only its hash', async () => {
    const { token, record } = await tokens.create({ name: 'ci', role: 'operator', createdBy: 'user:alice' });
    expect(token).toMatch(/^la_tok_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ name: 'ci', role: 'operator', createdBy: 'user:alice', expiresAt: null, revokedAt: null, lastUsedAt: null });
    expect(await tokens.verify(token)).toEqual({ ok: true, record });
    const rows = await store.db.selectFrom('api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token.slice(20));
    expect(await tokens.hasActive()).toBe(true);
  });

  it('refuses malformed, unknown, tampered, revoked and expired tokens, saying which', async () => {
    const { token, record } = await tokens.create({ name: 'short', role: 'viewer', createdBy: 't', lifetimeMs: 3_600_000 });
    expect(await tokens.verify('nonsense')).toEqual({ ok: false, reason: 'malformed' });
    expect(await tokens.verify(`la_tok_000000000000_${'A'.repeat(43)}`)).toEqual({ ok: false, reason: 'unknown' });
    // The right id with another secret.
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await tokens.verify(tampered)).toEqual({ ok: false, reason: 'unknown' });
    now += 3_600_001;
    expect(await tokens.verify(token)).toMatchObject({ ok: false, reason: 'expired', record: { id: record.id } });
    const other = await tokens.create({ name: 'other', role: 'admin', createdBy: 't' });
    await tokens.revoke(other.record.id);
    expect(await tokens.verify(other.token)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('lists newest first, revoked ones only when asked, and revokes by id or name', async () => {
    await tokens.create({ name: 'first', role: 'viewer', createdBy: 't' });
    now += 1000;
    const second = await tokens.create({ name: 'second', role: 'admin', createdBy: 't' });
    expect((await tokens.list()).map((t) => t.name)).toEqual(['second', 'first']);
    const revoked = await tokens.revoke('first');
    expect(revoked.revokedAt).toBe(new Date(now).toISOString());
    expect((await tokens.list()).map((t) => t.name)).toEqual(['second']);
    expect((await tokens.list({ includeRevoked: true })).map((t) => t.name)).toEqual(['second', 'first']);
    await tokens.revoke(second.record.id);
    expect(await tokens.hasActive()).toBe(false);
    await expect(tokens.revoke('first')).rejects.toMatchObject({ code: 'LA_TOKEN_NOT_FOUND' });
    // A revoked token's name is free again.
    expect((await tokens.create({ name: 'first', role: 'viewer', createdBy: 't' })).record.name).toBe('first');
  });

  it('checks names and roles, and keeps names unique among tokens in force', async () => {
    await expect(tokens.create({ name: '', role: 'viewer', createdBy: 't' })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    await expect(tokens.create({ name: '-dash', role: 'viewer', createdBy: 't' })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    await expect(tokens.create({ name: 'x'.repeat(101), role: 'viewer', createdBy: 't' })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    await expect(tokens.create({ name: 'ok', role: 'root' as 'admin', createdBy: 't' })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    await tokens.create({ name: 'build bot', role: 'viewer', createdBy: 't' });
    await expect(tokens.create({ name: 'build bot', role: 'admin', createdBy: 't' })).rejects.toMatchObject({ code: 'LA_TOKEN_NAME_TAKEN' });
  });

  it('trusts a verified token for a moment: revoked here it stops at once, revoked elsewhere within that moment', async () => {
    const { token, record } = await tokens.create({ name: 'cached', role: 'viewer', createdBy: 't' });
    expect((await tokens.verify(token)).ok).toBe(true);
    const otherProcess = new TokenStore(store.db, { now: () => now });
    await otherProcess.revoke(record.id);
    expect((await tokens.verify(token)).ok).toBe(true);
    now += 2000;
    expect(await tokens.verify(token)).toMatchObject({ ok: false, reason: 'revoked' });

    const again = await tokens.create({ name: 'cached', role: 'viewer', createdBy: 't', lifetimeMs: 1000 });
    expect((await tokens.verify(again.token)).ok).toBe(true);
    now += 1000;
    expect(await tokens.verify(again.token)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('records use at most once a minute, and says when it is the first time', async () => {
    const { record } = await tokens.create({ name: 'used', role: 'viewer', createdBy: 't' });
    expect(await tokens.touch(record.id)).toBe(true);
    now += 10_000;
    expect(await tokens.touch(record.id)).toBe(false);
    const first = (await tokens.list())[0]?.lastUsedAt;
    expect(first).toBe(new Date(now - 10_000).toISOString());
    now += 60_000;
    expect(await tokens.touch(record.id)).toBe(false);
    expect((await tokens.list())[0]?.lastUsedAt).toBe(new Date(now).toISOString());
  });
});
