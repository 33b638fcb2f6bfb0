import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalAgentError } from '../../core/errors/index.js';
import { describedRequest } from './describedRequest.js';
import { parsePolicyTests, parsePrincipal } from './parsePolicyTests.js';

function failure(fn: () => unknown): LocalAgentError {
  try {
    fn();
  } catch (error) {
    return error as LocalAgentError;
  }
  throw new Error('expected an error');
}

describe('policy test files', () => {
  it('reads a list of cases with their expectations', () => {
    const cases = parsePolicyTests('t.yaml', `# cases
- name: no rm of root
  action: shell.exec
  resource: rm -rf /
  expect: deny
  rules: [shell.deny.rm-root]
- action: api.runs.get
  resource: Run::"r1"
  principal: User::"alice"
  roles: [viewer]
  context: { mode: chaos, dry_run: true, task_id: 7 }
  approved: false
  expect: allow
`);
    expect(cases).toEqual([
      { name: 'no rm of root', line: 2, request: { action: 'shell.exec', resource: 'rm -rf /' }, expect: 'deny', rules: ['shell.deny.rm-root'] },
      {
        name: 'api.runs.get Run::"r1"',
        line: 7,
        request: { action: 'api.runs.get', resource: 'Run::"r1"', principal: { type: 'User', id: 'alice', roles: ['viewer'] }, context: { mode: 'chaos', dry_run: true, task_id: '7' }, approved: false },
        expect: 'allow',
      },
    ]);
  });

  it('names the line of what is wrong', () => {
    expect(failure(() => parsePolicyTests('t.yaml', 'action: x\n'))).toMatchObject({ code: 'LA_POLICY_TEST_INVALID', message: expect.stringMatching(/^t\.yaml:1:1: the file must be a YAML list/) as string });
    expect(failure(() => parsePolicyTests('t.yaml', '[]\n')).message).toContain('empty');
    const badExpect = failure(() => parsePolicyTests('t.yaml', '- action: fs.read\n  resource: a\n  expect: allow\n- action: fs.read\n  resource: a\n  expect: maybe\n'));
    expect(badExpect.message).toMatch(/^t\.yaml:6:11: test case 2, expect: /);
    expect(failure(() => parsePolicyTests('t.yaml', '- action: fs.read\n  resource: a\n  expect: allow\n  colour: red\n')).message).toMatch(/^t\.yaml:4:\d+: test case 1, colour: /);
    expect(failure(() => parsePolicyTests('t.yaml', '- action: fs.read\n  resource: a\n  expect: allow\n  context: { hazards: x }\n')).message).toMatch(/t\.yaml:4:\d+: test case 1, context: may only set run_id/);
    expect(failure(() => parsePolicyTests('t.yaml', '- action: fs.read\n  resource: a\n  expect: allow\n  principal: Robot::x\n')).message).toMatch(/t\.yaml:4:\d+: test case 1, principal: must be User, Token, Agent/);
    expect(failure(() => parsePolicyTests('t.yaml', '- action: api.runs.get\n  resource: a\n  expect: allow\n  roles: [admin]\n')).message).toMatch(/t\.yaml:4:\d+: test case 1, roles: roles belong to a principal/);
    expect(failure(() => parsePolicyTests('t.yaml', '- action: [\n')).code).toBe('LA_YAML_SYNTAX');
  });

  it('parses principals as people write them', () => {
    expect(parsePrincipal('User::"al ice"')).toEqual({ type: 'User', id: 'al ice' });
    expect(parsePrincipal(' Token::t1 ')).toEqual({ type: 'Token', id: 't1' });
    expect(parsePrincipal('Agent::"a\\"b"')).toEqual({ type: 'Agent', id: 'a"b' });
    expect(parsePrincipal('user::x')).toBeUndefined();
    expect(parsePrincipal('User:x')).toBeUndefined();
  });
});

describe('describedRequest', () => {
  it('builds the request a tool would send: argv and cwd for shell, the real path for fs', async () => {
    const base = await mkdtemp(join(tmpdir(), 'la-described-'));
    try {
      await mkdir(join(base, 'real'));
      await symlink(join(base, 'real'), join(base, 'link'));
      const shell = await describedRequest({ action: 'shell.exec', resource: `grep -n 'a b' src`, workspace: join(base, 'link'), context: { cwd: 'src', mode: 'normal' } });
      expect(shell).toEqual({
        principal: { type: 'Agent', id: 'policy-check' },
        action: 'shell.exec',
        resource: 'grep',
        context: { mode: 'normal', cwd: join(base, 'real', 'src'), workspace: join(base, 'real'), approved: false, argv: ['grep', '-n', 'a b', 'src'] },
      });
      const fs = await describedRequest({ action: 'fs.read', resource: 'notes.txt', workspace: join(base, 'link'), approved: true, principal: { type: 'User', id: 'me' } });
      expect(fs).toMatchObject({ principal: { type: 'User', id: 'me' }, resource: join(base, 'real', 'notes.txt'), context: { approved: true } });
      expect((await describedRequest({ action: 'fs.chmod', resource: '/etc/passwd', workspace: base })).resource).toBe('/etc/passwd');
      expect((await describedRequest({ action: 'http.request', resource: 'https://x.test/', workspace: base })).resource).toBe('https://x.test/');
      await expect(describedRequest({ action: 'shell.exec', resource: `echo 'oops`, workspace: base })).rejects.toMatchObject({ code: 'LA_INPUT_INVALID', message: expect.stringContaining('never closed') as string });
      await expect(describedRequest({ action: 'shell.exec', resource: '  ', workspace: base })).rejects.toThrow(/is empty/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
