/** What a token may do: `viewer` reads; `operator` also runs and approves; `admin` also manages keys, tokens and policies. */
export type ApiRole = 'viewer' | 'operator' | 'admin';

/** The roles, least to most privileged. */
export const API_ROLES: readonly ApiRole[] = ['viewer', 'operator', 'admin'];

export function isApiRole(value: unknown): value is ApiRole {
  return typeof value === 'string' && (API_ROLES as readonly string[]).includes(value);
}
