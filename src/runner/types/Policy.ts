// The policy contract belongs to the security layer (src/security/policy); the runner and its
// tools only depend on the interface, re-exported here so their imports stay within the runner.
export type { Policy, PolicyDecision, PolicyEffect, PolicyRequest } from '../../security/policy/index.js';
