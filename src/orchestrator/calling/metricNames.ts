/** Counter `{model, provider, outcome}`: finished calls; outcome `success | failure | cancelled | refused`. */
export const MODEL_CALLS_TOTAL = 'localagent_model_calls_total';
/** Histogram `{model}`: call duration in seconds, from the first request sent to the last token. */
export const MODEL_CALL_SECONDS = 'localagent_model_call_seconds';
/** Counter `{model, direction}`: tokens, `direction` = `input | output`. */
export const TOKENS_TOTAL = 'localagent_tokens_total';
/** Counter `{model}`: spent US dollars, from the models' prices. */
export const COST_USD_TOTAL = 'localagent_cost_usd_total';

/** Model calls take from a fraction of a second (local, short) to minutes (long answers). */
export const CALL_SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300];
