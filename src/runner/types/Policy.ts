/** What a tool asks the security layer before it acts. */
export interface PolicyRequest {
  /** Who acts: the agent running a plan, a user, an API token. */
  principal: { type: 'Agent' | 'User' | 'Token'; id: string };
  /** `fs.read`, `fs.write`, `fs.delete`, `shell.exec`, `http.request`, `ai.generate`, `os.screenshot`, `os.input`, … */
  action: string;
  /** What it acts on: a real path, the argv[0] of a command, a URL, a model id. */
  resource: string;
  /** Facts the decision may use: run and plan ids, mode, workspace root, the full argv, whether already approved. */
  context: Record<string, string | number | boolean | string[] | undefined>;
}

/** `approve`: permitted once a person approves it. */
export type PolicyEffect = 'allow' | 'deny' | 'approve';

export interface PolicyDecision {
  effect: PolicyEffect;
  /** A sentence a person understands: why. */
  reason: string;
  /** Which rules decided (ids), for `policy check` and the audit log. */
  rules?: string[];
}

/**
 * The security layer as the runner sees it. The default rules live in the runner for now; the
 * Cedar engine (security issue) will implement this same interface.
 */
export interface Policy {
  decide(request: PolicyRequest): Promise<PolicyDecision>;
}
