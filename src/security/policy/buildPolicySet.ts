import { createHash } from 'node:crypto';
import { validate } from '@cedar-policy/cedar-wasm/nodejs';
import { canonicalJson } from '../../core/json/index.js';
import { CEDAR_SCHEMA } from './cedarSchema.js';
import { DEFAULT_POLICY_SOURCES } from './defaults/index.js';
import { parsePolicySource, describeCedarError, type ParsedPolicy } from './parsePolicySource.js';
import { duplicatePolicyIdError, formatLocation, policyEvaluationError, policyInvalidError } from './policyErrors.js';
import type { PolicySource } from './PolicySource.js';

/** A policy in force. */
export interface EffectivePolicy extends ParsedPolicy {
  /** For a user policy that took a default's place by using its `@id`: where that default was. */
  replaces?: string;
}

/** A file that went into the set, and its content hash. */
export interface PolicySourceHash {
  file: string;
  origin: PolicySource['origin'];
  sha256: string;
}

/** The policies in force, validated against the schema. */
export interface LoadedPolicySet {
  /** Defaults (minus those replaced), then user policies, in file order. */
  policies: readonly EffectivePolicy[];
  sources: readonly PolicySourceHash[];
  /** SHA-256 over the schema and every source's hash: changes whenever any of them does. */
  sha256: string;
  /** What Cedar's validator warns about (a condition that can never be true, …), with locations. */
  warnings: readonly string[];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Where a policy is, as `file:line:column`. */
export function locationOf(policy: ParsedPolicy): string {
  return formatLocation(policy.source, policy.position);
}

/**
 * Builds the policy set from the defaults and the user's files: a user policy whose `@id` is a
 * default's replaces that default; any other policy is added (a `forbid` adds a restriction, a
 * `permit` can allow what a default only allows after approval). Then every policy is validated
 * against the schema. Throws `LA_POLICY_SYNTAX`, `LA_POLICY_DUPLICATE_ID` or `LA_POLICY_INVALID`
 * naming the file, line and column.
 */
export function buildPolicySet(userSources: readonly PolicySource[] = [], defaults: readonly PolicySource[] = DEFAULT_POLICY_SOURCES): LoadedPolicySet {
  const defaultPolicies = uniqueById(defaults.flatMap(parsePolicySource));
  const userPolicies = uniqueById(userSources.flatMap(parsePolicySource));
  const byId = new Map(userPolicies.map((policy) => [policy.id, policy]));
  const replaced = new Map<string, string>();
  const policies: EffectivePolicy[] = [];
  for (const policy of defaultPolicies) {
    if (byId.has(policy.id)) replaced.set(policy.id, locationOf(policy));
    else policies.push(policy);
  }
  for (const policy of userPolicies) {
    const replaces = replaced.get(policy.id);
    policies.push(replaces === undefined ? policy : { ...policy, replaces });
  }
  // Validation looks at one policy at a time, and the defaults are validated by their tests, so
  // only the user's policies are validated here: a home without policy files pays nothing for it.
  const warnings = validatePolicies(policies.filter((policy) => policy.origin === 'user'));
  const sources = [...defaults, ...userSources].map((source) => ({ file: source.name, origin: source.origin, sha256: sha256Hex(source.text) }));
  const sha256 = sha256Hex(canonicalJson({ schema: sha256Hex(CEDAR_SCHEMA), sources: sources.map(({ file, sha256: hash }) => ({ file, sha256: hash })) }));
  return { policies, sources, sha256, warnings };
}

function uniqueById(policies: readonly ParsedPolicy[]): ParsedPolicy[] {
  const seen = new Map<string, ParsedPolicy>();
  for (const policy of policies) {
    const earlier = seen.get(policy.id);
    if (earlier) throw duplicatePolicyIdError(policy.id, locationOf(earlier), locationOf(policy));
    seen.set(policy.id, policy);
  }
  return [...seen.values()];
}

/** Validates policies against the schema (strict mode); returns the warnings, throws `LA_POLICY_INVALID` on the first error. */
export function validatePolicies(policies: readonly EffectivePolicy[]): string[] {
  if (policies.length === 0) return [];
  const byId = new Map(policies.map((policy) => [policy.id, policy]));
  const answer = validate({
    schema: CEDAR_SCHEMA,
    policies: { staticPolicies: Object.fromEntries(policies.map((policy) => [policy.id, policy.text])) },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') throw policyEvaluationError('validation', answer.errors.map(describeCedarError).join('; '));
  const place = (policyId: string, offset: number | undefined): { file: string; position: { line: number; column: number } } => {
    const policy = byId.get(policyId);
    if (!policy) return { file: policyId, position: { line: 1, column: 1 } };
    return { file: policy.source, position: offset === undefined ? policy.position : policy.locate(offset) };
  };
  const first = answer.validationErrors[0];
  if (first) {
    const { file, position } = place(first.policyId, first.error.sourceLocations?.[0]?.start);
    const more = answer.validationErrors.length - 1;
    throw policyInvalidError(file, position, first.policyId, `${describeCedarError(first.error)}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : ''}`);
  }
  return answer.validationWarnings.map((warning) => {
    const { file, position } = place(warning.policyId, warning.error.sourceLocations?.[0]?.start);
    return `${formatLocation(file, position)}: ${describeCedarError(warning.error)}`;
  });
}
