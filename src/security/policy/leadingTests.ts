import type { PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';

/**
 * A test of context facts that cannot fail with an error: a boolean fact, `==`/`!=` with a literal,
 * `context.hazards.contains("rm-root")`, `["cat", "ls"].contains(context.program)`,
 * `context.outside_paths.isEmpty()`, `context.name like "*.pem"`, `context has mode`, and `!`,
 * `&&`, `||` of these.
 */
export interface LeadingTest {
  /** A stable text form, the same for the same test in any policy. */
  key: string;
  /** True or false for a request's facts; undefined when the fact is missing or of another type. */
  holds(context: Readonly<Record<string, unknown>>): boolean | undefined;
}

type Node = Record<string, unknown> | null;

/** The context fact an expression reads directly (`context.name`). */
function factOf(expr: unknown): string | undefined {
  const access = (expr as Node)?.['.'] as { left?: { Var?: unknown }; attr?: unknown } | undefined;
  return access?.left?.Var === 'context' && typeof access.attr === 'string' ? access.attr : undefined;
}

/** A literal string, boolean or number (`{ Value: "git" }`). */
function literalOf(expr: unknown): string | boolean | number | undefined {
  const value = (expr as Node)?.Value;
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isSafeInteger(value)) ? value : undefined;
}

/**
 * A fact of the request: only the context's own properties (`has constructor` must not find
 * `Object.prototype`'s).
 */
function own(context: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(context, name) ? context[name] : undefined;
}

/**
 * `&&` / `||` the way Cedar evaluates them: left to right, stopping at the first operand that
 * decides. Undefined stands for an operand Cedar could not evaluate (a missing fact, another type):
 * Cedar would fail there with an error, so `undefined && false` is undefined, not false.
 */
function both(a: boolean | undefined, b: () => boolean | undefined, and: boolean): boolean | undefined {
  if (a === undefined) return undefined;
  if (and) return a ? b() : false;
  return a ? true : b();
}

/** Cedar's `like`: a wildcard matches any run of characters, a literal itself; the whole string. */
function likeMatches(value: string, pattern: readonly unknown[]): boolean {
  // Code points on both sides, as Cedar compares characters: a UTF-16 walk would split emoji.
  const text = Array.from(value);
  // Greedy matching with one backtrack point (the last wildcard): linear for these patterns.
  const chars = pattern.flatMap((element) => (element === 'Wildcard' ? [undefined] : [...((element as { Literal?: string }).Literal ?? '')]));
  let t = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < chars.length && chars[p] !== undefined && chars[p] === text[t]) {
      t += 1;
      p += 1;
    } else if (p < chars.length && chars[p] === undefined) {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < chars.length && chars[p] === undefined) p += 1;
  return p === chars.length;
}

function testOf(expr: unknown): LeadingTest | undefined {
  const node = expr as Node;
  if (node === null || typeof node !== 'object') return undefined;
  const fact = factOf(node);
  if (fact !== undefined) return { key: fact, holds: (c) => (typeof own(c, fact) === 'boolean' ? (own(c, fact) as boolean) : undefined) };
  const not = node['!'] as { arg?: unknown } | undefined;
  if (not) {
    const inner = testOf(not.arg);
    return inner && { key: `!(${inner.key})`, holds: (c) => { const value = inner.holds(c); return value === undefined ? undefined : !value; } };
  }
  for (const op of ['&&', '||'] as const) {
    const pair = node[op] as { left?: unknown; right?: unknown } | undefined;
    const left = pair ? testOf(pair.left) : undefined;
    const right = pair ? testOf(pair.right) : undefined;
    if (left && right) return { key: `(${left.key}) ${op} (${right.key})`, holds: (c) => both(left.holds(c), () => right.holds(c), op === '&&') };
    if (pair) return undefined;
  }
  for (const op of ['==', '!='] as const) {
    const pair = node[op] as { left?: unknown; right?: unknown } | undefined;
    const name = pair ? factOf(pair.left) : undefined;
    const literal = pair ? literalOf(pair.right) : undefined;
    if (name !== undefined && literal !== undefined) {
      return { key: `${name} ${op} ${JSON.stringify(literal)}`, holds: (c) => (own(c, name) === undefined || typeof own(c, name) === 'object' ? undefined : (own(c, name) === literal) === (op === '==')) };
    }
  }
  const contains = node.contains as { left?: unknown; right?: unknown } | undefined;
  if (contains) {
    const set = factOf(contains.left);
    const member = literalOf(contains.right);
    if (set !== undefined && member !== undefined) return { key: `${set}.contains(${JSON.stringify(member)})`, holds: (c) => (Array.isArray(own(c, set)) ? (own(c, set) as unknown[]).includes(member) : undefined) };
    // ["echo", "cat"].contains(context.program)
    const members = ((contains.left as Node)?.Set as unknown[] | undefined)?.map(literalOf);
    const name = factOf(contains.right);
    if (members && !members.includes(undefined) && name !== undefined) {
      return { key: `${JSON.stringify(members)}.contains(${name})`, holds: (c) => (own(c, name) === undefined || typeof own(c, name) === 'object' ? undefined : members.includes(own(c, name) as string)) };
    }
    return undefined;
  }
  const isEmpty = node.isEmpty as { arg?: unknown } | undefined;
  const emptySet = isEmpty ? factOf(isEmpty.arg) : undefined;
  if (emptySet !== undefined) return { key: `${emptySet}.isEmpty()`, holds: (c) => (Array.isArray(own(c, emptySet)) ? (own(c, emptySet) as unknown[]).length === 0 : undefined) };
  const like = node.like as { left?: unknown; pattern?: unknown } | undefined;
  const text = like ? factOf(like.left) : undefined;
  if (like && text !== undefined && Array.isArray(like.pattern)) {
    const pattern = like.pattern as unknown[];
    return { key: `${text} like ${JSON.stringify(pattern)}`, holds: (c) => (typeof own(c, text) === 'string' ? likeMatches(own(c, text) as string, pattern) : undefined) };
  }
  const has = node.has as { left?: { Var?: unknown }; attr?: unknown } | undefined;
  if (has?.left?.Var === 'context' && typeof has.attr === 'string') {
    const attr = has.attr;
    return { key: `has ${attr}`, holds: (c) => own(c, attr) !== undefined };
  }
  return undefined;
}

/**
 * The tests a policy's condition starts with, in the order Cedar evaluates them: the first links
 * of the `&&` chain of its first condition, as long as each is a plain test of one fact (see
 * `LeadingTest`). Such a test cannot fail with an error, so when one is false for a request
 * Cedar stops right there and the policy does not hold — which makes it safe to leave the policy
 * out of that request's evaluation.
 */
export function leadingTests(policy: PolicyJson): LeadingTest[] {
  const first = policy.conditions[0];
  if (first?.kind !== 'when') return [];
  const links = (node: unknown): unknown[] => {
    const and = (node as Node)?.['&&'] as { left: unknown; right: unknown } | undefined;
    return and ? [...links(and.left), ...links(and.right)] : [node];
  };
  const tests: LeadingTest[] = [];
  for (const link of links(first.body)) {
    const test = testOf(link);
    if (!test) break;
    tests.push(test);
  }
  return tests;
}

/**
 * A policy's whole condition as one test, when it is nothing but plain tests of context facts
 * (every `when` and `unless` clause) and its principal and resource scopes match anything: then
 * whether it holds for a request follows from the facts alone, without Cedar. Undefined for
 * any other policy. The test itself answers undefined where Cedar would fail with an error.
 */
export function wholeConditionTest(policy: PolicyJson): LeadingTest['holds'] | undefined {
  if (policy.principal.op !== 'All' || policy.resource.op !== 'All') return undefined;
  const clauses: { test: LeadingTest; unless: boolean }[] = [];
  for (const condition of policy.conditions) {
    const test = testOf(condition.body);
    if (!test) return undefined;
    clauses.push({ test, unless: condition.kind === 'unless' });
  }
  // Cedar joins the clauses with && in order.
  return (context) => {
    for (const { test, unless } of clauses) {
      const value = test.holds(context);
      if (value === undefined) return undefined;
      if (value === unless) return false;
    }
    return true;
  };
}
