import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from './index.js';
import { compileForChild, runChild, type ChildBuild } from '../../../test/support/compileForChild.js';

describe('AuditLog across processes', () => {
  let build: ChildBuild;
  let home: string;

  beforeAll(async () => {
    build = await compileForChild();
    home = await mkdtemp(join(tmpdir(), 'la-audit-proc-'));
  });
  afterAll(async () => {
    await build?.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  it('keeps one valid chain when three processes append at the same time', async () => {
    const script = await build.script(
      'append-child.mjs',
      `import { AuditLog } from './security/audit/index.js';
const [file, name, count] = process.argv.slice(2);
const log = new AuditLog({ file });
for (let i = 0; i < Number(count); i += 1) {
  await log.append({ category: 'test', action: 'append', outcome: 'success', actor: name, i });
}
`,
    );
    const file = join(home, 'audit', 'shared.jsonl');
    const results = await Promise.all(['a', 'b', 'c'].map((name) => runChild(script, [file, name, '40'])));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });

    const log = new AuditLog({ file });
    expect(await log.verify()).toMatchObject({ ok: true, entries: 120, anchor: 'ok' });
    const entries = await log.readAll();
    for (const name of ['a', 'b', 'c']) {
      const mine = entries.filter((e) => e.actor === name).map((e) => e.i);
      expect(mine).toEqual(Array.from({ length: 40 }, (_, i) => i));
    }
  });
});
