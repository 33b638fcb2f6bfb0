import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEvent } from '../audit/index.js';
import { loadCedarPolicy } from './loadCedarPolicy.js';
import { MAX_POLICY_FILE_BYTES, readPolicyFiles } from './readPolicyFiles.js';

describe('loading policies from the home', () => {
  let home: string;
  let dir: string;
  let hashFile: string;
  let audit: AuditLog;
  const record = (): { hashFile: string; audit: (event: AuditEvent) => Promise<unknown> } => ({ hashFile, audit: (event) => audit.append(event) });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'la-policy-'));
    dir = join(home, 'policies');
    hashFile = join(dir, '.loaded-hash');
    audit = new AuditLog({ file: join(home, 'audit', 'security.audit.jsonl') });
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('reads *.cedar in name order, skipping hidden and other files; no folder means no files', async () => {
    expect(await readPolicyFiles(dir)).toEqual([]);
    await mkdir(dir);
    await writeFile(join(dir, '20-b.cedar'), '// b\n');
    await writeFile(join(dir, '10-a.cedar'), '// a\n');
    await writeFile(join(dir, '.hidden.cedar'), 'nonsense');
    await writeFile(join(dir, 'notes.txt'), 'nonsense');
    expect((await readPolicyFiles(dir)).map((s) => [s.name, s.origin])).toEqual([
      [join(dir, '10-a.cedar'), 'user'],
      [join(dir, '20-b.cedar'), 'user'],
    ]);
  });

  it('refuses what it cannot read with the path', async () => {
    await mkdir(join(dir, 'folder.cedar'), { recursive: true });
    await expect(readPolicyFiles(dir)).rejects.toMatchObject({ code: 'LA_POLICY_UNREADABLE', details: { path: join(dir, 'folder.cedar') } });
    await rm(join(dir, 'folder.cedar'), { recursive: true });
    await writeFile(join(dir, 'big.cedar'), ' '.repeat(MAX_POLICY_FILE_BYTES + 1));
    await expect(readPolicyFiles(dir)).rejects.toThrow(/policy files over 1048576 bytes are refused/);
    await rm(dir, { recursive: true });
    await writeFile(dir, 'a file where the folder should be');
    await expect(readPolicyFiles(dir)).rejects.toMatchObject({ code: 'LA_POLICY_UNREADABLE' });
  });

  it('builds the engine from the defaults and your files, with the allow lists as facts', async () => {
    await mkdir(dir);
    await writeFile(join(dir, 'make.cedar'), '@id("me.make")\npermit (principal, action == Action::"shell.exec", resource) when { context.program == "make" };\n');
    const policy = await loadCedarPolicy({ policiesDir: dir, allowHosts: ['api.example.com'], allowCommands: ['cargo'], homeDir: '/home/me' });
    const shell = (argv: string[]): string => policy.decideNow({ principal: { type: 'Agent', id: 'r' }, action: 'shell.exec', resource: argv[0] ?? '', context: { argv, workspace: home } }).effect;
    expect([shell(['make']), shell(['cargo', 'build']), shell(['rm', '-rf', '/home/me'])]).toEqual(['allow', 'allow', 'deny']);
    expect(policy.decideNow({ principal: { type: 'Agent', id: 'r' }, action: 'http.request', resource: 'https://api.example.com/', context: {} }).effect).toBe('allow');
  });

  it('a broken file of yours stops the load with a clear error', async () => {
    await mkdir(dir);
    await writeFile(join(dir, 'broken.cedar'), 'permit (principal, action, resource)\n');
    await expect(loadCedarPolicy({ policiesDir: dir, record: record() })).rejects.toMatchObject({ code: 'LA_POLICY_SYNTAX', details: { file: join(dir, 'broken.cedar'), line: 1 } });
    expect(await audit.readAll()).toEqual([]);
  });

  it('records policy.changed with every file and its hash when the policies in force change, and only then', async () => {
    await loadCedarPolicy({ policiesDir: dir, record: record() });
    const [first] = await audit.readAll();
    expect(first).toMatchObject({ category: 'policy', action: 'changed', outcome: 'success', previous_sha256: null, allow_commands: [], allow_hosts: [] });
    expect((first?.files as { file: string; origin: string; sha256: string }[]).map((f) => f.file)).toContain('defaults/shell.cedar');
    expect((await readFile(hashFile, 'utf8')).trim()).toBe(first?.subject);

    await loadCedarPolicy({ policiesDir: dir, record: record() });
    expect(await audit.readAll()).toHaveLength(1);

    await writeFile(join(dir, 'mine.cedar'), '@id("me.no-screens")\nforbid (principal, action == Action::"os.screenshot", resource);\n');
    await loadCedarPolicy({ policiesDir: dir, record: record() });
    await loadCedarPolicy({ policiesDir: dir, allowHosts: ['example.com'], record: record() });
    const entries = await audit.readAll();
    expect(entries).toHaveLength(3);
    expect(entries[1]).toMatchObject({ previous_sha256: first?.subject, files: expect.arrayContaining([{ file: join(dir, 'mine.cedar'), origin: 'user', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string }]) as unknown });
    expect(entries[2]).toMatchObject({ previous_sha256: entries[1]?.subject, allow_hosts: ['example.com'] });
    expect((await audit.verify()).ok).toBe(true);
  });

  it('refuses to go on when the recorded fingerprint cannot be read', async () => {
    await mkdir(hashFile, { recursive: true });
    await expect(loadCedarPolicy({ policiesDir: dir, record: record() })).rejects.toMatchObject({ code: 'LA_POLICY_UNREADABLE' });
  });
});
