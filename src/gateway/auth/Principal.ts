import type { ApiRole } from './ApiRole.js';

/** Who is calling: an API token, or the holder of a client certificate (mTLS). */
export interface Principal {
  /** `Token` for bearer tokens; `User` for client certificates. */
  type: 'Token' | 'User';
  /** The token's public id, or `cert:<common name>`. */
  id: string;
  /** The token's name, or the certificate's common name: who did it, in audit entries and approvals. */
  name: string;
  role: ApiRole;
}

/** How a principal appears in audit entries and as the approver of a task. */
export function principalLabel(principal: Principal): string {
  return principal.type === 'Token' ? `token:${principal.id} (${principal.name})` : principal.id;
}
