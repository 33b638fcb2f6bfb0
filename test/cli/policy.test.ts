import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, type CliRun } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();

async function setup(): Promise<{ home: string; ws: string; la: (argv: string[]) => Promise<CliRun> }> {
  const home = await tempDir();
  const ws = await tempDir();
  return { home, ws, la: (argv) => runInProcess(['--home', home, ...argv], { cwd: ws, env: { USER: 'tester' } }) };
}

const check = (action: string, resource: string, ...rest: string[]): string[] => ['policy', 'check', '--action', action, '--resource', resource, ...rest];

describe('localagent policy check', () => {
  it('prints the decision, the reason and the deciding policy; exit 0 allow, 3 deny, 4 needs approval', async () => {
    const { la } = await setup();
    const allow = await la(check('shell.exec', 'git status'));
    expect(allow.code, allow.stderr).toBe(0);
    expect(allow.stdout).toContain('allow  shell.exec  Command::"git status"');
    expect(allow.stdout).toContain('decided by: shell.allow.safe-program (defaults/shell.cedar:45:1)');

    const deny = await la(check('shell.exec', 'sudo rm -rf /'));
    expect(deny.code).toBe(3);
    expect(deny.stdout).toMatch(/deny .*\n\s+reason:\s+rm -r on \//);
    expect(deny.stdout).toContain('shell.deny.rm-root');

    const approve = await la(check('fs.delete', 'old.log'));
    expect(approve.code).toBe(4);
    expect(approve.stdout).toContain('needs approval  fs.delete');
    expect((await la(check('fs.delete', 'old.log', '--approved'))).code).toBe(0);
  });

  it('computes the facts as a run would, and shows them with --json', async () => {
    const { la, ws } = await setup();
    const run = await la([...check('shell.exec', "cat '../secret file.txt'", '--context', 'mode=chaos', '--context', 'dry_run=true'), '--json']);
    expect(run.code).toBe(4);
    const result = JSON.parse(run.stdout) as { effect: string; rules: string[]; policies: { id: string; source: string; line: number }[]; request: { resource: string; context: Record<string, unknown> } };
    expect(result).toMatchObject({ effect: 'approve', rules: ['shell.approve.path-outside-workspace'], policies: [{ id: 'shell.approve.path-outside-workspace', source: 'defaults/shell.cedar' }] });
    expect(result.request.resource).toBe(`Command::"cat '../secret file.txt'"`);
    expect(result.request.context).toMatchObject({ program: 'cat', outside_paths: ['../secret file.txt'], mode: 'chaos', dry_run: true, workspace: ws, cwd: ws, approved: false });
    const outside = JSON.parse((await la([...check('fs.read', '/etc/hostname'), '--json'])).stdout) as { effect: string; rules: string[] };
    expect(outside).toMatchObject({ effect: 'deny', rules: ['fs.deny.outside-workspace'] });
  });

  it('decides API actions by the principal\'s roles', async () => {
    const { la } = await setup();
    expect((await la(check('api.runs.get', 'Run::"run-1"', '--principal', 'User::"alice"', '--role', 'viewer'))).code).toBe(0);
    const denied = await la(check('api.keys.set', 'Key::"openai"', '--principal', 'Token::t1', '--role', 'operator'));
    expect(denied.code).toBe(3);
    expect(denied.stdout).toContain('(no policy permits it: denied by default)');
  });

  it('explains bad input: a principal, a context fact, a role alone, an unknown action', async () => {
    const { la } = await setup();
    const principal = await la(check('fs.read', 'a', '--principal', 'alice'));
    expect(principal.code).toBe(2);
    expect(principal.stderr).toContain('--principal "alice" is not a principal');
    const fact = await la(check('fs.read', 'a', '--context', 'hazard=x'));
    expect(fact.code).toBe(2);
    expect(fact.stderr).toContain('--context cannot set "hazard"');
    expect((await la(check('fs.read', 'a', '--context', 'mode'))).stderr).toContain('is not key=value');
    expect((await la(check('api.runs.get', 'x', '--role', 'admin'))).stderr).toContain('--role needs a --principal');
    const typo = await la(check('fs.reed', 'a'));
    expect(typo.code).toBe(4);
    expect(typo.stderr).toContain('Did you mean "fs.read"?');
    expect((await la(check('shell.exec', "echo 'x"))).stderr).toContain('LA_INPUT_INVALID');
    expect((await la(['policy', 'check', '--action', 'fs.read'])).code).toBe(2);
  });
});

describe('localagent policy show', () => {
  it('lists the policies in force, your files, and which defaults they replace', async () => {
    const { la, home } = await setup();
    const before = await la(['policy', 'show']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^ID\s+EFFECT\s+FROM\s+REASON/);
    expect(before.stdout).toMatch(/shell\.deny\.rm-root\s+forbid\s+defaults\/shell\.cedar:5/);
    expect(before.stdout).toContain(`no files of your own in ${join(home, 'policies')}`);

    await mkdir(join(home, 'policies'), { recursive: true });
    await writeFile(join(home, 'policies', 'team.cedar'), '@id("fs.approve.delete")\n@reason("We delete freely in the workspace.")\npermit (principal, action == Action::"fs.delete", resource)\nwhen { context.inside_workspace };\n');
    const after = await la(['policy', 'show']);
    expect(after.stdout).toMatch(/fs\.approve\.delete\s+permit\s+team\.cedar:1\s+We delete freely/);
    expect(after.stdout).toContain(`fs.approve.delete (${join(home, 'policies', 'team.cedar')}:1:1) replaces the default at defaults/files.cedar:50:1`);
    expect((await la(check('fs.delete', 'x.txt'))).code).toBe(0);

    const json = JSON.parse((await la(['policy', 'show', '--json'])).stdout) as { sha256: string; files: { file: string; origin: string }[]; policies: { id: string; origin: string; replaces?: string }[] };
    expect(json.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.files.at(-1)).toMatchObject({ file: join(home, 'policies', 'team.cedar'), origin: 'user' });
    expect(json.policies.find((p) => p.id === 'fs.approve.delete')).toMatchObject({ origin: 'user', replaces: 'defaults/files.cedar:50:1' });
  });

  it('prints the Cedar text and the schema', async () => {
    const { la } = await setup();
    const text = await la(['policy', 'show', '--text']);
    expect(text.stdout).toContain('// defaults/files.cedar:8:1\n@id("fs.deny.outside-workspace")');
    expect(text.stdout).toContain('// defaults/shell.cedar:5:1\n// Shell commands');
    const schema = await la(['policy', 'show', '--schema']);
    expect(schema.stdout).toContain('action "shell.exec", "shell.network" in ["shell"]');
    expect(JSON.parse((await la(['policy', 'show', '--schema', '--json'])).stdout)).toHaveProperty('schema');
  });

  it('stops with the file, line and column when a policy file of yours is broken, for every command that needs the policy', async () => {
    const { la, home, ws } = await setup();
    await mkdir(join(home, 'policies'), { recursive: true });
    await writeFile(join(home, 'policies', 'broken.cedar'), '// mine\nforbid (principal, action == Action::"shell.exec", resource)\nwhen { context.programme == "curl" };\n');
    const show = await la(['policy', 'show']);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain(`error LA_POLICY_INVALID: ${join(home, 'policies', 'broken.cedar')}:3:8: policy "broken.cedar:2" does not fit the schema`);
    expect(show.stderr).toContain('did you mean `program`?');
    await writeFile(join(ws, 'p.alt.yaml'), 'alt: 1\ntitle: t\ntasks:\n  - id: a\n    kind: shell\n    argv: [echo, hi]\n');
    const run = await la(['run', 'p.alt.yaml', '--dry-run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('LA_POLICY_INVALID');
  });
});

describe('localagent policy test', () => {
  it('runs each case and says pass or fail; exit 1 when one fails', async () => {
    const { la, ws } = await setup();
    await writeFile(
      join(ws, 'cases.yaml'),
      `- name: no rm of root
  action: shell.exec
  resource: rm -rf /
  expect: deny
  rules: [shell.deny.rm-root]
- action: fs.read
  resource: notes.txt
  expect: allow
- name: wrong on purpose
  action: http.request
  resource: https://example.com/
  expect: allow
`,
    );
    const run = await la(['policy', 'test', 'cases.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('pass  no rm of root → deny');
    expect(run.stdout).toContain('pass  fs.read notes.txt → allow');
    expect(run.stdout).toContain('FAIL  wrong on purpose (cases.yaml:9): expected allow, got approve by http.approve.host');
    expect(run.stdout).toContain('2 passed, 1 failed');
    const json = JSON.parse((await la(['policy', 'test', 'cases.yaml', '--json'])).stdout) as { ok: boolean; passed: number; failed: number; cases: { name: string; pass: boolean; line: number }[] };
    expect(json).toMatchObject({ ok: false, passed: 2, failed: 1 });
    expect(json.cases[2]).toMatchObject({ name: 'wrong on purpose', pass: false, line: 9 });

    await writeFile(join(ws, 'good.yaml'), '- action: ai.generate\n  resource: auto\n  expect: allow\n- action: shell.exec\n  resource: rm -rf /\n  expect: deny\n  rules: [shell.deny.power]\n');
    const rules = await la(['policy', 'test', 'good.yaml']);
    expect(rules.code).toBe(1);
    expect(rules.stdout).toContain('expected deny by shell.deny.power, got deny by shell.deny.rm-root');
  });

  it('names the line of a problem in the file, and a missing file', async () => {
    const { la, ws } = await setup();
    await writeFile(join(ws, 'bad.yaml'), '- action: fs.read\n  resource: a\n  expect: perhaps\n');
    const bad = await la(['policy', 'test', 'bad.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error LA_POLICY_TEST_INVALID: bad.yaml:3:11: test case 1, expect:');
    const missing = await la(['policy', 'test', 'nope.yaml', '--json']);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'LA_POLICY_TEST_INVALID', message: 'nope.yaml: the file does not exist.' } });
  });
});

describe('policy changes are audited', () => {
  it('writes policy.changed when the policies in force change', async () => {
    const { la, home } = await setup();
    expect((await la(check('ai.generate', 'auto'))).code).toBe(0);
    expect((await la(check('ai.generate', 'auto'))).code).toBe(0);
    await mkdir(join(home, 'policies'), { recursive: true });
    await writeFile(join(home, 'policies', 'no-ai.cedar'), '@id("me.no-ai")\nforbid (principal, action == Action::"ai.generate", resource);\n');
    expect((await la(check('ai.generate', 'auto'))).code).toBe(3);
    const entries = JSON.parse((await la(['audit', 'show', '--json'])).stdout) as { category: string; action: string; previous_sha256: string | null; files: { file: string }[] }[];
    const changes = entries.filter((e) => e.category === 'policy' && e.action === 'changed');
    expect(changes).toHaveLength(2);
    expect(changes[0]?.previous_sha256).toBeNull();
    expect(changes[1]?.files.map((f) => f.file)).toContain(join(home, 'policies', 'no-ai.cedar'));
    expect((await la(['audit', 'verify'])).code).toBe(0);
  });
});

describe('policies see the plan a task belongs to', () => {
  it('passes the plan id, mode and persona to the policy, and audits AI calls it denies', async () => {
    const { la, home, ws } = await setup();
    await mkdir(join(home, 'policies'), { recursive: true });
    await writeFile(
      join(home, 'policies', 'plans.cedar'),
      `@id("me.locked-plan") @reason("The plan {plan_id} is locked.")
forbid (principal, action == Action::"shell.exec", resource) when { context has plan_id && context.plan_id == "alt-locked" };
@id("me.no-chaos-ai")
forbid (principal, action == Action::"ai.generate", resource) when { context has mode && context.mode == "chaos" };
@id("me.no-pirate-files")
forbid (principal, action == Action::"fs.write", resource) when { context has persona && context.persona == "pirate" };
`,
    );
    const shellPlan = (id: string): string => `alt: 1\nid: ${id}\ntitle: t\ntasks:\n  - id: hi\n    kind: shell\n    argv: [echo, hi]\n`;
    await writeFile(join(ws, 'locked.alt.yaml'), shellPlan('alt-locked'));
    await writeFile(join(ws, 'open.alt.yaml'), shellPlan('alt-open'));
    await writeFile(join(ws, 'chaos.alt.yaml'), 'alt: 1\ntitle: t\nmode: chaos\nchaos_level: 1\ntasks:\n  - id: ask\n    kind: ai\n    prompt: hello\n    model: nowhere\n');
    await writeFile(join(ws, 'pirate.alt.yaml'), 'alt: 1\ntitle: t\npersona: pirate\ntasks:\n  - id: save\n    kind: fs\n    op: write\n    path: x.txt\n    content: arr\n');

    const locked = await la(['run', 'locked.alt.yaml', '--json']);
    expect(locked.code).toBe(3);
    expect(locked.stdout).toContain('The plan alt-locked is locked.');
    expect((await la(['run', 'open.alt.yaml'])).code).toBe(0);
    const chaos = await la(['run', 'chaos.alt.yaml', '--json']);
    expect(chaos.code).toBe(3);
    expect(chaos.stdout).toContain('LA_POLICY_DENIED');
    expect((await la(['run', 'pirate.alt.yaml'])).code).toBe(3);

    const entries = JSON.parse((await la(['audit', 'show', '--json'])).stdout) as { category: string; action: string; outcome: string; rules?: string[] }[];
    const denials = entries.filter((e) => e.category === 'policy' && e.outcome === 'denied').map((e) => e.action);
    expect(denials).toEqual(['shell.exec', 'ai.generate', 'fs.write']);
  });
});
