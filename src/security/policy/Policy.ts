/** What a tool (or, later, the HTTP API) asks the security layer before it acts. */
export interface PolicyRequest {
  /**
   * Who acts: the agent running a plan, a user, an API token. `roles` (`viewer`, `operator`,
   * `admin`) make a User or Token a member of those Cedar `Role`s, for the `api.*` actions.
   */
  principal: { type: 'Agent' | 'User' | 'Token'; id: string; roles?: readonly string[] };
  /** `fs.read`, `fs.write`, `fs.delete`, `shell.exec`, `shell.network`, `http.request`, `ai.generate`, `os.screenshot`, `api.runs.get`, … */
  action: string;
  /** What it acts on: a real path, the argv[0] of a command, a URL, a model id, a run id. */
  resource: string;
  /**
   * What the caller knows: `run_id`, `plan_id`, `task_id`, `mode`, `persona`, `workspace`,
   * `approved`, and per action `argv` and `cwd` (shell), `method` (http), `op` (fs). The policy
   * derives its facts (docs/security/policy.md) from these.
   */
  context: Record<string, string | number | boolean | string[] | undefined>;
}

/** `approve`: permitted once a person approves it. */
export type PolicyEffect = 'allow' | 'deny' | 'approve';

export interface PolicyDecision {
  effect: PolicyEffect;
  /** A sentence a person understands: why. */
  reason: string;
  /** The ids of the policies that decided, for `policy check` and the audit log. */
  rules?: string[];
}

/**
 * The security layer as its callers see it: the runner's tools, `run --dry-run`, and the HTTP API.
 * `CedarPolicy` implements it.
 */
export interface Policy {
  decide(request: PolicyRequest): Promise<PolicyDecision>;
}
