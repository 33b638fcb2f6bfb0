import { ConfigurationError, InternalError } from '../../core/errors/index.js';
import type { SourcePosition } from './sourceText.js';

/** The codes the policy engine raises (docs/errors.md). */
export const POLICY_ERROR_CODES = {
  /** A `.cedar` file does not parse. */
  syntax: 'LA_POLICY_SYNTAX',
  /** A policy parses but does not fit the schema (an unknown action, attribute or type). */
  invalid: 'LA_POLICY_INVALID',
  /** Two policies in the same set of files carry the same `@id`. */
  duplicateId: 'LA_POLICY_DUPLICATE_ID',
  /** The policies folder or a file in it cannot be read. */
  unreadable: 'LA_POLICY_UNREADABLE',
  /** Cedar could not evaluate a request; the action is stopped rather than allowed. */
  evaluation: 'LA_POLICY_EVALUATION',
  /** A `localagent policy test` file is missing or malformed. */
  testInvalid: 'LA_POLICY_TEST_INVALID',
} as const;

/** `file:line:column`, the form editors and terminals make clickable. */
export function formatLocation(file: string, position: SourcePosition): string {
  return `${file}:${position.line}:${position.column}`;
}

export function policySyntaxError(file: string, position: SourcePosition, problem: string): ConfigurationError {
  return new ConfigurationError({
    code: POLICY_ERROR_CODES.syntax,
    message: `${formatLocation(file, position)}: the policy does not parse: ${problem}`,
    suggestion: 'Fix the Cedar syntax at that line (each policy is `permit (...)` or `forbid (...)`, optional `when { … }`, and ends with `;`). Check a file with `localagent policy show`.',
    details: { file, line: position.line, column: position.column },
  });
}

export function policyInvalidError(file: string, position: SourcePosition, policyId: string, problem: string): ConfigurationError {
  return new ConfigurationError({
    code: POLICY_ERROR_CODES.invalid,
    message: `${formatLocation(file, position)}: policy "${policyId}" does not fit the schema: ${problem}`,
    suggestion: 'Use only the actions, entity types and context facts of the schema (`localagent policy show --schema`); test an optional fact with `context has name` before using it.',
    details: { file, line: position.line, column: position.column, policy: policyId },
  });
}

export function duplicatePolicyIdError(id: string, first: string, second: string): ConfigurationError {
  return new ConfigurationError({
    code: POLICY_ERROR_CODES.duplicateId,
    message: `Two policies have the id "${id}": ${first} and ${second}.`,
    suggestion: 'Give each policy its own @id. To replace a default policy, use its @id in exactly one of your files.',
    details: { id, first, second },
  });
}

export function policyUnreadableError(path: string, cause: unknown): ConfigurationError {
  return new ConfigurationError({
    code: POLICY_ERROR_CODES.unreadable,
    message: `Cannot read the policies at ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
    suggestion: 'Check that the folder and its .cedar files exist and that you may read them.',
    cause,
    details: { path },
  });
}

export function policyEvaluationError(action: string, problem: string): InternalError {
  return new InternalError({
    code: POLICY_ERROR_CODES.evaluation,
    message: `The policy engine could not decide ${action}: ${problem}. The action was stopped.`,
    suggestion: 'Check your own policies with `localagent policy check` on the same request; report it with --debug output if only the defaults are loaded.',
    details: { action },
  });
}

export function policyTestInvalidError(file: string, position: SourcePosition | undefined, problem: string): ConfigurationError {
  return new ConfigurationError({
    code: POLICY_ERROR_CODES.testInvalid,
    message: `${position ? formatLocation(file, position) : file}: ${problem}`,
    suggestion: 'A policy test file is a YAML list; each case has `action`, `resource` and `expect` (allow, deny or approve), and may have `principal`, `context`, `approved`, `rules` and `name`.',
    details: { file, ...(position ? { line: position.line, column: position.column } : {}) },
  });
}
