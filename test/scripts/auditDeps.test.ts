import { spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../support/tempDir.js';

const script = fileURLToPath(new URL('../../scripts/audit-deps.mjs', import.meta.url));

describe('scripts/audit-deps.mjs', () => {
  const tempDir = useTempDirs();

  /** Runs the script with a fake `npm` first on PATH that prints `report` as `npm audit --json` would. */
  async function audit(report: unknown, env: Record<string, string> = {}) {
    const bin = await tempDir('la-audit-');
    const fake = join(bin, 'npm');
    await writeFile(join(bin, 'report.json'), JSON.stringify(report));
    await writeFile(fake, `#!/bin/sh\ncat "${join(bin, 'report.json')}"\nexit 1\n`);
    await chmod(fake, 0o755);
    const result = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, ...env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const vulnerability = (name: string, severity: string, fixAvailable: boolean) => ({ name, severity, fixAvailable });

  it('fails on a high or critical advisory that has a fix, naming the package', async () => {
    const result = await audit({
      vulnerabilities: { leaky: vulnerability('leaky', 'critical', true), meh: vulnerability('meh', 'moderate', true) },
      metadata: { vulnerabilities: { critical: 1, moderate: 1 } },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('critical advisory in leaky');
    expect(result.stderr).not.toContain('meh');
  });

  it('passes when high advisories have no fix yet, but lists them', async () => {
    const result = await audit({ vulnerabilities: { stuck: vulnerability('stuck', 'high', false) }, metadata: { vulnerabilities: { high: 1 } } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('high advisory in stuck has no fix yet');
  });

  it('passes on a clean report', async () => {
    const result = await audit({ vulnerabilities: {}, metadata: { vulnerabilities: { high: 0, critical: 0 } } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 high/critical with a fix');
  });

  it('says loudly that no advisory was checked when the audit endpoint refuses, and fails only when required', async () => {
    const refused = { message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    const lenient = await audit(refused);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('DEPENDENCY AUDIT COULD NOT RUN');
    expect(lenient.stderr).toContain('405 Method Not Allowed');

    const strict = await audit(refused, { LOCALAGENT_REQUIRE_AUDIT: '1' });
    expect(strict.code).toBe(1);
  });
});
