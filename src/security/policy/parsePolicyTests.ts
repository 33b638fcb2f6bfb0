import { z } from 'zod';
import { parseYaml, positionOf } from '../../core/config/index.js';
import { PRINCIPAL_TYPES } from './cedarSchema.js';
import { DESCRIBABLE_CONTEXT_KEYS, type RequestDescription } from './describedRequest.js';
import type { PolicyEffect, PolicyRequest } from './Policy.js';
import { policyTestInvalidError } from './policyErrors.js';

/** One case of a `localagent policy test` file. */
export interface PolicyTestCase {
  /** Its `name`, or the action and resource. */
  name: string;
  /** Where the case starts in the file. */
  line: number;
  request: Omit<RequestDescription, 'workspace'>;
  expect: PolicyEffect;
  /** When given, the ids of the policies that must decide (in any order). */
  rules?: string[];
}

const PRINCIPAL = /^(User|Token|Agent)::(?:"((?:[^"\\]|\\.)*)"|([^"\s]+))$/;

/** `User::"alice"`, `User::alice`: the principal a person names. `undefined` when it is not one. */
export function parsePrincipal(text: string): { type: 'User' | 'Token' | 'Agent'; id: string } | undefined {
  const match = PRINCIPAL.exec(text.trim());
  if (!match) return undefined;
  return { type: match[1] as 'User' | 'Token' | 'Agent', id: match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '') };
}

const caseSchema = z.strictObject({
  name: z.string().min(1).optional(),
  action: z.string().min(1),
  resource: z.string(),
  principal: z.string().refine((value) => parsePrincipal(value) !== undefined, { message: `must be ${PRINCIPAL_TYPES.join(', ')} followed by :: and an id, e.g. User::"alice"` }).optional(),
  roles: z.array(z.string().min(1)).optional(),
  context: z
    .record(z.string(), z.union([z.string(), z.boolean(), z.number().transform(String)]))
    .refine((context) => Object.keys(context).every((key) => DESCRIBABLE_CONTEXT_KEYS.includes(key)), {
      message: `may only set ${DESCRIBABLE_CONTEXT_KEYS.join(', ')} (the facts are computed from the request)`,
    })
    .optional(),
  approved: z.boolean().optional(),
  expect: z.enum(['allow', 'deny', 'approve']),
  rules: z.array(z.string().min(1)).optional(),
});

/**
 * Reads the cases of a policy test file: a YAML list of requests, each with the decision it must
 * get. Throws `LA_YAML_SYNTAX` or `LA_POLICY_TEST_INVALID` with the line of the problem.
 */
export function parsePolicyTests(file: string, text: string): PolicyTestCase[] {
  const source = parseYaml(file, text);
  if (!Array.isArray(source.data)) throw policyTestInvalidError(file, positionOf(source, []), 'the file must be a YAML list of test cases (each item starting with "- ").');
  if (source.data.length === 0) throw policyTestInvalidError(file, positionOf(source, []), 'the list of test cases is empty.');
  return source.data.map((item: unknown, index) => {
    const line = positionOf(source, [index])?.line ?? 1;
    const parsed = caseSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = (issue?.path ?? []).filter((part): part is string | number => typeof part !== 'symbol');
      const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const where = positionOf(source, [index, ...path, ...(unknownKey !== undefined ? [unknownKey] : [])]);
      const field = [...path, ...(unknownKey !== undefined ? [unknownKey] : [])].join('.');
      throw policyTestInvalidError(file, where, `test case ${index + 1}${field ? `, ${field}` : ''}: ${issue?.message ?? 'is not valid'}.`);
    }
    const value = parsed.data;
    const principal = value.principal !== undefined ? parsePrincipal(value.principal) : undefined;
    if (value.roles && !principal) throw policyTestInvalidError(file, positionOf(source, [index, 'roles']), `test case ${index + 1}, roles: roles belong to a principal; add one, e.g. principal: User::"alice".`);
    const request: Omit<RequestDescription, 'workspace'> = {
      action: value.action,
      resource: value.resource,
      ...(principal ? { principal: { ...principal, ...(value.roles ? { roles: value.roles } : {}) } satisfies PolicyRequest['principal'] } : {}),
      ...(value.context ? { context: value.context } : {}),
      ...(value.approved !== undefined ? { approved: value.approved } : {}),
    };
    return { name: value.name ?? `${value.action} ${value.resource}`, line, request, expect: value.expect, ...(value.rules ? { rules: value.rules } : {}) };
  });
}
