/** API tokens and roles: what the gateway authenticates with, and what `localagent token` manages. */
export { TokenStore, tokenNotFound, type ApiTokenRecord, type NewApiToken, type TokenCheck, type TokenStoreOptions } from './TokenStore.js';
export { API_ROLES, isApiRole, type ApiRole } from './ApiRole.js';
export { parseLifetime } from './parseLifetime.js';
export { hashToken, tokenIdOf } from './tokenFormat.js';
