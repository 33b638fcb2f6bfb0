import { describe, expect, it } from 'vitest';
import type { LocalAgentError } from '../../core/errors/index.js';
import { buildPolicySet, validatePolicies } from './buildPolicySet.js';
import { DEFAULT_POLICY_SOURCES } from './defaults/index.js';
import { parsePolicySource } from './parsePolicySource.js';
import type { PolicySource } from './PolicySource.js';

const user = (text: string, name = '/home/me/.localagent/policies/team.cedar'): PolicySource => ({ name, origin: 'user', text });

function failure(fn: () => unknown): LocalAgentError {
  try {
    fn();
  } catch (error) {
    return error as LocalAgentError;
  }
  throw new Error('expected an error');
}

describe('the default policies', () => {
  const policies = DEFAULT_POLICY_SOURCES.flatMap(parsePolicySource);

  it('each have a unique, readable @id and a @reason', () => {
    for (const policy of policies) {
      expect(policy.annotations.id, policy.text).toMatch(/^[a-z]+\.(allow|deny|approve)\.[a-z-]+$/);
      expect(policy.reason?.length ?? 0, policy.id).toBeGreaterThan(20);
    }
    expect(new Set(policies.map((p) => p.id)).size).toBe(policies.length);
  });

  it('validate against the schema without a warning', () => {
    expect(validatePolicies(policies)).toEqual([]);
  });

  it('form the set when there are no files of your own', () => {
    const set = buildPolicySet();
    expect(set.policies.map((p) => p.id)).toEqual(policies.map((p) => p.id));
    expect(set.sources.map((s) => s.file)).toEqual(['defaults/files.cedar', 'defaults/shell.cedar', 'defaults/network.cedar', 'defaults/tasks.cedar', 'defaults/api.cedar']);
    expect(set.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(buildPolicySet().sha256).toBe(set.sha256);
  });
});

describe('buildPolicySet: your files', () => {
  it('adds your policies after the defaults and names the ones without @id by file and line', () => {
    const set = buildPolicySet([user('// my rules\n\npermit (principal, action == Action::"shell.exec", resource)\nwhen { context.program == "make" };\n// trailing comment\n')]);
    const mine = set.policies.filter((p) => p.origin === 'user');
    expect(mine).toEqual([expect.objectContaining({ id: 'team.cedar:3', effect: 'permit', reason: undefined, position: { line: 3, column: 1 } })]);
    expect(set.sources.at(-1)).toEqual({ file: '/home/me/.localagent/policies/team.cedar', origin: 'user', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
    expect(set.sha256).not.toBe(buildPolicySet().sha256);
  });

  it('keeps ";" and "//" inside strings, and comments with quotes, out of the way', () => {
    const text = '// a "quoted; comment\n@id("x;y") @reason("see http://example.com; really")\nforbid (principal, action == Action::"http.request", resource)\nwhen { context.host == "a;b//c" };\n@id("z") permit (principal, action == Action::"ai.generate", resource);';
    const set = buildPolicySet([user(text)]);
    expect(set.policies.filter((p) => p.origin === 'user').map((p) => [p.id, p.reason, p.position.line])).toEqual([
      ['x;y', 'see http://example.com; really', 2],
      ['z', undefined, 5],
    ]);
  });

  it('reports a syntax error with the file, line and column', () => {
    const error = failure(() => buildPolicySet([user('// header\n@id("a")\npermit (principal, action, resource)\nwhen { context.approved == };')]));
    expect(error.code).toBe('LA_POLICY_SYNTAX');
    expect(error.message).toMatch(/^\/home\/me\/\.localagent\/policies\/team\.cedar:4:28: the policy does not parse: unexpected token `}`/);
    expect(error.details).toMatchObject({ line: 4, column: 28 });
    expect(error.suggestion).toContain('ends with `;`');
  });

  it('counts columns in characters, even after non-ASCII text', () => {
    const error = failure(() => buildPolicySet([user('\n@reason("ağaç ğüş") permit (principal, action, resource) when { context.approved = 1 };')]));
    expect(error.message).toMatch(/team\.cedar:2:65: .*'=' is not a valid operator/);
  });

  it('reports a policy without its closing ";", an unclosed string, and a template', () => {
    expect(failure(() => buildPolicySet([user('permit (principal, action == Action::"ai.generate", resource);\n\npermit (principal, action, resource)')])).message).toMatch(/team\.cedar:3:37: .*unexpected end of input/);
    expect(failure(() => buildPolicySet([user('permit (principal, action, resource) when { context.x == "abc };')])).message).toMatch(/team\.cedar:1:\d+: .*(invalid token|unexpected)/);
    const template = failure(() => buildPolicySet([user('\npermit (principal == ?principal, action, resource);')]));
    expect(template.code).toBe('LA_POLICY_SYNTAX');
    expect(template.message).toMatch(/team\.cedar:2:\d+: .*template/);
  });

  it('reports a policy that does not fit the schema, with the place and Cedar\'s hint', () => {
    const unknownFact = failure(() => buildPolicySet([user('@id("mine")\npermit (principal, action == Action::"fs.read", resource)\n  when { context.nme == "x" };')]));
    expect(unknownFact.code).toBe('LA_POLICY_INVALID');
    expect(unknownFact.message).toMatch(/^\/home\/me\/\.localagent\/policies\/team\.cedar:3:10: policy "mine" does not fit the schema: .*`nme`.*did you mean `name`\?/);
    expect(unknownFact.details).toMatchObject({ policy: 'mine', line: 3, column: 10 });
    expect(failure(() => buildPolicySet([user('permit (principal, action == Action::"fs.reed", resource);')])).message).toContain('did you mean `Action::"fs.read"`?');
    const optional = failure(() => buildPolicySet([user('permit (principal, action in Action::"shell", resource) when { context.mode == "x" };')]));
    expect(optional.message).toMatch(/context has mode.*\(and 1 more problem\)/);
  });

  it('lets a policy with a default\'s @id replace it, and refuses two of your policies with one id', () => {
    const set = buildPolicySet([user('@id("os.approve.screenshot")\npermit (principal, action == Action::"os.screenshot", resource);')]);
    expect(set.policies.filter((p) => p.id === 'os.approve.screenshot')).toEqual([expect.objectContaining({ origin: 'user', replaces: 'defaults/tasks.cedar:20:1' })]);
    const twice = failure(() => buildPolicySet([user('@id("a")\npermit (principal, action == Action::"ai.generate", resource);'), user('\n@id("a")\nforbid (principal, action == Action::"ai.generate", resource);', 'b.cedar')]));
    expect(twice.code).toBe('LA_POLICY_DUPLICATE_ID');
    expect(twice.message).toBe('Two policies have the id "a": /home/me/.localagent/policies/team.cedar:1:1 and b.cedar:2:1.');
  });

  it('keeps the validator\'s warnings, with their place', () => {
    const set = buildPolicySet([user('permit (principal, action in Action::"shell", resource)\nwhen { context.program == "x" && false };')]);
    expect(set.warnings).toEqual([expect.stringMatching(/^\/home\/me\/\.localagent\/policies\/team\.cedar:1:1: .*impossible/)]);
  });
});
