/**
 * The policy actions the API's routes ask for (the `api.*` actions of the Cedar schema,
 * src/security/policy/cedarSchema.ts). The default policies allow them by group and role: viewer
 * `api.read`; operator also `api.run` and `api.approve`; admin every group.
 */
export type ApiAction =
  // api.read
  | 'api.runs.list'
  | 'api.runs.get'
  | 'api.runs.events'
  | 'api.models.list'
  | 'api.plans.validate'
  | 'api.audit.read'
  | 'api.archive.search'
  | 'api.archive.stats'
  | 'api.health.read'
  | 'api.metrics.read'
  | 'api.docs.read'
  // api.run
  | 'api.runs.start'
  | 'api.runs.cancel'
  | 'api.runs.resume'
  | 'api.runs.feedback'
  | 'api.plans.create'
  | 'api.ask'
  // api.approve
  | 'api.runs.approve'
  | 'api.runs.deny'
  // api.keys, api.tokens, api.policies
  | 'api.keys.list'
  | 'api.keys.set'
  | 'api.keys.delete'
  | 'api.tokens.list'
  | 'api.tokens.create'
  | 'api.tokens.revoke'
  | 'api.policies.read'
  | 'api.policies.check';

/** What a route's `config.action` holds: an action, or `public` for the few routes open without a token. */
export type RouteAction = ApiAction | 'public';
