import { randomBytes } from 'node:crypto';
import { OsKeyring } from '../KeyringAdapter.js';

export const KEYRING_HOWTO =
  "dbus-run-session -- sh -c 'echo -n test | gnome-keyring-daemon --unlock --components=secrets && npx vitest run src/keys test/keys'";

/** A keyring service name no real LocalAgent install uses, so tests never touch real keys. */
export function testService(): string {
  return `localagent-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Whether the real OS keyring works here: a write, read and delete of a throwaway entry. */
export async function probeOsKeyring(): Promise<{ usable: true } | { usable: false; reason: string }> {
  const keyring = new OsKeyring({ service: testService(), timeoutMs: 3000 });
  const secret = randomBytes(16);
  try {
    await keyring.set('probe', secret);
    const back = await keyring.get('probe');
    await keyring.delete('probe');
    return back?.equals(secret) ? { usable: true } : { usable: false, reason: 'a test entry read back differently' };
  } catch (error) {
    return { usable: false, reason: (error as Error).message };
  }
}

/**
 * Decides what a keyring-dependent suite does on this machine. In CI (`CI` set) a missing keyring
 * is a failure: the pipeline is supposed to provide one. Elsewhere the suite is skipped, loudly.
 */
export async function keyringGate(suite: string): Promise<{ run: boolean; failure?: string }> {
  const status = await probeOsKeyring();
  if (status.usable) return { run: true };
  const message = `The OS keyring (Secret Service) is not usable here: ${status.reason}\nRun these tests with:\n  ${KEYRING_HOWTO}`;
  if (process.env.CI) return { run: false, failure: message };
  process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPED: ${suite}\n!! ${message.replace(/\n/g, '\n!! ')}\n${'!'.repeat(78)}\n\n`);
  return { run: false };
}
