import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAttackSites, type AttackSite } from './support/attackHarness.js';

/**
 * Someone with write access to the home edits the security audit log to hide what happened: an
 * entry changed, one deleted, two swapped, the last ones cut off. `localagent audit verify` must
 * exit 1 and name the first broken entry, each time. (What it cannot detect, a whole log rewritten
 * with a fresh chain, is in docs/security/audit.md.)
 */
const site = useAttackSites();

interface VerifyResult {
  ok: boolean;
  logs: { file: string; ok: boolean; line?: number; reason?: string; entries: number }[];
}

/** A security audit log with five policy denials, and its lines. */
async function auditedSite(): Promise<{ s: AttackSite; file: string; lines: string[] }> {
  const s = await site();
  const tasks = ['/', '~', '*', '.', '/etc'].map((target, i) => ({ id: `nuke${i}`, kind: 'shell', argv: ['rm', '-rf', target], on_failure: 'continue' }));
  const run = await s.la(['run', await s.plan(tasks)]);
  expect(run.code).toBe(3);
  const file = join(s.home, 'audit', 'security.audit.jsonl');
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  // Five denials, and whatever else this run audits (a sandbox notice, for one).
  expect(lines.filter((line) => line.includes('"outcome":"denied"')).length).toBe(5);
  const intact = await s.la(['audit', 'verify', '--json']);
  expect(intact.code, intact.stderr).toBe(0);
  return { s, file, lines };
}

async function verifyAfter(s: AttackSite, file: string, lines: string[]): Promise<{ code: number; log: VerifyResult['logs'][number]; text: string }> {
  await writeFile(file, `${lines.join('\n')}\n`);
  const json = await s.la(['audit', 'verify', '--json']);
  const text = await s.la(['audit', 'verify']);
  const log = (JSON.parse(json.stdout) as VerifyResult).logs.find((l) => l.file === file) as VerifyResult['logs'][number];
  expect(text.code).toBe(json.code);
  expect(await s.outsideNow()).toEqual(s.outsideBefore);
  return { code: json.code, log, text: text.stdout };
}

describe('a tampered audit log', { timeout: 120_000 }, () => {
  it('an edited entry: exit 1, naming its line', async () => {
    const { s, file, lines } = await auditedSite();
    const edited = [...lines];
    const at = lines.findIndex((line, i) => i >= 2 && line.includes('"outcome":"denied"'));
    edited[at] = (edited[at] as string).replace('"outcome":"denied"', '"outcome":"allowed"');
    const result = await verifyAfter(s, file, edited);
    expect(result.code).toBe(1);
    expect(result.log).toMatchObject({ ok: false, line: at + 1 });
    expect(result.text).toMatch(new RegExp(`BROKEN\\s+.*security\\.audit\\.jsonl: line ${at + 1}:`));
  });

  it('a deleted entry: exit 1, naming the line where the chain breaks', async () => {
    const { s, file, lines } = await auditedSite();
    const result = await verifyAfter(s, file, [...lines.slice(0, 1), ...lines.slice(2)]);
    expect(result.code).toBe(1);
    expect(result.log).toMatchObject({ ok: false, line: 2 });
  });

  it('two entries swapped: exit 1, naming the first of them', async () => {
    const { s, file, lines } = await auditedSite();
    const swapped = [lines[0], lines[2], lines[1], ...lines.slice(3)] as string[];
    const result = await verifyAfter(s, file, swapped);
    expect(result.code).toBe(1);
    expect(result.log).toMatchObject({ ok: false, line: 2 });
  });

  it('entries cut from the end: exit 1, through the head anchor', async () => {
    const { s, file, lines } = await auditedSite();
    const result = await verifyAfter(s, file, lines.slice(0, 3));
    expect(result.code).toBe(1);
    expect(result.log).toMatchObject({ ok: false, line: 4 });
    expect(result.log.reason).toMatch(/removed from the end/);
  });

  it('an entry inserted with a made-up hash: exit 1, naming it', async () => {
    const { s, file, lines } = await auditedSite();
    const forged = JSON.stringify({ ...(JSON.parse(lines[1] as string) as Record<string, unknown>), subject: 'nothing happened' });
    const result = await verifyAfter(s, file, [lines[0], forged, ...lines.slice(1)] as string[]);
    expect(result.code).toBe(1);
    expect(result.log).toMatchObject({ ok: false, line: 2 });
  });
});
