import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { keyringUnavailable } from './errors.js';

/** The operations the key store needs from an OS credential store. Accounts are provider names. */
export interface KeyringAdapter {
  /** Human-readable name of the backing store, for doctor output. */
  readonly description: string;
  /** The secret, or null when there is none. Throws `LA_KEYRING_UNAVAILABLE` when the store cannot be used. */
  get(account: string): Promise<Buffer | null>;
  /** Creates or replaces the secret. */
  set(account: string, secret: Uint8Array): Promise<void>;
  /** True when a secret was removed, false when there was none. */
  delete(account: string): Promise<boolean>;
}

export interface OsKeyringOptions {
  /** Service name the entries are filed under. Default `localagent`; tests use their own. */
  service?: string;
  /** A keyring call that takes longer (a hung D-Bus, a prompt nobody answers) fails after this. Default 5000 ms. */
  timeoutMs?: number;
  /** Platform, for choosing the store. Default `process.platform`. */
  platform?: NodeJS.Platform;
}

/**
 * The OS keyring through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, or on Linux
 * the Secret Service (GNOME Keyring, KWallet, KeePassXC) over D-Bus. On Linux the library would
 * otherwise fall back to the kernel keyring, which forgets everything at logout or reboot, so the
 * Secret Service is required explicitly. Secrets travel as bytes (`setSecret`/`getSecret`), never
 * as JavaScript strings.
 */
export class OsKeyring implements KeyringAdapter {
  readonly description: string;
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly entryOptions: EntryOptions | undefined;

  constructor(options: OsKeyringOptions = {}) {
    this.service = options.service ?? 'localagent';
    this.timeoutMs = options.timeoutMs ?? 5000;
    const platform = options.platform ?? process.platform;
    this.entryOptions = platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
    this.description =
      platform === 'linux' ? 'Secret Service (D-Bus)' : platform === 'darwin' ? 'macOS Keychain' : platform === 'win32' ? 'Windows Credential Manager' : 'OS keyring';
  }

  async get(account: string): Promise<Buffer | null> {
    const bytes = await this.call('read', (entry, signal) => entry.getSecret(signal), account);
    if (bytes === null) return null;
    const out = Buffer.from(bytes);
    bytes.fill(0);
    return out;
  }

  async set(account: string, secret: Uint8Array): Promise<void> {
    await this.call('write', (entry, signal) => entry.setSecret(secret, signal), account);
  }

  async delete(account: string): Promise<boolean> {
    return this.call('delete', (entry, signal) => entry.deleteCredential(signal), account);
  }

  private async call<T>(operation: string, fn: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>, account: string): Promise<T> {
    try {
      // The constructor throws synchronously when the store is unreachable (no D-Bus session).
      const entry = new AsyncEntry(this.service, account, this.entryOptions);
      return await fn(entry, AbortSignal.timeout(this.timeoutMs));
    } catch (error) {
      const message = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError'
        ? `the ${this.description} did not answer within ${this.timeoutMs} ms (locked, or waiting for a prompt?)`
        : `${this.description} ${operation} failed: ${(error as Error).message}`;
      throw keyringUnavailable(message, error);
    }
  }
}
