/**
 * The Cedar schema every policy is validated against: the principals, the resources, each action
 * with the principals and resources it applies to, and the shape of its context. Context fields
 * are facts computed in TypeScript (src/security/policy/facts/); policies decide on them.
 */

/** Which context shape an action's requests carry. */
export type ContextKind = 'file' | 'shell' | 'http' | 'task' | 'unknown';

export interface ActionInfo {
  /** The Cedar entity type of the action's resource. */
  resourceType: string;
  context: ContextKind;
  /** The action groups it belongs to, nearest first, up to the area (`api.runs.get`: `api.read`, `api`). */
  groups: readonly string[];
}

/** The principal entity types; `User` and `Token` can be members of `Role`s. */
export const PRINCIPAL_TYPES: readonly string[] = Object.freeze(['User', 'Token', 'Agent']);

/**
 * The `api.*` actions of the HTTP API, by action group. Roles map onto the groups (the default
 * policies give `viewer` `api.read`; `operator` also `api.run` and `api.approve`; `admin` all).
 */
export const API_ACTION_GROUPS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'api.read': ['api.runs.list', 'api.runs.get', 'api.runs.events', 'api.models.list', 'api.plans.validate', 'api.audit.read', 'api.archive.search', 'api.archive.stats', 'api.health.read', 'api.metrics.read', 'api.docs.read'],
  'api.run': ['api.runs.start', 'api.runs.cancel', 'api.runs.resume', 'api.ask', 'api.plans.create', 'api.runs.feedback'],
  'api.approve': ['api.runs.approve', 'api.runs.deny'],
  'api.keys': ['api.keys.list', 'api.keys.set', 'api.keys.delete'],
  'api.tokens': ['api.tokens.list', 'api.tokens.create', 'api.tokens.revoke'],
  'api.policies': ['api.policies.read', 'api.policies.check'],
});

/** The resource types an `api.*` action may name; `Service` stands for the API as a whole (lists, creation). */
export const API_RESOURCE_TYPES: readonly string[] = Object.freeze(['Service', 'Run', 'Model', 'Key', 'Token', 'PolicySet']);

const TOOL_ACTIONS: Readonly<Record<string, ActionInfo>> = {
  'fs.read': { resourceType: 'Path', context: 'file', groups: ['fs'] },
  'fs.write': { resourceType: 'Path', context: 'file', groups: ['fs'] },
  'fs.delete': { resourceType: 'Path', context: 'file', groups: ['fs'] },
  'shell.exec': { resourceType: 'Command', context: 'shell', groups: ['shell'] },
  'shell.network': { resourceType: 'Command', context: 'shell', groups: ['shell'] },
  'http.request': { resourceType: 'Url', context: 'http', groups: ['http'] },
  'ai.generate': { resourceType: 'Model', context: 'task', groups: [] },
  'transform.evaluate': { resourceType: 'Expression', context: 'task', groups: [] },
  'approval.request': { resourceType: 'Task', context: 'task', groups: [] },
  'os.screenshot': { resourceType: 'Desktop', context: 'task', groups: ['os'] },
  'os.input': { resourceType: 'Desktop', context: 'task', groups: ['os'] },
};

/** What a request for an action the schema does not know is asked as. */
export const UNKNOWN_ACTION: ActionInfo = Object.freeze({ resourceType: 'Target', context: 'unknown', groups: [] });

/**
 * Every action a request may name, with its resource type, context shape and groups. An action
 * not in this list is asked as `Action::"unknown"` with `requested_action` and `area` in its
 * context, so policies still decide it (the defaults ask a person).
 */
export const KNOWN_ACTIONS: ReadonlyMap<string, ActionInfo> = new Map<string, ActionInfo>([
  ...Object.entries(TOOL_ACTIONS),
  ...Object.entries(API_ACTION_GROUPS).flatMap(([group, actions]) =>
    actions.map((action): [string, ActionInfo] => [action, { resourceType: 'Service', context: 'task', groups: [group, 'api'] }]),
  ),
]);

/** Fields every request's context has (only `approved` is always present). */
const BASE_CONTEXT = `approved: Bool,
    run_id?: String,
    plan_id?: String,
    task_id?: String,
    mode?: String,
    persona?: String,
    workspace?: String,
    dry_run?: Bool`;

const API_ACTIONS = Object.entries(API_ACTION_GROUPS)
  .map(
    ([group, actions]) =>
      `action ${actions.map((a) => `"${a}"`).join(', ')} in ["${group}"]\n  appliesTo { principal: [User, Token], resource: [${API_RESOURCE_TYPES.join(', ')}], context: TaskContext };`,
  )
  .join('\n');

/** The schema in Cedar's schema syntax (`localagent policy show --schema` prints it). */
export const CEDAR_SCHEMA = `// LocalAgent policy schema. Facts are computed in TypeScript; see docs/security/policy.md.

// Who acts. Roles (viewer, operator, admin) are given to users and API tokens by the HTTP API.
entity Role;
entity User in [Role];
entity Token in [Role];
entity Agent;

// What is acted on.
entity Path;        // a real, absolute file path
entity Command;     // a command line
entity Url;
entity Model;       // a model id, a list of them, or a selection strategy
entity Expression;  // a transform's JSONata expression (its first 200 characters)
entity Task;        // a task id (approval tasks)
entity Desktop;     // the screen, keyboard and mouse
entity Service;     // the HTTP API as a whole
entity Run;
entity Key;         // a provider's stored API key, by provider name
entity PolicySet;
entity Target;      // the resource of an action this schema does not know

type TaskContext = {
    ${BASE_CONTEXT}
};

type FileContext = {
    ${BASE_CONTEXT},
    op?: String,
    workspace_known: Bool,
    inside_workspace: Bool,
    name: String,
    segments: Set<String>,
    device: Bool
};

type ShellContext = {
    ${BASE_CONTEXT},
    cwd?: String,
    program: String,
    subcommand: String,
    args: Set<String>,
    untrusted_program_path: Bool,
    allowed_by_config: Bool,
    hazards: Set<String>,
    risky_options: Set<String>,
    outside_paths: Set<String>
};

type HttpContext = {
    ${BASE_CONTEXT},
    method?: String,
    redirected_from?: String,
    valid_url: Bool,
    scheme: String,
    host: String,
    host_allowed_by_config: Bool
};

type UnknownContext = {
    ${BASE_CONTEXT},
    requested_action: String,
    area: String
};

// Action groups, so a policy can name an area: action in Action::"fs".
action "fs", "shell", "http", "os", "api";
action "api.read", "api.run", "api.approve", "api.keys", "api.tokens", "api.policies" in ["api"];

action "fs.read", "fs.write", "fs.delete" in ["fs"]
  appliesTo { principal: [User, Token, Agent], resource: [Path], context: FileContext };
action "shell.exec", "shell.network" in ["shell"]
  appliesTo { principal: [User, Token, Agent], resource: [Command], context: ShellContext };
action "http.request" in ["http"]
  appliesTo { principal: [User, Token, Agent], resource: [Url], context: HttpContext };
action "os.screenshot", "os.input" in ["os"]
  appliesTo { principal: [User, Token, Agent], resource: [Desktop], context: TaskContext };
action "ai.generate"
  appliesTo { principal: [User, Token, Agent], resource: [Model], context: TaskContext };
action "transform.evaluate"
  appliesTo { principal: [User, Token, Agent], resource: [Expression], context: TaskContext };
action "approval.request"
  appliesTo { principal: [User, Token, Agent], resource: [Task], context: TaskContext };
action "unknown"
  appliesTo { principal: [User, Token, Agent], resource: [Target], context: UnknownContext };
${API_ACTIONS}
`;
