/** Counter `{key, from, to}`: one increment per breaker state change. */
export const BREAKER_TRANSITIONS_TOTAL = 'localagent_breaker_transitions_total';
/** Gauge `{key}`: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE = 'localagent_breaker_state';
/** Counter `{key}`: each retry of a failed attempt (the first try is not a retry). */
export const RETRIES_TOTAL = 'localagent_retries_total';
/** Counter `{key}`: each time a fallback replaced a failed result. */
export const FALLBACKS_TOTAL = 'localagent_fallbacks_total';
