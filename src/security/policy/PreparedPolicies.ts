import { preparsePolicySet, type ActionConstraint, type CedarValueJson, type EntityJson, type EntityUidJson, type PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { sha256Hex, type EffectivePolicy } from './buildPolicySet.js';
import { KNOWN_ACTIONS, UNKNOWN_ACTION } from './cedarSchema.js';
import { conditionsUse, contextAttributes } from './contextAttributes.js';
import { leadingTests, wholeConditionTest, type LeadingTest } from './leadingTests.js';
import { describeCedarError } from './parsePolicySource.js';
import { policyEvaluationError } from './policyErrors.js';

/**
 * Which look at a request: `all` for an approved request; `unapproved` for the first look at one
 * that is not; `approval` for the second look, "as if approved", which only needs the policies
 * that read `approved`.
 */
export type EvaluationPass = 'all' | 'unapproved' | 'approval';

/** One pre-parsed subset of the policies, and what a request evaluated against it must carry. */
export interface PreparedSet {
  /** The name cedar-wasm keeps it under. */
  setId: string;
  /** How many policies it holds. */
  size: number;
  /** The context facts its policies read; `'all'` when one reads `context` whole. */
  reads: ReadonlySet<string> | 'all';
  /** The action and its groups as entities, when a policy needs them to see `action in Action::"shell"`. */
  actionEntities: EntityJson[];
  /**
   * Each policy of the subset with its whole condition as a test of the facts, when every policy
   * of the subset has one (`wholeConditionTest`): the request is then decided from these, the way
   * Cedar would, without crossing into WebAssembly. Undefined when any policy needs Cedar.
   */
  inline?: readonly InlinePolicy[];
}

/** A policy whose condition is plain tests of facts. */
export interface InlinePolicy {
  id: string;
  forbid: boolean;
  holds: NonNullable<ReturnType<typeof wholeConditionTest>>;
}

interface ActionPolicies {
  /** The action and its groups, nearest first. */
  lineage: string[];
  /** The policies whose action scope can match it. */
  policies: EffectivePolicy[];
  /** Every distinct leading test of those policies. */
  tests: LeadingTest[];
  /** For each policy, the indexes of its leading tests in `tests`. */
  testsOf: number[][];
}

/**
 * The policies, pre-parsed in the subsets requests need. Cedar evaluates every policy of a set
 * for every request, at a cost per policy, so a request is evaluated only against the policies
 * that can matter to it: those whose action scope matches its action, minus those with a leading
 * test that is false for the request's facts (see `leadingTests`: Cedar would stop at that test
 * too) — the same answer from a fraction of the policies. Within a
 * subset every action scope already holds, so the subset is pre-parsed with the scopes dropped and
 * needs no action entities (unless a condition looks at `action`). Requests carry only the facts
 * their subset reads, and are evaluated without the schema: the policies were validated against it
 * when loaded, and the facts are typed in TypeScript (a test checks them against the schema).
 *
 * Subsets are pre-parsed on first use and kept; cedar-wasm keeps them under content-hash names, so
 * instances with the same policies share them (it has no way to drop one, so a name is never reused
 * for other content).
 */
export class PreparedPolicies {
  private readonly byAction = new Map<string, ActionPolicies>();
  private readonly tests = new Map<string, LeadingTest[]>();
  private readonly reads = new Map<string, Set<string> | 'all'>();
  private readonly readsAction = new Set<string>();
  private readonly whole = new Map<string, InlinePolicy>();
  /** Policies that read `context.approved`. */
  readonly readingApproval: ReadonlySet<string>;
  private readonly sets = new Map<string, PreparedSet>();
  private readonly variants = new Map<string, PreparedSet>();

  /** `inline: false` sends every request to Cedar (to compare the two in tests and benchmarks). */
  constructor(policies: readonly EffectivePolicy[], options: { inline?: boolean } = {}) {
    for (const policy of policies) {
      const holds = options.inline === false ? undefined : wholeConditionTest(policy.json);
      if (holds) this.whole.set(policy.id, { id: policy.id, forbid: policy.effect === 'forbid', holds });
      this.tests.set(policy.id, leadingTests(policy.json));
      this.reads.set(policy.id, contextAttributes(policy.json));
      if (conditionsUse(policy.json, 'action')) this.readsAction.add(policy.id);
    }
    this.readingApproval = new Set([...this.reads].filter(([, read]) => read === 'all' || read.has('approved')).map(([id]) => id));
    for (const [action, info] of [...KNOWN_ACTIONS, ['unknown', UNKNOWN_ACTION] as const]) {
      const lineage = [action, ...info.groups];
      const matching = policies.filter((policy) => scopeMatches(policy.json.action, lineage));
      const tests = [...new Map(matching.flatMap((policy) => this.tests.get(policy.id) ?? []).map((test) => [test.key, test])).values()];
      const index = new Map(tests.map((test, i) => [test.key, i]));
      const testsOf = matching.map((policy) => (this.tests.get(policy.id) ?? []).map((test) => index.get(test.key) ?? -1));
      this.byAction.set(action, { lineage, policies: matching, tests, testsOf });
    }
  }

  /**
   * The subset for a request of `action` (a schema action or `unknown`) in `pass`, given its facts
   * (with `approved` as the pass has it).
   */
  setFor(action: string, pass: EvaluationPass, context: Readonly<Record<string, CedarValueJson>>): PreparedSet {
    const entry = this.byAction.get(action);
    if (!entry) throw policyEvaluationError(action, 'the action is not in the schema');
    let outcome = '';
    for (const test of entry.tests) outcome += test.holds(context) === false ? '0' : '1';
    const key = `${action}\n${pass}\n${outcome}`;
    const known = this.variants.get(key);
    if (known) return known;
    const policies = entry.policies.filter(
      (policy, i) => (pass !== 'approval' || this.readingApproval.has(policy.id)) && !(entry.testsOf[i] ?? []).some((test) => outcome.charAt(test) === '0'),
    );
    const set = this.prepare(policies, entry.lineage);
    this.variants.set(key, set);
    return set;
  }

  private prepare(policies: readonly EffectivePolicy[], lineage: readonly string[]): PreparedSet {
    // JavaScript numbers cannot hold every Cedar Long, so a policy with a large literal keeps its
    // text (and its scope, which may then need the action's groups as entities).
    const kept = new Set(policies.filter((policy) => !numbersFitJavaScript(policy.json)));
    const needsGroups = policies.some((policy) => this.readsAction.has(policy.id) || (kept.has(policy) && policy.json.action.op === 'in'));
    const setId = `localagent-policies-${sha256Hex([needsGroups ? lineage.join(' ') : '', ...policies.map((policy) => `${policy.id}\n${policy.text}`)].join('\n'))}`;
    const known = this.sets.get(setId);
    if (known) return known;
    const staticPolicies = Object.fromEntries(policies.map((policy): [string, PolicyJson | string] => [policy.id, kept.has(policy) ? policy.text : { ...policy.json, action: { op: 'All' } }]));
    const answer = preparsePolicySet(setId, { staticPolicies });
    if (answer.type === 'failure') throw policyEvaluationError(lineage[0] ?? '', answer.errors.map(describeCedarError).join('; '));
    const read = policies.map((policy) => this.reads.get(policy.id) ?? 'all');
    const inline = policies.map((policy) => this.whole.get(policy.id));
    const set: PreparedSet = {
      setId,
      size: policies.length,
      reads: read.includes('all') ? 'all' : new Set(read.flatMap((attributes) => (attributes === 'all' ? [] : [...attributes]))),
      actionEntities: needsGroups
        ? lineage.map((id, index) => ({ uid: { type: 'Action', id }, attrs: {}, parents: index + 1 < lineage.length ? [{ type: 'Action', id: lineage[index + 1] ?? '' }] : [] }))
        : [],
      ...(inline.every((entry) => entry !== undefined) ? { inline } : {}),
    };
    this.sets.set(setId, set);
    return set;
  }
}

/** The action id an entity reference names (`{ type, id }` or `{ __entity: { type, id } }`). */
function actionIdOf(entity: EntityUidJson): string {
  return '__entity' in entity ? entity.__entity.id : entity.id;
}

/** Whether a policy's action scope can match an action, given the action and its groups. */
function scopeMatches(scope: ActionConstraint, lineage: readonly string[]): boolean {
  if (scope.op === 'All') return true;
  if (scope.op === '==') return 'entity' in scope && actionIdOf(scope.entity) === lineage[0];
  const entities = 'entities' in scope ? scope.entities : [scope.entity];
  return entities.some((entity) => lineage.includes(actionIdOf(entity)));
}

/** Whether every number in a policy's JSON form survived the trip through JavaScript intact. */
function numbersFitJavaScript(policy: PolicyJson): boolean {
  const visit = (node: unknown): boolean => {
    if (typeof node === 'number') return Number.isSafeInteger(node);
    if (typeof node !== 'object' || node === null) return true;
    return (Array.isArray(node) ? node : Object.values(node)).every(visit);
  };
  return visit(policy.conditions);
}
