import type { CedarValueJson, EntityJson, TypeAndId } from '@cedar-policy/cedar-wasm/nodejs';
import { API_RESOURCE_TYPES, KNOWN_ACTIONS, PRINCIPAL_TYPES } from './cedarSchema.js';
import { formatCommandLine } from './facts/commandLine.js';
import { fileFacts } from './facts/fileFacts.js';
import { httpFacts } from './facts/httpFacts.js';
import { shellFacts } from './facts/shellFacts.js';
import type { PolicyRequest } from './Policy.js';
import { policyEvaluationError } from './policyErrors.js';

/** Settings that become facts: the config's allow lists and the home folder. */
export interface FactOptions {
  /** `security.allow_commands`. */
  allowCommands: readonly string[];
  /** `security.allow_hosts`. */
  allowHosts: readonly string[];
  /** For the `rm -rf ~` hazard. */
  homeDir: string;
}

/** A request as Cedar sees it: entities, and a context of facts. */
export interface CedarRequest {
  principal: TypeAndId;
  action: TypeAndId;
  resource: TypeAndId;
  context: Record<string, CedarValueJson>;
  /** The principal with its roles, when it has any. */
  entities: EntityJson[];
}

const BASE_STRINGS = ['run_id', 'plan_id', 'task_id', 'mode', 'persona', 'workspace'] as const;
/** `Type::"id"`, for naming an API resource such as `Run::"run-123"`. */
const ENTITY_LITERAL = /^([A-Z][A-Za-z]*)::"((?:[^"\\]|\\.)*)"$/;

/**
 * Turns a request into Cedar's terms. The facts (docs/security/policy.md) are computed here, in
 * TypeScript, because Cedar cannot parse argv or URLs or resolve paths; the policies decide on
 * them. An action the schema does not know becomes `Action::"unknown"` with `requested_action`
 * and `area` (its first dotted part) in the context.
 */
export function toCedarRequest(request: PolicyRequest, options: FactOptions): CedarRequest {
  // Requests are evaluated without the schema (CedarPolicy), so what TypeScript's types promise is checked here.
  if (!PRINCIPAL_TYPES.includes(request.principal.type)) {
    throw policyEvaluationError(request.action, `the principal type "${String(request.principal.type)}" is not one of ${PRINCIPAL_TYPES.join(', ')}`);
  }
  const raw = request.context;
  const context: Record<string, CedarValueJson> = { approved: raw.approved === true };
  for (const name of BASE_STRINGS) {
    const value = raw[name];
    if (typeof value === 'string') context[name] = value;
  }
  if (typeof raw.dry_run === 'boolean') context.dry_run = raw.dry_run;
  const workspace = typeof raw.workspace === 'string' ? raw.workspace : undefined;
  const info = KNOWN_ACTIONS.get(request.action);
  let resource: TypeAndId;
  switch (info?.context) {
    case 'file':
      if (typeof raw.op === 'string') context.op = raw.op;
      Object.assign(context, fileFacts(request.resource, workspace));
      resource = { type: info.resourceType, id: request.resource };
      break;
    case 'shell': {
      const argv = Array.isArray(raw.argv) && raw.argv.length > 0 ? raw.argv : [request.resource];
      const cwd = typeof raw.cwd === 'string' ? raw.cwd : undefined;
      if (cwd !== undefined) context.cwd = cwd;
      Object.assign(context, shellFacts({ argv, workspace, cwd }, options));
      resource = { type: info.resourceType, id: formatCommandLine(argv) };
      break;
    }
    case 'http':
      if (typeof raw.method === 'string') context.method = raw.method;
      if (typeof raw.redirected_from === 'string') context.redirected_from = raw.redirected_from;
      Object.assign(context, httpFacts(request.resource, options.allowHosts));
      resource = { type: info.resourceType, id: request.resource };
      break;
    case 'task':
      resource = request.action.startsWith('api.') ? apiResource(request.resource) : { type: info.resourceType, id: request.resource };
      break;
    default:
      context.requested_action = request.action;
      context.area = request.action.split('.')[0] ?? '';
      resource = { type: 'Target', id: request.resource };
  }
  const roles = request.principal.roles ?? [];
  return {
    principal: { type: request.principal.type, id: request.principal.id },
    action: { type: 'Action', id: info ? request.action : 'unknown' },
    resource,
    context,
    entities: roles.length === 0 ? [] : [{ uid: { type: request.principal.type, id: request.principal.id }, attrs: {}, parents: roles.map((role) => ({ type: 'Role', id: role })) }],
  };
}

/** `Run::"run-1"` names a run; anything else is the API as a whole (`Service`). */
function apiResource(resource: string): TypeAndId {
  const match = ENTITY_LITERAL.exec(resource);
  if (match?.[1] !== undefined && match[2] !== undefined && API_RESOURCE_TYPES.includes(match[1])) {
    return { type: match[1], id: match[2].replace(/\\(.)/g, '$1') };
  }
  return { type: 'Service', id: resource };
}
