import type { PolicySource } from '../PolicySource.js';

/** The HTTP API: what each role may do, by action group. */
export const API_POLICIES: PolicySource = {
  name: 'defaults/api.cedar',
  origin: 'default',
  text: `// The HTTP API (api.*). The server gives each user or token its roles; a principal without a
// role may do nothing. Groups: api.read, api.run, api.approve, api.keys, api.tokens, api.policies.

@id("api.allow.viewer")
@reason("Viewers may read runs, models, plans and the audit log.")
permit (principal in Role::"viewer", action in Action::"api.read", resource);

@id("api.allow.operator")
@reason("Operators may read, start and control runs, and approve or deny waiting tasks.")
permit (principal in Role::"operator", action in [Action::"api.read", Action::"api.run", Action::"api.approve"], resource);

@id("api.allow.admin")
@reason("Admins may use the whole API, including keys, tokens and policies.")
permit (principal in Role::"admin", action in Action::"api", resource);
`,
};
