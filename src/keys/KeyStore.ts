import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalAgentError } from '../core/errors/index.js';
import type { Metrics } from '../core/metrics/index.js';
import { ensurePrivateDir, HomePaths } from '../core/paths/index.js';
import type { Redactor } from '../core/redact/index.js';
import { withFileLock, writeFileAtomic, type FileLockOptions } from '../core/fs/index.js';
import { AuditLog } from '../security/audit/index.js';
import { dataKeyInvalid, keyMoveIncomplete, keyNotFound, keyringUnavailable, masterPasswordRequired, storeClosed } from './errors.js';
import { fingerprint, maskKey } from './fingerprint.js';
import { KeyAudit, type KeyAuditAction, type ProcessIdentity } from './KeyAudit.js';
import { KeyIndex, type KeyIndexEntry } from './KeyIndex.js';
import { OsKeyring, type KeyringAdapter } from './KeyringAdapter.js';
import { dataKeyName, envVarsFor, isDataKeyName, kindOf, normaliseProvider, providerForEnvVar, type DataKeyPurpose, type ProviderKind } from './providers.js';
import { validateKeyFormat } from './validateKeyFormat.js';
import type { ScryptParams } from './vault/vaultCrypto.js';
import { equalBytes } from './vault/vaultCrypto.js';
import { VaultStore, type MasterPasswordReason } from './vault/VaultStore.js';

/** Where a stored key lives. */
export type KeyBackend = 'keyring' | 'file';
/** Where a key in use came from. */
export type KeySource = 'env' | KeyBackend;
/** Which backend to use: `auto` prefers the OS keyring and falls back to the vault file. */
export type BackendChoice = 'auto' | KeyBackend;

/**
 * Supplies the master password when the vault needs it (lazily: only reads and writes of the vault
 * file ask). Resolve `undefined` when none can be had, and the store throws
 * `LA_MASTER_PASSWORD_REQUIRED`. The store takes ownership of the buffer and zero-fills it.
 */
export type GetMasterPassword = (reason: MasterPasswordReason) => Promise<Buffer | undefined>;

export interface KeyStoreOptions {
  /** The LocalAgent home (already resolved). Files: vault.json, keys.json, audit/keys.audit.jsonl. */
  home: string;
  /** Default backend for `set` and which backends `get` consults. Default `auto`. */
  backend?: BackendChoice;
  /** Environment consulted for override variables. Default `process.env`, read at each call. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Source of the vault's master password. Without one, the vault cannot be opened or created. */
  getMasterPassword?: GetMasterPassword;
  /** Every key read or stored is registered here, so logs and errors hide it. */
  redactor?: Redactor;
  /** Where key events go. Default: an `AuditLog` at `HomePaths.keyAuditLog`. */
  auditLog?: AuditLog;
  /** The OS keyring. Default: `OsKeyring` with `keyringService`; `null` disables it. */
  keyring?: KeyringAdapter | null;
  /** Keyring service name for the default keyring. Default `localagent`. */
  keyringService?: string;
  /** scrypt cost for new vaults and `rotateMaster` (tests lower N; the default is 2^17). */
  kdf?: Partial<ScryptParams>;
  clock?: () => Date;
  /** Counts key operations and times vault unlocks. */
  metrics?: Metrics;
  /** Cross-process lock tuning for the vault and index. */
  lock?: FileLockOptions;
  /** Who to record as acting in the audit log. Default: this process's OS user, pid and name. */
  identity?: ProcessIdentity;
}

export interface SetKeyOptions {
  /** Overrides the store's default backend for this key. */
  backend?: BackendChoice;
  /** The provider's API kind, for the format check. Default: implied by the name (unknown names: openai-compatible). */
  kind?: ProviderKind;
}

/** The outcome of `set` or `rotate`. */
export interface StoredKey {
  provider: string;
  backend: KeyBackend;
  fingerprint: string;
  /** E.g. `sk-…abcd`. */
  masked: string;
  createdAt: string;
  rotatedAt: string | null;
  /** An environment variable that overrides this stored key: it will not be used while that is set. */
  overriddenBy?: string;
  /** Set when `auto` could not use the keyring and stored in the vault file instead: why. */
  fallbackReason?: string;
}

/** A key ready for use. The caller owns `value` and should `fill(0)` it when done. */
export interface RetrievedKey {
  provider: string;
  value: Buffer;
  source: KeySource;
  fingerprint: string;
  /** The variable it came from, when `source` is `env`. */
  envVar?: string;
}

export interface DeletedKey {
  provider: string;
  removedFrom: KeyBackend[];
  /** An environment variable still provides a key for this provider. */
  overriddenBy?: string;
}

/** Bytes in a data key (AES-256). */
export const DATA_KEY_BYTES = 32;
/** What listings and the vault show instead of a mask: every byte of a data key is secret. */
export const DATA_KEY_MASK = '(random data key)';

/** One of LocalAgent's own data keys, ready for use. The caller owns `value` and should `fill(0)` it when done. */
export interface DataKey {
  purpose: DataKeyPurpose;
  /** The name it is filed under, `data-key:<purpose>`. */
  name: string;
  /** 32 random bytes. */
  value: Buffer;
  backend: KeyBackend;
  fingerprint: string;
  /** True when this call created it. */
  created: boolean;
}

/** Where a data key is, from metadata only (no password, no keyring read). */
export interface DataKeyStatus {
  purpose: DataKeyPurpose;
  name: string;
  /** Where it is stored; absent when it was not created yet. */
  backend?: KeyBackend;
  fingerprint?: string;
  createdAt?: string;
  /** Why its whereabouts could not be read (a damaged keys.json or vault). */
  reason?: string;
}

/** A stored copy of a key, as listed. */
export interface StoredCopy {
  backend: KeyBackend;
  fingerprint: string;
  masked: string;
  createdAt: string;
  rotatedAt: string | null;
}

export interface KeyListEntry {
  provider: string;
  /** Where `get` takes the key from now. */
  source: KeySource;
  envVar?: string;
  fingerprint: string;
  masked: string;
  createdAt: string | null;
  rotatedAt: string | null;
  /** Every stored copy, including ones an environment variable overrides. */
  copies: StoredCopy[];
}

export interface DoctorReport {
  backend: BackendChoice;
  /** Where `auto` would store a new key here, or null when neither works. */
  auto: KeyBackend | null;
  /** Names (never values) of the key variables set in the environment. */
  env: { variables: string[] };
  keyring: { usable: boolean; store: string; reason?: string };
  file: { usable: boolean; path: string; exists: boolean; unlocked: boolean; kdf?: ScryptParams & { name: 'scrypt' }; reason?: string };
  audit: { path: string; ok: boolean; entries?: number; line?: number; reason?: string };
  /** LocalAgent's own data keys (the results key of `security.encrypt_results`). */
  dataKeys: DataKeyStatus[];
}

interface EnvHit {
  envVar: string;
  value: string;
}

/**
 * API keys for model providers. Resolution, first hit wins: an environment variable, then the OS
 * keyring, then the encrypted vault file. Every store, retrieval, rotation, deletion and failed
 * unlock is written to the key audit log. Built by the composition root; `close()` wipes the
 * vault's data key from memory.
 */
export class KeyStore {
  readonly paths: HomePaths;
  readonly backend: BackendChoice;
  private readonly env: () => Readonly<Record<string, string | undefined>>;
  private readonly getMasterPassword: GetMasterPassword | undefined;
  private readonly redactor: Redactor | undefined;
  private readonly auditLog: AuditLog;
  private readonly audit: KeyAudit;
  private readonly keyring: KeyringAdapter | null;
  private readonly vault: VaultStore;
  private readonly index: KeyIndex;
  private readonly clock: () => Date;
  private readonly metrics: Metrics | undefined;
  private readonly lockOptions: FileLockOptions | undefined;
  /** Set when the keyring failed in `auto` mode: stop asking it for the life of this object. */
  private keyringDown: LocalAgentError | undefined;
  private homeReady = false;
  /** Fingerprints of keys already given to the redactor. */
  private readonly registered = new Set<string>();
  private closed = false;

  constructor(options: KeyStoreOptions) {
    this.paths = new HomePaths(options.home);
    this.backend = options.backend ?? 'auto';
    this.env = options.env ? () => options.env as Readonly<Record<string, string | undefined>> : () => process.env;
    this.getMasterPassword = options.getMasterPassword;
    this.redactor = options.redactor;
    this.clock = options.clock ?? (() => new Date());
    this.metrics = options.metrics;
    this.lockOptions = options.lock;
    this.auditLog = options.auditLog ?? new AuditLog({ file: this.paths.keyAuditLog, clock: this.clock, ...(options.redactor ? { redactor: options.redactor } : {}) });
    this.audit = new KeyAudit(this.auditLog, options.identity);
    this.keyring = options.keyring === undefined ? new OsKeyring({ service: options.keyringService ?? 'localagent' }) : options.keyring;
    this.index = new KeyIndex(join(options.home, 'keys.json'), options.lock);
    this.vault = new VaultStore({
      file: this.paths.vault,
      password: (reason) => this.password(reason),
      clock: this.clock,
      onUnlock: (outcome, info) => this.onUnlock(outcome, info),
      ...(options.kdf ? { kdf: options.kdf } : {}),
      ...(options.lock ? { lock: options.lock } : {}),
    });
  }

  /** The key for `provider`, from the first source that has one; `LA_KEY_NOT_FOUND` when none does. */
  async get(provider: string): Promise<RetrievedKey> {
    this.assertOpen();
    const name = normaliseProvider(provider);
    let found: RetrievedKey;
    try {
      found = await this.resolve(name);
    } catch (error) {
      this.audit.defer({ action: 'retrieve', outcome: 'failure', provider: name, errorCode: codeOf(error) });
      this.count('retrieve', 'none', 'failure');
      throw error;
    }
    this.remember(found.value, found.fingerprint);
    this.audit.defer({
      action: 'retrieve',
      outcome: 'success',
      provider: name,
      backend: found.source,
      fingerprint: found.fingerprint,
      ...(found.envVar ? { detail: found.envVar } : {}),
    });
    this.count('retrieve', found.source, 'success');
    return found;
  }

  /**
   * Checks the key's format and stores it. `auto` keeps an existing key where it is, else uses the
   * keyring when it works here and the vault file otherwise. Only one stored copy is kept: a copy
   * in the other backend is removed. Does not modify `key`.
   */
  async set(provider: string, key: Uint8Array, options: SetKeyOptions = {}): Promise<StoredKey> {
    this.assertOpen();
    const name = normaliseProvider(provider);
    return this.audited('store', name, () => this.store(name, key, 'set', options));
  }

  /** Replaces a stored key with a new one, recording the rotation time; the old key is not kept anywhere. */
  async rotate(provider: string, newKey: Uint8Array, options: Omit<SetKeyOptions, 'backend'> = {}): Promise<StoredKey> {
    this.assertOpen();
    const name = normaliseProvider(provider);
    return this.audited('rotate', name, () => this.store(name, newKey, 'rotate', options));
  }

  /** Removes the stored key from the keyring and/or the vault file (or only from `backend`). */
  async delete(provider: string, options: { backend?: KeyBackend } = {}): Promise<DeletedKey> {
    this.assertOpen();
    const name = normaliseProvider(provider);
    const removedFrom: KeyBackend[] = [];
    try {
      const where = await this.locate(name);
      if (options.backend !== 'file') {
        if (where.keyring) {
          await this.removeFromKeyring(name);
          removedFrom.push('keyring');
        } else if (this.backend !== 'file' && this.keyring && !this.keyringDown) {
          // A keyring entry LocalAgent did not index (written by another tool or a lost keys.json).
          if (await this.keyring.delete(name).catch(() => false)) removedFrom.push('keyring');
        }
      }
      if (options.backend !== 'keyring' && where.file && (await this.vault.remove(name))) removedFrom.push('file');
      if (removedFrom.length === 0) throw keyNotFound(name, envVarsFor(name), this.envNote(name));
    } catch (error) {
      await this.auditFailure('delete', name, error);
      throw error;
    }
    for (const backend of removedFrom) {
      await this.audit.record({ action: 'delete', outcome: 'success', provider: name, backend });
      this.count('delete', backend, 'success');
    }
    const env = this.fromEnv(name);
    return { provider: name, removedFrom, ...(env ? { overriddenBy: env.envVar } : {}) };
  }

  /**
   * Every provider with a key: stored in the keyring or the vault, or set in the environment
   * (`providers` adds names from the config, so their `LOCALAGENT_<NAME>_API_KEY` is recognised).
   * Needs no password: metadata is stored in the clear. Values are never returned.
   */
  async list(options: { providers?: readonly string[] } = {}): Promise<KeyListEntry[]> {
    this.assertOpen();
    const copies = new Map<string, StoredCopy[]>();
    const add = (provider: string, copy: StoredCopy): void => {
      copies.set(provider, [...(copies.get(provider) ?? []), copy]);
    };
    // Data keys are LocalAgent's own, not providers': `config doctor` reports them.
    for (const [provider, entry] of await this.index.read()) if (!isDataKeyName(provider)) add(provider, copyOf('keyring', entry));
    for (const record of await this.vault.list()) if (!isDataKeyName(record.provider)) add(record.provider, copyOf('file', record));
    const names = new Set(copies.keys());
    const candidates = [...names, ...(options.providers ?? []).map(normaliseProvider)];
    for (const name of candidates) names.add(name);
    for (const variable of Object.keys(this.env())) {
      const provider = providerForEnvVar(variable, candidates);
      if (provider) names.add(provider);
    }
    const order: KeyBackend[] = this.backend === 'file' ? ['file'] : this.backend === 'keyring' ? ['keyring'] : ['keyring', 'file'];
    const out: KeyListEntry[] = [];
    for (const provider of [...names].sort()) {
      const stored = copies.get(provider) ?? [];
      const env = this.fromEnv(provider);
      if (env) {
        const bytes = Buffer.from(env.value, 'utf8');
        out.push({ provider, source: 'env', envVar: env.envVar, fingerprint: fingerprint(bytes), masked: maskKey(bytes), createdAt: null, rotatedAt: null, copies: stored });
        bytes.fill(0);
        continue;
      }
      const effective = order.map((backend) => stored.find((copy) => copy.backend === backend)).find(Boolean) ?? stored[0];
      if (!effective) continue;
      const { backend, ...facts } = effective;
      out.push({ provider, source: backend, ...facts, copies: stored });
    }
    return out;
  }

  /** Unlocks the vault file now (a failed unlock is audited like any other); false when there is no vault. */
  async unlockVault(): Promise<boolean> {
    this.assertOpen();
    return this.vault.unlockNow();
  }

  /**
   * Re-encrypts the vault under `newPassword` with a new random data key (and the configured KDF
   * cost). Asks for the current password if the vault is not unlocked. Does not modify `newPassword`.
   */
  async rotateMaster(newPassword: Uint8Array): Promise<{ records: number; kdf: ScryptParams }> {
    this.assertOpen();
    let records: number;
    try {
      await this.ensureHome();
      records = await this.vault.rotateMaster(newPassword);
    } catch (error) {
      await this.auditFailure('rotate-master', undefined, error);
      throw error;
    }
    await this.audit.record({ action: 'rotate-master', outcome: 'success', backend: 'file', detail: `${records} keys re-encrypted` });
    this.count('rotate-master', 'file', 'success');
    return { records, kdf: { ...this.vault.kdfParams } };
  }

  /** Which backends work here and why not; probes the keyring with a throwaway entry. */
  async doctor(): Promise<DoctorReport> {
    this.assertOpen();
    const variables = Object.keys(this.env())
      .filter((name) => providerForEnvVar(name) !== undefined && (this.env()[name] ?? '') !== '')
      .sort();
    const [keyring, file, audit, results] = await Promise.all([
      this.probeKeyring(),
      this.probeFile(),
      this.auditLog.verify().catch((error: unknown) => ({ ok: false as const, line: 0, reason: (error as Error).message })),
      this.dataKeyStatus('results').catch((error: unknown): DataKeyStatus => ({ purpose: 'results', name: dataKeyName('results'), reason: (error as Error).message })),
    ]);
    return {
      backend: this.backend,
      auto: keyring.usable ? 'keyring' : file.usable ? 'file' : null,
      env: { variables },
      keyring,
      file,
      audit: audit.ok
        ? { path: this.auditLog.file, ok: true, entries: audit.entries }
        : { path: this.auditLog.file, ok: false, line: audit.line, reason: audit.reason },
      dataKeys: [results],
    };
  }

  /**
   * The data key for `purpose` (32 random bytes), created on first use and stored like an API key:
   * in the OS keyring when it works here (`auto`), else in the vault file. It never comes from the
   * environment. Creation is serialised across processes, so two first runs cannot each make a
   * key. Every retrieval and the creation are audited; the key is never given to the redactor as
   * text, never logged, never listed (`config doctor` shows where it is and its fingerprint).
   * Losing it loses everything it encrypted: see docs/security/encryption.md on backups.
   */
  async getOrCreateDataKey(purpose: DataKeyPurpose): Promise<DataKey> {
    this.assertOpen();
    const name = dataKeyName(purpose);
    let action: KeyAuditAction = 'retrieve';
    let key: DataKey | undefined;
    try {
      key = await this.existingDataKey(purpose, name);
      if (!key) {
        action = 'store';
        key = await this.createDataKey(purpose, name);
      }
    } catch (error) {
      await this.auditFailure(action, name, error);
      throw error;
    }
    if (!key.created) {
      this.audit.defer({ action: 'retrieve', outcome: 'success', provider: name, backend: key.backend, fingerprint: key.fingerprint });
      this.count('retrieve', key.backend, 'success');
    }
    return key;
  }

  /** Where the data key for `purpose` is kept, read from `keys.json` and the vault's metadata only. */
  async dataKeyStatus(purpose: DataKeyPurpose): Promise<DataKeyStatus> {
    this.assertOpen();
    const name = dataKeyName(purpose);
    const [indexed, inVault] = await Promise.all([
      this.index.read().then((entries) => entries.get(name)),
      this.vault.list().then((records) => records.find((record) => record.provider === name)),
    ]);
    const fromVault = inVault ? { backend: 'file' as const, fingerprint: inVault.fingerprint, createdAt: inVault.createdAt } : undefined;
    const found = this.backend === 'file' ? fromVault : this.backend === 'keyring' ? indexed : (indexed ?? fromVault);
    return found ? { purpose, name, backend: found.backend, fingerprint: found.fingerprint, createdAt: found.createdAt } : { purpose, name };
  }

  /** Wipes the vault's data key from memory; the next vault access asks for the password again. */
  lock(): void {
    this.vault.lock();
  }

  /** Writes pending audit events, wipes keys from memory, and refuses further use. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.vault.close();
    await this.audit.flush();
    this.audit.throwIfFailed();
  }

  /** Resolves once every queued audit event is on disk. */
  async flushAudit(): Promise<void> {
    await this.audit.flush();
    this.audit.throwIfFailed();
  }

  private async resolve(name: string): Promise<RetrievedKey> {
    const env = this.fromEnv(name);
    if (env) {
      const value = Buffer.from(env.value, 'utf8');
      return { provider: name, value, source: 'env', fingerprint: fingerprint(value), envVar: env.envVar };
    }
    const stored = await this.findStored(name);
    if (stored) return stored;
    throw keyNotFound(name, envVarsFor(name));
  }

  /** A stored key from the keyring or the vault (never the environment), or undefined when there is none. */
  private async findStored(name: string): Promise<RetrievedKey | undefined> {
    const keyringHit = (value: Buffer): RetrievedKey => ({ provider: name, value, source: 'keyring', fingerprint: fingerprint(value) });
    if (this.backend === 'keyring') {
      const value = await this.requireKeyring().get(name);
      return value ? keyringHit(value) : undefined;
    }
    // The index says which keys are in the keyring, so a vault key costs no keyring round trip.
    const indexed = this.backend === 'auto' && (await this.index.read()).has(name);
    if (indexed) {
      const value = await this.requireKeyring().get(name);
      if (value) return keyringHit(value);
    }
    const stored = await this.vault.get(name);
    if (stored) return { provider: name, value: stored.value, source: 'file', fingerprint: stored.info.fingerprint };
    if (this.backend === 'auto' && !indexed && this.keyring && !this.keyringDown) {
      try {
        const value = await this.keyring.get(name);
        if (value) return keyringHit(value);
      } catch (error) {
        this.keyringDown = error as LocalAgentError;
      }
    }
    return undefined;
  }

  private async existingDataKey(purpose: DataKeyPurpose, name: string): Promise<DataKey | undefined> {
    const found = await this.findStored(name);
    if (!found) return undefined;
    if (found.value.length !== DATA_KEY_BYTES) {
      const length = found.value.length;
      found.value.fill(0);
      throw dataKeyInvalid(name, length, found.source);
    }
    return { purpose, name, value: found.value, backend: found.source as KeyBackend, fingerprint: found.fingerprint, created: false };
  }

  /**
   * Makes the key under a lock of its own (not the vault's, which storing takes), looking again
   * inside it: a process that waited finds the key the first one made.
   */
  private async createDataKey(purpose: DataKeyPurpose, name: string): Promise<DataKey> {
    await this.ensureHome();
    return withFileLock(
      join(this.paths.root, 'data-keys'),
      async () => {
        const existing = await this.existingDataKey(purpose, name);
        if (existing) return existing;
        const value = randomBytes(DATA_KEY_BYTES);
        let stored: StoredKey;
        try {
          stored = await this.store(name, value, 'set', {}, { dataKey: true });
        } catch (error) {
          value.fill(0);
          throw error;
        }
        await this.audit.record({ action: 'store', outcome: 'success', provider: name, backend: stored.backend, fingerprint: stored.fingerprint, detail: `created the ${purpose} data key` });
        this.count('store', stored.backend, 'success');
        return { purpose, name, value, backend: stored.backend, fingerprint: stored.fingerprint, created: true };
      },
      this.lockOptions,
    );
  }

  /** `dataKey`: LocalAgent's own random key, which has no provider format and must not be masked or given to the redactor. */
  private async store(name: string, key: Uint8Array, mode: 'set' | 'rotate', options: SetKeyOptions, own: { dataKey?: boolean } = {}): Promise<StoredKey> {
    if (!own.dataKey) validateKeyFormat(options.kind ?? kindOf(name), key, name);
    const masked = own.dataKey ? DATA_KEY_MASK : maskKey(key);
    await this.ensureHome();
    const where = await this.locate(name);
    const choice = mode === 'rotate' ? 'auto' : (options.backend ?? this.backend);
    let target: KeyBackend;
    if (mode === 'rotate') {
      if (!where.keyring && !where.file) throw keyNotFound(name, envVarsFor(name), this.envNote(name));
      target = where.keyring ? 'keyring' : 'file';
    } else if (choice !== 'auto') {
      target = choice;
    } else {
      target = where.keyring ? 'keyring' : where.file ? 'file' : this.keyring && !this.keyringDown ? 'keyring' : 'file';
    }
    let fallbackReason: string | undefined;
    let stored: Omit<StoredCopy, 'backend'> | undefined;
    if (target === 'keyring') {
      try {
        stored = await this.putInKeyring(name, key, masked);
      } catch (error) {
        const mayFallBack = choice === 'auto' && !where.keyring && codeOf(error) === 'LA_KEYRING_UNAVAILABLE';
        if (!mayFallBack) throw error;
        this.keyringDown = error as LocalAgentError;
        fallbackReason = (error as Error).message;
        target = 'file';
      }
    }
    if (target === 'file') {
      const put = await this.vault.put(name, key, mode, masked);
      if (!put) throw keyNotFound(name, envVarsFor(name));
      stored = put.info;
    }
    const leftover = target === 'keyring' ? where.file : where.keyring;
    if (leftover) {
      try {
        if (target === 'keyring') await this.vault.remove(name);
        else await this.removeFromKeyring(name);
      } catch (error) {
        throw keyMoveIncomplete(name, target === 'keyring' ? 'OS keyring' : 'vault file', target === 'keyring' ? 'vault file' : 'OS keyring', error);
      }
    }
    if (!own.dataKey) this.remember(key, (stored as Omit<StoredCopy, 'backend'>).fingerprint);
    const env = this.fromEnv(name);
    return {
      provider: name,
      backend: target,
      ...(stored as Omit<StoredCopy, 'backend'>),
      ...(env ? { overriddenBy: env.envVar } : {}),
      ...(fallbackReason ? { fallbackReason } : {}),
    };
  }

  private async putInKeyring(name: string, key: Uint8Array, masked: string): Promise<Omit<StoredCopy, 'backend'>> {
    const keyring = this.requireKeyring();
    await keyring.set(name, key);
    // Some keyrings accept a write they cannot read back (a locked collection, a broken agent).
    const back = await keyring.get(name);
    const same = back !== null && equalBytes(back, key);
    back?.fill(0);
    if (!same) {
      await keyring.delete(name).catch(() => false);
      throw keyringUnavailable('a key written to it could not be read back.');
    }
    const now = this.clock().toISOString();
    const entry = await this.index.update((entries) => {
      const previous = entries.get(name);
      const next: KeyIndexEntry = {
        backend: 'keyring',
        fingerprint: fingerprint(key),
        masked,
        createdAt: previous?.createdAt ?? now,
        rotatedAt: previous ? now : null,
      };
      entries.set(name, next);
      return next;
    });
    const { backend: _backend, ...facts } = entry;
    return facts;
  }

  private async removeFromKeyring(name: string): Promise<void> {
    await this.requireKeyring().delete(name);
    await this.index.update((entries) => entries.delete(name));
  }

  private async locate(name: string): Promise<{ keyring: boolean; file: boolean }> {
    const [index, file] = await Promise.all([this.index.read(), this.vault.has(name)]);
    return { keyring: index.has(name), file };
  }

  private requireKeyring(): KeyringAdapter {
    if (!this.keyring) throw keyringUnavailable('it is disabled in this configuration.');
    return this.keyring;
  }

  private fromEnv(name: string): EnvHit | undefined {
    const env = this.env();
    for (const envVar of envVarsFor(name)) {
      const value = env[envVar];
      if (value !== undefined && value !== '') return { envVar, value };
    }
    return undefined;
  }

  private envNote(name: string): string | undefined {
    const env = this.fromEnv(name);
    return env ? `the key in use comes from ${env.envVar}; change it where that variable is set` : undefined;
  }

  private async password(reason: MasterPasswordReason): Promise<Buffer> {
    const password = this.getMasterPassword ? await this.getMasterPassword(reason) : undefined;
    if (!password || password.length === 0) throw masterPasswordRequired(reason);
    return password;
  }

  private async onUnlock(outcome: 'success' | 'failure', info: { reason?: string; seconds: number }): Promise<void> {
    this.metrics?.histogram('localagent_vault_unlock_seconds', 'Time to derive the vault key from the master password.', [], [0.05, 0.1, 0.25, 0.5, 1, 2, 5]).observe(info.seconds);
    this.count('unlock', 'file', outcome);
    if (outcome === 'failure') {
      await this.audit.record({
        action: 'unlock',
        outcome,
        backend: 'file',
        errorCode: info.reason === 'bad_password' ? 'LA_VAULT_BAD_PASSWORD' : 'LA_VAULT_CORRUPT',
        ...(info.reason ? { detail: info.reason } : {}),
      });
    } else {
      this.audit.defer({ action: 'unlock', outcome, backend: 'file' });
    }
  }

  private async audited(action: KeyAuditAction, name: string, fn: () => Promise<StoredKey>): Promise<StoredKey> {
    let result: StoredKey;
    try {
      result = await fn();
    } catch (error) {
      await this.auditFailure(action, name, error);
      throw error;
    }
    await this.audit.record({ action, outcome: 'success', provider: name, backend: result.backend, fingerprint: result.fingerprint });
    this.count(action, result.backend, 'success');
    return result;
  }

  private async auditFailure(action: KeyAuditAction, name: string | undefined, error: unknown): Promise<void> {
    this.count(action, 'none', 'failure');
    // The operation already failed; its error matters more than a failure to record it.
    await this.audit
      .record({ action, outcome: 'failure', ...(name ? { provider: name } : {}), errorCode: codeOf(error) })
      .catch(() => undefined);
  }

  private async probeKeyring(): Promise<DoctorReport['keyring']> {
    if (!this.keyring) return { usable: false, store: 'none', reason: 'The keyring is disabled in this configuration.' };
    const store = this.keyring.description;
    const account = `localagent-doctor-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
    const probe = randomBytes(24);
    try {
      await this.keyring.set(account, probe);
      const back = await this.keyring.get(account);
      const same = back !== null && equalBytes(back, probe);
      await this.keyring.delete(account);
      return same ? { usable: true, store } : { usable: false, store, reason: 'A test entry read back differently.' };
    } catch (error) {
      await this.keyring.delete(account).catch(() => false);
      return { usable: false, store, reason: (error as Error).message };
    }
  }

  private async probeFile(): Promise<DoctorReport['file']> {
    const path = this.paths.vault;
    const unlocked = this.vault.unlocked;
    try {
      await this.ensureHome();
      const probe = join(this.paths.root, `.doctor-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      await writeFileAtomic(probe, 'probe');
      await unlink(probe);
    } catch (error) {
      return { usable: false, path, exists: false, unlocked, reason: (error as Error).message };
    }
    try {
      const loaded = await this.vault.load();
      if (!loaded) return { usable: true, path, exists: false, unlocked };
      const { N, r, p } = loaded.doc.header.kdf;
      return { usable: true, path, exists: true, unlocked, kdf: { name: 'scrypt', N, r, p } };
    } catch (error) {
      return { usable: false, path, exists: true, unlocked, reason: (error as Error).message };
    }
  }

  private async ensureHome(): Promise<void> {
    if (this.homeReady) return;
    await ensurePrivateDir(this.paths.root);
    this.homeReady = true;
  }

  private remember(value: Uint8Array, keyFingerprint: string): void {
    if (!this.redactor || this.registered.has(keyFingerprint)) return;
    // The Redactor matches strings, so this makes one string copy per key (never one per read).
    this.redactor.addSecret(Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8'));
    this.registered.add(keyFingerprint);
  }

  private count(operation: string, source: string, outcome: string): void {
    this.metrics
      ?.counter('localagent_key_operations_total', 'Key store operations by kind, source and outcome.', ['operation', 'source', 'outcome'])
      .inc({ operation, source, outcome });
  }

  private assertOpen(): void {
    if (this.closed) throw storeClosed();
    this.audit.throwIfFailed();
  }
}

function copyOf(backend: KeyBackend, facts: { fingerprint: string; masked: string; createdAt: string; rotatedAt: string | null }): StoredCopy {
  return { backend, fingerprint: facts.fingerprint, masked: facts.masked, createdAt: facts.createdAt, rotatedAt: facts.rotatedAt };
}

function codeOf(error: unknown): string {
  return error instanceof LocalAgentError ? error.code : 'LA_INTERNAL';
}

/** Builds a key store; the composition root's entry point. */
export function createKeyStore(options: KeyStoreOptions): KeyStore {
  return new KeyStore(options);
}
