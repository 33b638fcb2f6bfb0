import type { Metrics } from '../../core/metrics/index.js';
import type { Policy, PolicyDecision } from '../../security/policy/index.js';
import { forbidden } from '../errors.js';
import type { Principal } from './Principal.js';

/** Counter `{action, effect}`: the API's authorisation decisions. */
export const API_POLICY_DECISIONS_TOTAL = 'localagent_policy_decisions_total';

/**
 * Role-based access through the policy engine: each request asks the policy whether the principal
 * (a member of its role) may take the route's action on its resource (`Run::"…"`, `Key::"…"`, or
 * the route itself). Only `allow` lets the request through; `deny` and `approve` (nobody can
 * approve an HTTP request while it waits) answer 403.
 */
export class Authorizer {
  /**
   * Decisions already made, per policy instance: an API request's decision depends only on the
   * principal, its role, the action and the resource (its context is empty), and a policy instance
   * never changes, so asking Cedar again (about a millisecond) would give the same answer.
   */
  private readonly cache = new WeakMap<Policy, Map<string, PolicyDecision>>();
  private decisions: ReturnType<Metrics['counter']> | undefined;

  constructor(
    private readonly policy: () => Promise<Policy>,
    private readonly metrics: Metrics,
    /** Told of each refusal before the 403 goes out (the gateway audits it). */
    private readonly onDeny: (principal: Principal, action: string, resource: string, decision: PolicyDecision) => Promise<void>,
    /** Most decisions remembered per policy; past it the cache starts over. */
    private readonly maxCached = 10_000,
  ) {}

  async decide(principal: Principal, action: string, resource: string): Promise<PolicyDecision> {
    const policy = await this.policy();
    let decisions = this.cache.get(policy);
    if (!decisions) {
      decisions = new Map();
      this.cache.set(policy, decisions);
    }
    const key = JSON.stringify([principal.type, principal.id, principal.role, action, resource]);
    let decision = decisions.get(key);
    if (!decision) {
      decision = await policy.decide({ principal: { type: principal.type, id: principal.id, roles: [principal.role] }, action, resource, context: {} });
      if (decisions.size >= this.maxCached) decisions.clear();
      decisions.set(key, decision);
    }
    this.decisions ??= this.metrics.counter(API_POLICY_DECISIONS_TOTAL, 'Policy decisions by action and outcome.', ['action', 'effect']);
    this.decisions.inc({ action, effect: decision.effect });
    return decision;
  }

  /** Throws `LA_API_FORBIDDEN` unless the policy allows it. */
  async check(principal: Principal, action: string, resource: string): Promise<void> {
    const decision = await this.decide(principal, action, resource);
    if (decision.effect === 'allow') return;
    await this.onDeny(principal, action, resource, decision);
    throw forbidden(action, principal.role, decision.reason);
  }
}
