import { isAuthorized, type EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { buildPolicySet } from './buildPolicySet.js';
import { CedarPolicy } from './CedarPolicy.js';
import { toCedarRequest } from './cedarRequest.js';
import { CEDAR_SCHEMA } from './cedarSchema.js';
import type { PolicyDecision, PolicyRequest } from './Policy.js';
import { PreparedPolicies } from './PreparedPolicies.js';
import { seededRandom } from '../../core/random/index.js';

const WS = '/srv/ws';
const agent = { type: 'Agent' as const, id: 'r' };
const facts = { allowCommands: ['make', 'git fetch'], allowHosts: ['*.internal.test'], homeDir: '/home/alice' };

/** The plain way to the three outcomes: every policy, with the schema, as asked and then as if approved. */
function reference(set: ReturnType<typeof buildPolicySet>, request: PolicyRequest): Pick<PolicyDecision, 'effect' | 'rules'> {
  const cedar = toCedarRequest(request, facts);
  const policies = { staticPolicies: Object.fromEntries(set.policies.map((p) => [p.id, p.text])) };
  const roles = (request.principal.roles ?? []).map((role): EntityJson => ({ uid: { type: 'Role', id: role }, attrs: {}, parents: [] }));
  const ask = (approved: boolean): { decision: string; reason: string[] } => {
    const answer = isAuthorized({ principal: cedar.principal, action: cedar.action, resource: cedar.resource, context: { ...cedar.context, approved }, entities: [...cedar.entities, ...roles], schema: CEDAR_SCHEMA, validateRequest: true, policies });
    if (answer.type === 'failure') throw new Error(JSON.stringify(answer.errors));
    return { decision: answer.response.decision, reason: answer.response.diagnostics.reason };
  };
  const approved = cedar.context.approved === true;
  const first = ask(approved);
  if (first.decision === 'allow') return { effect: 'allow', rules: first.reason };
  if (first.reason.length > 0 || approved) return { effect: 'deny', rules: first.reason };
  const second = ask(true);
  return { effect: second.decision === 'allow' ? 'approve' : 'deny', rules: second.reason };
}

const shell = (argv: string[], approved = false): PolicyRequest => ({ principal: agent, action: 'shell.exec', resource: argv[0] ?? '', context: { argv, workspace: WS, cwd: WS, approved } });
const file = (action: string, path: string, approved = false): PolicyRequest => ({ principal: agent, action, resource: path, context: { workspace: WS, approved } });
const requests: PolicyRequest[] = [
  ...[['ls', '-la'], ['git', 'status'], ['git', 'push'], ['git', 'fetch', 'origin'], ['make', 'all'], ['node', 'x.js'], ['./x'], ['cat', '/etc/passwd'], ['sort', '-o', 'x'], ['rm', '-rf', '/'], ['bash', '-c', 'curl x | sh; reboot'], ['echo', '~'], ['git', 'log', '--output=/x']].flatMap((argv) => [shell(argv), shell(argv, true)]),
  ...[['fs.read', `${WS}/a.txt`], ['fs.read', `${WS}/.env.local`], ['fs.read', `${WS}/k/server.PEM`], ['fs.write', `${WS}/.git/config`], ['fs.write', `${WS}/o.txt`], ['fs.delete', `${WS}/o.txt`], ['fs.read', '/etc/passwd'], ['fs.read', '/dev/sda'], ['fs.chmod', `${WS}/a`]].flatMap(([action, path]) => [file(action ?? '', path ?? ''), file(action ?? '', path ?? '', true)]),
  ...['http://localhost/', 'https://a.internal.test/', 'https://example.com/', 'ftp://x/', 'nope'].map((url) => ({ principal: agent, action: 'http.request', resource: url, context: {} })),
  { principal: { type: 'User', id: 'u', roles: ['viewer'] }, action: 'api.runs.get', resource: 'Run::"r1"', context: {} },
  { principal: { type: 'Token', id: 't', roles: ['operator'] }, action: 'api.keys.set', resource: 'Key::"openai"', context: {} },
  { principal: agent, action: 'os.input', resource: 'desktop', context: {} },
  { principal: agent, action: 'db.drop', resource: 'x', context: {} },
];

describe('PreparedPolicies', () => {
  const mine = buildPolicySet([
    {
      name: 'mine.cedar',
      origin: 'user',
      text: `@id("no-chaos-net") forbid (principal, action in Action::"http", resource) when { context has mode && context.mode == "chaos" };
@id("keys") permit (principal, action == Action::"fs.read", resource) when { context.approved || context.name like "*.pem" };
@id("unless") forbid (principal, action == Action::"shell.exec", resource) unless { context.approved || context.program != "sort" };
@id("locked-emoji") forbid (principal, action in Action::"fs", resource) unless { !(context.name like "*🔒*") };
@id("locked-emoji-when") forbid (principal, action == Action::"fs.write", resource) when { context.name like "*🔒*" };
@id("own-facts-only") forbid (principal, action == Action::"http.request", resource) unless { context has constructor };`,
    },
  ]);

  it.each([
    ['the defaults', buildPolicySet()],
    ['the defaults and policies of your own', mine],
  ])('gives the same answers as evaluating every policy with the schema (%s), decided in TypeScript where it can or always by Cedar', (_name, set) => {
    const engines = [new CedarPolicy({ policySet: set, ...facts }), new CedarPolicy({ policySet: set, ...facts, inlineDecisions: false })];
    const astral = ['fs.read', 'fs.write'].flatMap((action) => [file(action, `${WS}/secret🔒.txt`), file(action, `${WS}/🔓.txt`)]);
    for (const request of [...requests, ...astral, { ...requests[0], context: { ...requests[0]?.context, mode: 'chaos' } } as PolicyRequest]) {
      const plain = reference(set, request);
      for (const policy of engines) {
        const ours = policy.decideNow(request);
        expect({ effect: ours.effect, rules: [...(ours.rules ?? [])].sort() }, JSON.stringify(request)).toEqual({ effect: plain.effect, rules: [...(plain.rules ?? [])].sort() });
      }
    }
  });

  it('decides like Cedar over hundreds of generated requests, approved or not', () => {
    const random = seededRandom(7);
    const next = (n: number): number => Math.floor(random() * n);
    const pick = <T,>(list: readonly T[]): T => list[next(list.length)] as T;
    const words = ['ls', 'rm', '-rf', '/', '~', 'git', 'push', 'status', 'sudo', 'bash', '-c', 'curl x | sh', 'make', 'dd', 'of=/dev/sda', 'chmod', '-R', '777', '/etc', 'echo', 'hi', './run', 'node', 'mkfs.ext4', 'reboot', 'cat', '.env', 'env', 'timeout', '5', 'fetch', 'origin'];
    const paths = [`${WS}/a.txt`, `${WS}/.env`, `${WS}/.git/config`, `${WS}/k.pem`, '/etc/passwd', '/home/alice/.ssh/id_rsa', '/dev/sda', `${WS}/../x`, `${WS}/deep/dir/file.md`];
    const inline = new CedarPolicy({ policySet: buildPolicySet(), ...facts });
    const cedarOnly = new CedarPolicy({ policySet: buildPolicySet(), ...facts, inlineDecisions: false });
    for (let i = 0; i < 600; i += 1) {
      const approved = next(3) === 0;
      const kind = next(3);
      const request =
        kind === 0
          ? shell(Array.from({ length: 1 + next(5) }, () => pick(words)), approved)
          : kind === 1
            ? file(pick(['fs.read', 'fs.write', 'fs.delete', 'fs.list', 'fs.move']), pick(paths), approved)
            : { principal: agent, action: 'http.request', resource: pick(['http://localhost:1/', 'https://a.internal.test/x', 'https://example.com/', 'http://169.254.169.254/']), context: { approved } };
      const a = inline.decideNow(request);
      const b = cedarOnly.decideNow(request);
      expect({ effect: a.effect, rules: a.rules }, JSON.stringify(request)).toEqual({ effect: b.effect, rules: b.rules });
    }
  });

  it('decides most tool requests of the defaults from the facts alone, and the rest with Cedar', () => {
    const prepared = new PreparedPolicies(buildPolicySet().policies);
    const inline = (action: string, request: PolicyRequest): boolean => {
      const cedar = toCedarRequest(request, facts);
      return prepared.setFor(action, 'unapproved', { ...cedar.context, approved: false }).inline !== undefined;
    };
    expect(inline('shell.exec', shell(['ls', '-la']))).toBe(true);
    expect(inline('shell.exec', shell(['rm', '-rf', '/']))).toBe(true);
    expect(inline('fs.read', file('fs.read', `${WS}/a.txt`))).toBe(true);
    expect(inline('http.request', { principal: agent, action: 'http.request', resource: 'https://example.com/', context: {} })).toBe(true);
    // Role scopes (`principal in Role::"viewer"`) are Cedar's to evaluate.
    expect(inline('api.runs.get', { principal: { type: 'User', id: 'u', roles: ['viewer'] }, action: 'api.runs.get', resource: 'Run::"r1"', context: {} })).toBe(false);
    expect(new PreparedPolicies(buildPolicySet().policies, { inline: false }).setFor('shell.exec', 'unapproved', { program: 'ls', hazards: [], approved: false }).inline).toBeUndefined();
  });
});
