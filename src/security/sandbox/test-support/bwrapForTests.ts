import { describe, it } from 'vitest';
import { detectBwrap, type BwrapStatus } from '../detectBwrap.js';

/** Whether bubblewrap works on this machine, found the way the app finds it (run once per test file). */
export const bwrapForTests: BwrapStatus = await detectBwrap({ searchPath: process.env.PATH });

/**
 * `describe`, for tests that need a working bubblewrap. Where it cannot run they are skipped with a
 * loud message saying how to enable it — except in CI (`CI=true`), where bubblewrap is installed on
 * purpose and a skip would hide a broken sandbox: there they fail.
 */
export function describeWithBwrap(name: string, body: () => void): void {
  if (bwrapForTests.available) {
    describe(name, body);
    return;
  }
  const why = `${bwrapForTests.reason}: ${bwrapForTests.detail}`;
  const howTo =
    'Install bubblewrap (`sudo apt-get install bubblewrap`) and allow unprivileged user namespaces ' +
    '(`sudo sysctl -w kernel.unprivileged_userns_clone=1`, or on Ubuntu 23.10+ `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`); `localagent config doctor` shows the state.';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a working bubblewrap (required in CI)', () => {
        throw new Error(`bubblewrap cannot run here (${why}), so the sandbox tests cannot run. ${howTo}`);
      });
    });
    return;
  }
  process.stderr.write(`\n!!!! SKIPPING "${name}": bubblewrap cannot run here (${why}).\n!!!! ${howTo}\n\n`);
  describe.skip(name, body);
}
