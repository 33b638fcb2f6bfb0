import { randomBytes } from 'node:crypto';
import { statSync, type BigIntStats } from 'node:fs';
import { open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigurationError, LocalAgentError, StorageError } from '../../core/errors/index.js';
import { tempPrefixFor, withFileLock, writeFileAtomic, type FileLockOptions } from '../../core/fs/index.js';
import { masterPasswordWeak, vaultBadPassword, vaultBusy, vaultCorrupt, vaultMissing } from '../errors.js';
import { fingerprint, maskKey } from '../fingerprint.js';
import {
  dataKeyAad,
  dataKeyId,
  parseVault,
  recordAad,
  serialise,
  type LoadedVault,
  type VaultDocument,
  type VaultHeader,
  type VaultRecord,
} from './VaultDocument.js';
import {
  DEFAULT_SCRYPT,
  deriveKek,
  deriveVaultKeys,
  equalBytes,
  KEY_BYTES,
  macOf,
  open as openSealed,
  SALT_BYTES,
  scryptParamsProblem,
  seal,
  type ScryptParams,
  type VaultKeys,
} from './vaultCrypto.js';

/** Why the vault asks for the master password. */
export type MasterPasswordReason = 'unlock' | 'create';

/** Shortest master password accepted when a vault is created or re-keyed. */
export const MIN_MASTER_PASSWORD_LENGTH = 8;

/** Temp files older than this, left by a writer that crashed, are removed by the next writer. */
const STALE_TEMP_MS = 60_000;

export interface VaultStoreOptions {
  /** The vault file, normally `HomePaths.vault`. */
  file: string;
  /**
   * Supplies the master password, or throws. Ownership passes to the store, which zero-fills the
   * buffer as soon as the key is derived.
   */
  password: (reason: MasterPasswordReason) => Promise<Buffer>;
  /** scrypt cost for new vaults and re-keying. Reading always uses the parameters stored in the file. */
  kdf?: Partial<ScryptParams>;
  clock?: () => Date;
  /** Told of every unlock attempt, to audit failures and time the KDF. Awaited before the error is thrown. */
  onUnlock?: (outcome: 'success' | 'failure', info: { reason?: string; seconds: number }) => Promise<void>;
  lock?: FileLockOptions;
  /** Fault injection for tests: runs between writing the new file and renaming it into place. */
  beforeCommit?: (tempFile: string) => void | Promise<void>;
}

/** A stored key's public metadata. */
export interface VaultRecordInfo {
  provider: string;
  fingerprint: string;
  masked: string;
  createdAt: string;
  rotatedAt: string | null;
}

interface Session extends VaultKeys {
  /** `dataKeyId` of the header these keys were unwrapped from. */
  id: string;
}

const RETRY = Symbol('retry');

/**
 * The encrypted vault file: envelope encryption (a random data key encrypts the records; a key
 * derived from the master password with scrypt wraps the data key), a MAC over the whole file, and
 * locked, atomic read-modify-write. The unwrapped keys stay in memory until `lock()`, so later
 * reads cost one file read and one AES-GCM decryption. See docs/security/keys.md.
 */
export class VaultStore {
  readonly file: string;
  private readonly options: VaultStoreOptions;
  private readonly kdf: ScryptParams;
  private readonly clock: () => Date;
  private session: Session | undefined;
  private cache: { loaded: LoadedVault; stats: BigIntStats; handle: FileHandle } | undefined;
  /** Parsed files whose MAC was checked, and with which data key. */
  private readonly macChecked = new WeakMap<LoadedVault, string>();
  private pendingUnlock: { id: string; promise: Promise<Session> } | undefined;

  constructor(options: VaultStoreOptions) {
    this.options = options;
    this.file = options.file;
    this.kdf = { ...DEFAULT_SCRYPT, ...options.kdf };
    const problem = scryptParamsProblem(this.kdf);
    if (problem) {
      throw new ConfigurationError({
        code: 'LA_VAULT_KDF_INVALID',
        message: `The vault's key-derivation settings are unusable: ${problem}.`,
        suggestion: 'Remove the kdf override to use the defaults (scrypt N=2^17, r=8, p=1).',
      });
    }
    this.clock = options.clock ?? (() => new Date());
  }

  /** True while the data key is held in memory. */
  get unlocked(): boolean {
    return this.session !== undefined;
  }

  /** The KDF parameters used for new vaults and re-keying. */
  get kdfParams(): Readonly<ScryptParams> {
    return this.kdf;
  }

  /**
   * The file as read and structurally checked, without the password; undefined when there is none.
   *
   * Parsing costs ~0.1 ms, so the parsed file is cached. The cache is valid while the path still
   * names the same inode with the same size and times. That test is sound because writers never
   * modify the vault in place (they rename a new file over it), and because the cached file's
   * handle is kept open, so its inode number cannot be reused by a newer file.
   */
  async load(): Promise<LoadedVault | undefined> {
    if (this.cache) {
      let current: BigIntStats | undefined;
      try {
        // Synchronous on purpose: a stat of one file is a cached metadata lookup of a few µs, while
        // the async version's trip through the libuv thread pool alone has a p99 near 0.7 ms on a
        // busy machine, which would spend most of the 1 ms retrieval budget on scheduling.
        current = statSync(this.file, { bigint: true, throwIfNoEntry: false });
      } catch (error) {
        throw readFailed(this.file, error);
      }
      if (current && sameFile(current, this.cache.stats)) return this.cache.loaded;
      await this.dropCache();
      if (!current) return undefined;
    }
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw readFailed(this.file, error);
    }
    try {
      const stats = await handle.stat({ bigint: true });
      const loaded = parseVault(this.file, await handle.readFile('utf8'));
      // Swap, then close the old handle: with an await between reading and setting the cache, two
      // concurrent loads could each install their handle and leak the other's.
      const previous = this.cache;
      this.cache = { loaded, stats, handle };
      if (previous && previous.handle !== handle) await previous.handle.close();
      return loaded;
    } catch (error) {
      await handle.close();
      if (error instanceof LocalAgentError) throw error;
      throw readFailed(this.file, error);
    }
  }

  /** Wipes the data key and lets go of the cached file. */
  async close(): Promise<void> {
    this.lock();
    await this.dropCache();
  }

  private async dropCache(): Promise<void> {
    const handle = this.cache?.handle;
    this.cache = undefined;
    await handle?.close();
  }

  /** Metadata of every stored key, without unlocking (it is not secret, but only verified on unlock). */
  async list(): Promise<VaultRecordInfo[]> {
    const loaded = await this.load();
    if (!loaded) return [];
    return [...loaded.doc.records].map(([provider, record]) => info(provider, record));
  }

  /**
   * Unlocks now, asking for the password if needed, so a wrong password is reported before a
   * command asks for anything else. False when there is no vault yet.
   */
  async unlockNow(): Promise<boolean> {
    const loaded = await this.load();
    if (!loaded) return false;
    this.checkMac(await this.sessionFor(loaded), loaded);
    return true;
  }

  /** Whether a key is stored for `provider` (no password needed). */
  async has(provider: string): Promise<boolean> {
    return (await this.load())?.doc.records.has(provider) ?? false;
  }

  /** The key and its metadata, unlocking the vault first if needed; undefined when none is stored. */
  async get(provider: string): Promise<{ value: Buffer; info: VaultRecordInfo } | undefined> {
    const loaded = await this.load();
    const record = loaded?.doc.records.get(provider);
    if (!loaded || !record) return undefined;
    const session = await this.sessionFor(loaded);
    this.checkMac(session, loaded);
    const value = openSealed(session.encKey, record.sealed, recordAad(provider, record.version));
    if (!value) throw vaultCorrupt(this.file, `the record for "${provider}" failed authentication`);
    return { value, info: info(provider, record) };
  }

  /**
   * Stores `key` for `provider`, creating the vault when there is none. `rotate` refuses when no key
   * is stored. The old ciphertext is replaced, so no copy of an older key stays in the file.
   * `masked` replaces the usual `sk-…abcd` for keys whose characters are all secret (data keys).
   */
  async put(provider: string, key: Uint8Array, mode: 'set' | 'rotate', masked = maskKey(key)): Promise<{ info: VaultRecordInfo; replaced: boolean } | undefined> {
    return this.mutate(async (doc, session) => {
      const existing = doc.records.get(provider);
      if (mode === 'rotate' && !existing) return { result: undefined };
      const now = this.clock().toISOString();
      const version = (existing?.version ?? 0) + 1;
      const record: VaultRecord = {
        version,
        sealed: seal(session.encKey, key, recordAad(provider, version)),
        fingerprint: fingerprint(key),
        masked,
        createdAt: existing?.createdAt ?? now,
        rotatedAt: existing ? now : null,
      };
      const records = new Map(doc.records).set(provider, record);
      return { result: { info: info(provider, record), replaced: existing !== undefined }, next: { ...doc, records } };
    }, true);
  }

  /** Removes `provider`'s record and rewrites the file; false when there was none. */
  async remove(provider: string): Promise<boolean> {
    if (!(await this.has(provider))) return false;
    return this.mutate(async (doc) => {
      if (!doc.records.has(provider)) return { result: false };
      const records = new Map(doc.records);
      records.delete(provider);
      return { result: true, next: { ...doc, records } };
    }, false);
  }

  /**
   * Re-encrypts everything under a new master password and a new random data key (new salt, the
   * configured KDF cost). `newPassword` is not modified. Returns the number of keys re-encrypted.
   */
  async rotateMaster(newPassword: Uint8Array): Promise<number> {
    if (newPassword.length < MIN_MASTER_PASSWORD_LENGTH) throw masterPasswordWeak(MIN_MASTER_PASSWORD_LENGTH);
    if (!(await this.load())) throw vaultMissing(this.file);
    const fresh = await this.newKeys(newPassword);
    try {
      return await this.mutate(async (doc, session) => {
        const records = new Map<string, VaultRecord>();
        for (const [provider, record] of doc.records) {
          const aad = recordAad(provider, record.version);
          const plain = openSealed(session.encKey, record.sealed, aad);
          if (!plain) throw vaultCorrupt(this.file, `the record for "${provider}" failed authentication`);
          records.set(provider, { ...record, sealed: seal(fresh.keys.encKey, plain, aad) });
          plain.fill(0);
        }
        const header = this.sealedHeader(fresh, doc.header.createdAt);
        const keys = { ...fresh.keys, id: dataKeyId(header) };
        return { result: records.size, next: { header, records }, session: keys };
      }, false);
    } catch (error) {
      wipe(fresh.keys);
      throw error;
    } finally {
      fresh.kek.fill(0);
      fresh.dataKey.fill(0);
    }
  }

  /** Wipes the data key from memory; the next read asks for the password again. */
  lock(): void {
    if (this.session) wipe(this.session);
    this.session = undefined;
    this.pendingUnlock = undefined;
  }

  /**
   * The read-modify-write cycle. Unlocking (and so any password prompt) happens before the lock is
   * taken, so a slow typist never blocks other processes; inside the lock the file is read again
   * and the change applied to that fresh copy, so concurrent writers cannot lose each other's
   * updates. If another process re-keyed the vault meanwhile, it starts over.
   */
  private async mutate<T>(
    change: (doc: VaultDocument, session: Session) => Promise<{ result: T; next?: VaultDocument; session?: Session }>,
    createIfMissing: boolean,
  ): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const loaded = await this.load();
      let created: { doc: VaultDocument; session: Session } | undefined;
      let session: Session;
      if (loaded) {
        session = await this.sessionFor(loaded);
      } else if (createIfMissing) {
        created = await this.newVault();
        session = created.session;
      } else {
        throw vaultMissing(this.file);
      }
      const outcome = await withFileLock(
        this.file,
        async () => {
          const current = await this.load();
          if (created ? current !== undefined : current === undefined || dataKeyId(current.doc.header) !== session.id) return RETRY;
          if (current) this.checkMac(session, current);
          const base = current?.doc ?? (created as { doc: VaultDocument }).doc;
          const { result, next, session: replacement } = await change(base, session);
          if (next) await this.write(next, replacement ?? session);
          return { result, next, replacement };
        },
        this.options.lock,
      );
      if (outcome === RETRY) {
        if (created) wipe(created.session);
        continue;
      }
      if (outcome.replacement) {
        this.lock();
        this.session = outcome.replacement;
      } else if (created && outcome.next) {
        this.lock();
        this.session = created.session;
      } else if (created) {
        wipe(created.session);
      }
      return outcome.result;
    }
    throw vaultBusy(this.file);
  }

  private async write(doc: VaultDocument, session: Session): Promise<void> {
    const body = serialise(doc, Buffer.alloc(32));
    const mac = macOf(session.macKey, body.macInput);
    await this.removeStaleTemps();
    await writeFileAtomic(this.file, serialise(doc, mac).text, { beforeRename: this.options.beforeCommit });
  }

  /** Called under the lock, so no live writer owns the temp files it removes. */
  private async removeStaleTemps(): Promise<void> {
    const dir = dirname(this.file);
    const prefix = tempPrefixFor(this.file);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    const now = Date.now();
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const path = join(dir, name);
      const age = await stat(path).then((s) => now - s.mtimeMs, () => 0);
      if (age > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
    }
  }

  private checkMac(session: Session, loaded: LoadedVault): void {
    if (this.macChecked.get(loaded) === session.id) return;
    if (!equalBytes(macOf(session.macKey, loaded.macInput), loaded.mac)) {
      throw vaultCorrupt(this.file, 'its integrity check (MAC) failed: records were added, removed or edited outside LocalAgent');
    }
    this.macChecked.set(loaded, session.id);
  }

  /** The session for this file's data key: cached, already being unlocked, or unlocked now. */
  private async sessionFor(loaded: LoadedVault): Promise<Session> {
    const id = dataKeyId(loaded.doc.header);
    if (this.session?.id === id) return this.session;
    if (this.pendingUnlock?.id === id) return this.pendingUnlock.promise;
    // The vault was re-keyed (by rotateMaster elsewhere): the cached key is useless now.
    this.lock();
    const promise = this.unlock(loaded, id);
    this.pendingUnlock = { id, promise };
    try {
      const session = await promise;
      if (this.pendingUnlock?.promise === promise) this.session = session;
      return session;
    } finally {
      if (this.pendingUnlock?.promise === promise) this.pendingUnlock = undefined;
    }
  }

  private async unlock(loaded: LoadedVault, id: string): Promise<Session> {
    const { header } = loaded.doc;
    const password = await this.options.password('unlock');
    const started = process.hrtime.bigint();
    let kek: Buffer;
    try {
      kek = await deriveKek(password, header.kdf.salt, header.kdf);
    } finally {
      password.fill(0);
    }
    const dataKey = openSealed(kek, header.dataKey, dataKeyAad(header));
    kek.fill(0);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!dataKey) {
      await this.options.onUnlock?.('failure', { reason: 'bad_password', seconds });
      throw vaultBadPassword(this.file);
    }
    const session: Session = { ...deriveVaultKeys(dataKey), id };
    dataKey.fill(0);
    try {
      this.checkMac(session, loaded);
    } catch (error) {
      wipe(session);
      await this.options.onUnlock?.('failure', { reason: 'mac', seconds });
      throw error;
    }
    await this.options.onUnlock?.('success', { seconds });
    return session;
  }

  private async newVault(): Promise<{ doc: VaultDocument; session: Session }> {
    const password = await this.options.password('create');
    try {
      if (password.length < MIN_MASTER_PASSWORD_LENGTH) throw masterPasswordWeak(MIN_MASTER_PASSWORD_LENGTH);
      const fresh = await this.newKeys(password);
      const header = this.sealedHeader(fresh, this.clock().toISOString());
      fresh.kek.fill(0);
      fresh.dataKey.fill(0);
      return { doc: { header, records: new Map() }, session: { ...fresh.keys, id: dataKeyId(header) } };
    } finally {
      password.fill(0);
    }
  }

  /** A new salt, KEK and data key (and the keys derived from it). */
  private async newKeys(password: Uint8Array): Promise<{ salt: Buffer; kek: Buffer; dataKey: Buffer; keys: VaultKeys }> {
    const salt = randomBytes(SALT_BYTES);
    const kek = await deriveKek(password, salt, this.kdf);
    const dataKey = randomBytes(KEY_BYTES);
    return { salt, kek, dataKey, keys: deriveVaultKeys(dataKey) };
  }

  /** The header for fresh keys: the data key sealed under the KEK, bound to the header's own fields. */
  private sealedHeader(fresh: { salt: Buffer; kek: Buffer; dataKey: Buffer }, createdAt: string): VaultHeader {
    const fields = { createdAt, kdf: { ...this.kdf, salt: fresh.salt } };
    return { ...fields, dataKey: seal(fresh.kek, fresh.dataKey, dataKeyAad(fields)) };
  }
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

function readFailed(file: string, error: unknown): StorageError {
  return new StorageError({ message: `Cannot read the key vault ${file}: ${(error as Error).message}`, details: { file }, cause: error });
}

function info(provider: string, record: VaultRecord): VaultRecordInfo {
  return { provider, fingerprint: record.fingerprint, masked: record.masked, createdAt: record.createdAt, rotatedAt: record.rotatedAt };
}

function wipe(keys: VaultKeys): void {
  keys.encKey.fill(0);
  keys.macKey.fill(0);
}
