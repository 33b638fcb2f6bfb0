import { homedir } from 'node:os';
import { statefulIsAuthorized, type CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import { buildPolicySet, type EffectivePolicy, type LoadedPolicySet } from './buildPolicySet.js';
import { toCedarRequest, type CedarRequest, type FactOptions } from './cedarRequest.js';
import { describeCedarError } from './parsePolicySource.js';
import { policyEvaluationError } from './policyErrors.js';
import type { Policy, PolicyDecision, PolicyRequest } from './Policy.js';
import { PreparedPolicies, type InlinePolicy, type PreparedSet } from './PreparedPolicies.js';

export interface CedarPolicyOptions {
  /** The policies to enforce (`loadPolicySet`, `buildPolicySet`). Default: the built-in defaults alone. */
  policySet?: LoadedPolicySet;
  /** `security.allow_commands`: commands that run without approval (the `allowed_by_config` fact). */
  allowCommands?: readonly string[];
  /** `security.allow_hosts`: hosts reachable without approval (the `host_allowed_by_config` fact). */
  allowHosts?: readonly string[];
  /** The user's home folder, for the `rm -rf ~` hazard. Default: `os.homedir()`. */
  homeDir?: string;
  /**
   * Decide from the facts in TypeScript when every candidate policy is plain tests of them (see
   * `PreparedPolicies`). Default true; false sends every request to Cedar, to compare the two.
   */
  inlineDecisions?: boolean;
}

/** A decision with everything that led to it, for `localagent policy check`. */
export interface PolicyExplanation {
  decision: PolicyDecision;
  /** The request in Cedar's terms: what your own policies see. */
  cedar: { principal: string; action: string; resource: string; context: Record<string, CedarValueJson> };
  /** The policies that decided, with their files. */
  policies: EffectivePolicy[];
}

interface Outcome {
  allow: boolean;
  /** The policies that determined it: satisfied permits for allow, satisfied forbids for deny. */
  ids: string[];
}

/**
 * The policy engine: Cedar over facts computed in TypeScript. Three outcomes from Cedar's two:
 * a request Cedar allows is `allow`; one a `forbid` stops is `deny`; one nothing permits is asked
 * again as if approved (`context.approved == true`), and if that is allowed it is `approve` —
 * permitted once a person approves. `forbid` always wins. The policies are parsed once, here
 * (they were validated against the schema when loaded); each decision only sends the request.
 */
export class CedarPolicy implements Policy {
  readonly policySet: LoadedPolicySet;
  private readonly facts: FactOptions;
  private readonly byId: ReadonlyMap<string, EffectivePolicy>;
  /** Each policy's place in the set, for listing deciding policies in file order. */
  private readonly order: ReadonlyMap<string, number>;
  private readonly prepared: PreparedPolicies;

  constructor(options: CedarPolicyOptions = {}) {
    this.policySet = options.policySet ?? buildPolicySet();
    this.facts = { allowCommands: [...(options.allowCommands ?? [])], allowHosts: [...(options.allowHosts ?? [])], homeDir: options.homeDir ?? homedir() };
    this.byId = new Map(this.policySet.policies.map((policy) => [policy.id, policy]));
    this.order = new Map(this.policySet.policies.map((policy, index) => [policy.id, index]));
    this.prepared = new PreparedPolicies(this.policySet.policies, { inline: options.inlineDecisions !== false });
  }

  decide(request: PolicyRequest): Promise<PolicyDecision> {
    try {
      return Promise.resolve(this.decideNow(request));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The same decision, synchronously: Cedar never waits for anything. */
  decideNow(request: PolicyRequest): PolicyDecision {
    return this.evaluate(toCedarRequest(request, this.facts), request);
  }

  /** The decision, the facts Cedar saw, and the policies that decided. */
  explain(request: PolicyRequest): PolicyExplanation {
    const cedar = toCedarRequest(request, this.facts);
    const decision = this.evaluate(cedar, request);
    return {
      decision,
      cedar: {
        principal: `${cedar.principal.type}::${JSON.stringify(cedar.principal.id)}`,
        action: `Action::${JSON.stringify(cedar.action.id)}`,
        resource: `${cedar.resource.type}::${JSON.stringify(cedar.resource.id)}`,
        context: cedar.context,
      },
      policies: (decision.rules ?? []).flatMap((id) => this.byId.get(id) ?? []),
    };
  }

  /**
   * An approved request is decided once, by every policy. An unapproved one is decided first
   * without the policies that only hold when approved (they cannot); if nothing at all matched,
   * it is decided again as if approved by the policies that read `approved` — the others would
   * answer as they just did, matching nothing. Same outcome as deciding everything twice, with
   * a fraction of the policies each time (and PreparedPolicies leaves out those whose leading
   * guard the request fails).
   */
  private evaluate(cedar: CedarRequest, request: PolicyRequest): PolicyDecision {
    const approved = cedar.context.approved === true;
    const action = cedar.action.id;
    const first = this.authorize(cedar, this.prepared.setFor(action, approved ? 'all' : 'unapproved', { ...cedar.context, approved }), approved);
    if (first.allow) {
      const byApproval = approved && first.ids.some((id) => this.prepared.readingApproval.has(id));
      return this.decision('allow', first.ids, cedar, request, byApproval ? 'A person approved it. ' : '');
    }
    if (first.ids.length > 0) return this.decision('deny', first.ids, cedar, request);
    const approval = approved ? undefined : this.prepared.setFor(action, 'approval', { ...cedar.context, approved: true });
    if (approval && approval.size > 0) {
      const second = this.authorize(cedar, approval, true);
      if (second.allow) return this.decision('approve', second.ids, cedar, request);
      if (second.ids.length > 0) return this.decision('deny', second.ids, cedar, request);
    }
    return { effect: 'deny', reason: `No policy permits ${request.action} on ${request.resource}.`, rules: [] };
  }

  private authorize(cedar: CedarRequest, set: PreparedSet, approved: boolean): Outcome {
    if (set.size === 0) return { allow: false, ids: [] };
    const inline = set.inline && decideInline(set.inline, { ...cedar.context, approved });
    if (inline) return inline;
    const context: Record<string, CedarValueJson> = {};
    if (set.reads === 'all') Object.assign(context, cedar.context);
    else for (const name of set.reads) if (cedar.context[name] !== undefined) context[name] = cedar.context[name];
    context.approved = approved;
    const answer = statefulIsAuthorized({
      principal: cedar.principal,
      action: cedar.action,
      resource: cedar.resource,
      context,
      entities: cedar.entities.length === 0 ? set.actionEntities : [...cedar.entities, ...set.actionEntities],
      preparsedPolicySetId: set.setId,
    });
    if (answer.type === 'failure') throw policyEvaluationError(cedar.action.id, answer.errors.map(describeCedarError).join('; '));
    const { decision, diagnostics } = answer.response;
    // Cedar skips a policy whose evaluation fails. For a permit that only takes a permission away;
    // for a forbid it would let through what the forbid stops, so that counts as the forbid holding.
    const failedForbids = diagnostics.errors.map((error) => error.policyId).filter((id) => this.byId.get(id)?.effect === 'forbid');
    if (failedForbids.length > 0) return { allow: false, ids: [...new Set(failedForbids)] };
    return { allow: decision === 'allow', ids: diagnostics.reason };
  }

  private decision(effect: PolicyDecision['effect'], ids: string[], cedar: CedarRequest, request: PolicyRequest, prefix = ''): PolicyDecision {
    // Cedar reports the deciding policies in no particular order; list them in file order.
    const rules = [...ids].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
    const reasons = [...new Set(rules.map((id) => this.reasonOf(id, cedar, request)))];
    return { effect, reason: `${prefix}${reasons.join(' ')}`, rules };
  }

  /** The policy's `@reason` with `{fact}`, `{resource}` and `{action}` filled in. */
  private reasonOf(id: string, cedar: CedarRequest, request: PolicyRequest): string {
    const policy = this.byId.get(id);
    if (policy?.reason === undefined) return `Policy ${id}${policy ? ` (${policy.source}:${policy.position.line})` : ''} decided.`;
    return policy.reason.replace(/\{([a-z_]+)\}/g, (token, name: string) => {
      if (name === 'resource') return cedar.action.id.startsWith('shell.') ? cedar.resource.id : request.resource;
      if (name === 'action') return request.action;
      const value = cedar.context[name];
      if (typeof value === 'string') return value === '' ? '""' : value;
      if (Array.isArray(value)) return value.map(String).join(', ');
      return typeof value === 'boolean' ? String(value) : token;
    });
  }
}

/**
 * Cedar's answer for a subset whose every policy is a test of the facts: a holding forbid denies,
 * else a holding permit allows, else nothing applies (deny by default); the holding ones are the
 * deciding policies. Undefined when a test cannot say (a fact missing or of another type): Cedar
 * would fail on that policy, and its rules for failures apply, so Cedar decides that request.
 */
function decideInline(policies: readonly InlinePolicy[], context: Readonly<Record<string, unknown>>): Outcome | undefined {
  const forbids: string[] = [];
  const permits: string[] = [];
  for (const policy of policies) {
    const holds = policy.holds(context);
    if (holds === undefined) return undefined;
    if (holds) (policy.forbid ? forbids : permits).push(policy.id);
  }
  if (forbids.length > 0) return { allow: false, ids: forbids };
  return { allow: permits.length > 0, ids: permits };
}
