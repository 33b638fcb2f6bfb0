/**
 * Policy enforcement with Cedar: every tool call (and, later, every API call) is a request
 * `(principal, action, resource, context)`; facts are computed in TypeScript, decisions are made
 * by Cedar policies — the built-in defaults plus the user's `<home>/policies/*.cedar`.
 * See docs/security/policy.md.
 */
export type { Policy, PolicyDecision, PolicyEffect, PolicyRequest } from './Policy.js';
export { CedarPolicy, type CedarPolicyOptions, type PolicyExplanation } from './CedarPolicy.js';
export { toCedarRequest, type CedarRequest, type FactOptions } from './cedarRequest.js';
export { loadCedarPolicy, type LoadCedarPolicyOptions } from './loadCedarPolicy.js';
export { buildPolicySet, locationOf, type EffectivePolicy, type LoadedPolicySet, type PolicySourceHash } from './buildPolicySet.js';
export { readPolicyFiles, MAX_POLICY_FILE_BYTES } from './readPolicyFiles.js';
export { recordPolicyChange, type RecordPolicyChangeOptions } from './recordPolicyChange.js';
export { CEDAR_SCHEMA, KNOWN_ACTIONS, API_ACTION_GROUPS, API_RESOURCE_TYPES, PRINCIPAL_TYPES, type ActionInfo, type ContextKind } from './cedarSchema.js';
export { DEFAULT_POLICY_SOURCES } from './defaults/index.js';
export type { PolicySource } from './PolicySource.js';
export { POLICY_ERROR_CODES, policyTestInvalidError, formatLocation } from './policyErrors.js';
export { splitCommandLine, formatCommandLine } from './facts/commandLine.js';
export { SHELL_HAZARDS, type ShellHazard } from './facts/shellHazards.js';
export { hostMatches, normalizeHost } from './facts/httpFacts.js';
export type { SourcePosition } from './sourceText.js';
export { describedRequest, DESCRIBABLE_CONTEXT_KEYS, type RequestDescription } from './describedRequest.js';
export { parsePolicyTests, parsePrincipal, type PolicyTestCase } from './parsePolicyTests.js';
