import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithBwrap } from '../../src/security/sandbox/test-support/bwrapForTests.js';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();

interface IsolationReport {
  ok: boolean;
  shell_isolation: { mode: string; active: boolean; reason?: string; suggestion?: string; bwrap: { available: boolean; version?: string } };
}

/** `localagent config doctor` with a fresh home, HOME set to a temp folder, keys in the vault file. */
async function doctor(env: NodeJS.ProcessEnv, json = true): Promise<CliRun> {
  const home = await tempDir();
  await writeFile(join(home, 'config.yaml'), 'keys:\n  backend: file\n');
  return runInProcess(['--home', home, 'config', 'doctor', ...(json ? ['--json'] : [])], { env: { HOME: await tempDir(), ...env } });
}

describe('localagent config doctor: shell isolation', () => {
  it('says isolation is off when bubblewrap is not installed, and what to do; a missing required sandbox fails the check', async () => {
    const noBwrap = await tempDir();
    const human = await doctor({ PATH: noBwrap }, false);
    expect(human.stdout).toMatch(/shell isolation off bubblewrap is not installed \(bwrap is not on the PATH\) — shell tasks run unisolated/);
    expect(human.stdout).toContain('what to do: Install bubblewrap');

    const json = await doctor({ PATH: noBwrap });
    const report = JSON.parse(json.stdout) as IsolationReport;
    expect(report.shell_isolation).toMatchObject({ mode: 'auto', active: false, reason: 'not-installed' });

    const required = await doctor({ PATH: noBwrap, LOCALAGENT_SECURITY__SANDBOX: 'bwrap' }, false);
    expect(required.code).toBe(1);
    expect(required.stdout).toContain('shell tasks are refused');
  });
});

describeWithBwrap('localagent config doctor: shell isolation with bubblewrap', () => {
  it('shows that isolation is active, with the bubblewrap version', async () => {
    const human = await doctor({ PATH: process.env.PATH }, false);
    expect(human.stdout).toMatch(/shell isolation active bubblewrap \d+\.\d+\S* \(\S*bwrap\), security.sandbox: auto/);
    const report = JSON.parse((await doctor({ PATH: process.env.PATH })).stdout) as IsolationReport;
    expect(report.shell_isolation).toMatchObject({ mode: 'auto', active: true, bwrap: { available: true } });
  });

  it('says when config switched it off, and that it would work here', async () => {
    const human = await doctor({ PATH: process.env.PATH, LOCALAGENT_SECURITY__SANDBOX: 'off' }, false);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/shell isolation off disabled by config \(security.sandbox: off\); bubblewrap \S+ works here — shell tasks run unisolated/);
    expect(human.stdout).toContain('what to do: Set security.sandbox to auto');
  });
});
