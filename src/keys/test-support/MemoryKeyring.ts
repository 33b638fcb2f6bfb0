import { keyringUnavailable } from '../errors.js';
import type { KeyringAdapter } from '../KeyringAdapter.js';

/**
 * An in-process stand-in for the OS keyring, for testing the key store's own logic (backend
 * choice, fallback, index upkeep) on machines without a Secret Service. The real keyring is
 * exercised by KeyringAdapter.test.ts. `down` makes every call fail as an unusable keyring does;
 * `lossy` accepts writes but reads back nothing, as a broken agent does.
 */
export class MemoryKeyring implements KeyringAdapter {
  readonly description = 'memory (test)';
  readonly entries = new Map<string, Buffer>();
  down = false;
  lossy = false;
  calls = 0;

  async get(account: string): Promise<Buffer | null> {
    this.check();
    if (this.lossy) return null;
    const value = this.entries.get(account);
    return value ? Buffer.from(value) : null;
  }

  async set(account: string, secret: Uint8Array): Promise<void> {
    this.check();
    this.entries.set(account, Buffer.from(secret));
  }

  async delete(account: string): Promise<boolean> {
    this.check();
    return this.entries.delete(account);
  }

  private check(): void {
    this.calls += 1;
    if (this.down) throw keyringUnavailable('no Secret Service on this machine (the test switched it off).');
  }
}
