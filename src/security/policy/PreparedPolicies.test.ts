import { isAuthorized, type EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { buildPolicySet } from './buildPolicySet.js';
import { CedarPolicy } from './CedarPolicy.js';
import { toCedarRequest } from './cedarRequest.js';
import { CEDAR_SCHEMA } from './cedarSchema.js';
import type { PolicyDecision, PolicyRequest } from './Policy.js';

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
@id("unless") forbid (principal, action == Action::"shell.exec", resource) unless { context.approved || context.program != "sort" };`,
    },
  ]);

  it.each([
    ['the defaults', buildPolicySet()],
    ['the defaults and policies of your own', mine],
  ])('gives the same answers as evaluating every policy with the schema (%s)', (_name, set) => {
    const policy = new CedarPolicy({ policySet: set, ...facts });
    for (const request of [...requests, { ...requests[0], context: { ...requests[0]?.context, mode: 'chaos' } } as PolicyRequest]) {
      const ours = policy.decideNow(request);
      const plain = reference(set, request);
      expect({ effect: ours.effect, rules: [...(ours.rules ?? [])].sort() }, JSON.stringify(request)).toEqual({ effect: plain.effect, rules: [...(plain.rules ?? [])].sort() });
    }
  });
});
