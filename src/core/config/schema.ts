import { z } from 'zod';
// The section schemas come from their leaf files, not the folders' index: the indexes load pino,
// pino-roll and cockatiel (~120 ms), which reading or checking config never needs.
import { logConfigSchema } from '../logging/logConfigSchema.js';
import { resilienceConfigSchema } from '../resilience/config.js';

/** Provider names become keyring accounts, env var names and URL segments, so keep them plain. */
export const providerNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" and "_" (at most 63 characters)');

export const providerTypeSchema = z.enum(['openai', 'anthropic', 'gemini', 'ollama', 'openai-compatible']);

export const providerConfigSchema = z.strictObject({
  /** Which protocol the provider speaks. */
  type: providerTypeSchema,
  /** Where it listens; the well-known providers have built-in defaults. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Longest a whole request may take. */
  timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
  /** Longest a stream may take to start before it counts as failed (and fails over). */
  first_token_timeout_ms: z.number().int().min(100).max(600_000).optional(),
  /** Most requests in flight to this provider at once. */
  max_concurrency: z.number().int().min(1).max(10_000).optional(),
  /** Whether calls need an API key; default: yes, except for ollama. */
  requires_key: z.boolean().optional(),
});

export const modelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, 'use letters, digits and . _ : / - (at most 128 characters)');

export const modelConfigSchema = z.strictObject({
  /** The name users and plans use. */
  id: modelIdSchema,
  /** Which provider serves it (a name under `providers:` or a built-in one). */
  provider: providerNameSchema,
  /** The provider's own model name. */
  model: z.string().min(1).max(256),
  /** Tokens of context the model accepts. */
  context_window: z.number().int().positive().optional(),
  /** US dollars per million tokens. */
  price: z.strictObject({ input: z.number().min(0), output: z.number().min(0) }).optional(),
  /** What it can do; selection skips models that lack what a request needs. */
  capabilities: z.array(z.enum(['text', 'json', 'vision', 'tools'])).min(1).optional(),
});

export const orchestratorConfigSchema = z.strictObject({
  /** The model `ask` and AI tasks use when none is named. Without it, `default_strategy` picks among the models that can be used here (configured ones, a detected Ollama, built-ins whose provider has a key). */
  default_model: modelIdSchema.optional(),
  /** How a model is chosen when a request names none or several. */
  default_strategy: z.enum(['explicit', 'fallback', 'fastest', 'cheapest', 'best', 'auto', 'learn']).default('auto'),
  /** Weights of the `auto` score: observed success, speed and cheapness. */
  auto_weights: z
    .strictObject({ success: z.number().min(0).default(0.6), latency: z.number().min(0).default(0.2), cost: z.number().min(0).default(0.2) })
    .prefault({}),
  /** Calls remembered per (task kind, model) for the statistics selection reads. */
  stats_window: z.number().int().min(1).max(100_000).default(200),
  /** Seed of the `learn` strategy's random draws, so a sequence of choices can be reproduced; unset: a new seed per process. */
  learn_seed: z.number().int().min(0).max(4_294_967_295).optional(),
  /** Refuse any single call that could cost more than this (US dollars). */
  max_cost_usd_per_call: z.number().positive().optional(),
  /** Refuse calls once a run has spent this much (US dollars). */
  max_cost_usd_per_run: z.number().positive().optional(),
  /** Look for Ollama on 127.0.0.1:11434 and offer its models when it answers. */
  detect_ollama: z.boolean().default(true),
});

export const keysConfigSchema = z.strictObject({
  /** Where `config set-key` stores keys: the OS keyring when usable (auto), or the encrypted vault file. */
  backend: z.enum(['auto', 'keyring', 'file']).default('auto'),
  /** How long the live check of a new key may take before it counts as a network failure. */
  validate_timeout_ms: z.number().int().min(100).max(60_000).default(5_000),
});

export const runnerConfigSchema = z.strictObject({
  /** Most tasks of a run at once (`--concurrency` overrides). */
  concurrency: z.number().int().min(1).max(1024).default(4),
  /** A task without its own `timeout` is stopped after this long. */
  default_timeout_ms: z.number().int().min(100).max(86_400_000).default(300_000),
  /** How long a task may wait for a person's approval before the request expires (`LA_APPROVAL_EXPIRED`); 0 keeps requests open forever. Default 7 days. */
  approval_timeout_ms: z.number().int().min(0).max(31_536_000_000).default(604_800_000),
  /** Most bytes of stdout and of stderr a shell task keeps. */
  max_output_bytes: z.number().int().min(1024).max(1_073_741_824).default(1_048_576),
  /** Most bytes an fs read or an http response may have. */
  max_read_bytes: z.number().int().min(1024).max(1_073_741_824).default(10_485_760),
});

export const securityConfigSchema = z.strictObject({
  /** Programs shell tasks may run without approval, besides the built-in safe list (docs/security/policy.md). */
  allow_commands: z.array(z.string().min(1)).default([]),
  /** Hosts http tasks may reach without approval, besides loopback (`example.com`, `*.example.com`). */
  allow_hosts: z.array(z.string().min(1)).default([]),
  /** OS isolation of shell tasks: `auto` uses bubblewrap when it works here, `bwrap` refuses to run shell tasks without it, `off` never isolates (docs/security/sandbox.md). */
  sandbox: z.enum(['auto', 'bwrap', 'off']).default('auto'),
  /**
   * Encrypt everything stored about run results (`.last` files, the journal's task data, stored
   * results, `.atlas` records) with AES-256-GCM under a data key kept in the keyring or the vault.
   * Losing that key loses the results (docs/security/encryption.md).
   */
  encrypt_results: z.boolean().default(false),
});

export const serverConfigSchema = z.strictObject({
  /** Where `localagent serve` listens (`--host` overrides). Anything but loopback needs TLS or `--insecure-listen`. */
  host: z.string().min(1).max(255).default('127.0.0.1'),
  /** TCP port (`--port` overrides); 0 picks a free one. */
  port: z.number().int().min(0).max(65_535).default(7878),
  /** Largest request body accepted; larger ones get 413 unread. `POST /v1/chat/completions` takes four times this. */
  body_limit_bytes: z.number().int().min(1024).max(104_857_600).default(1_048_576),
  /** Requests per token (or per address, without one) per window; more get 429 with Retry-After. */
  rate_limit: z
    .strictObject({
      max: z.number().int().min(1).max(10_000_000).default(1200),
      window_ms: z.number().int().min(1000).max(3_600_000).default(60_000),
      /** Failed authentications per address per window; past it, bad tokens get 429 and are no longer audited one by one. */
      auth_failures: z.number().int().min(1).max(1_000_000).default(50),
    })
    .prefault({}),
  /** Open `GET /v1/runs/{id}/events` streams: per token (or certificate) and in all; more get 429. */
  event_streams: z
    .strictObject({
      per_token: z.number().int().min(1).max(100_000).default(32),
      total: z.number().int().min(1).max(1_000_000).default(1000),
    })
    .prefault({}),
  /** Browser origins allowed to call the API (exact, like `https://app.example.com`); empty: no CORS at all. */
  cors_origins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin: scheme, host and port, no path')).default([]),
  /** Serve `/docs` and `/openapi.json` without a token (they describe the API and hold no data). */
  public_docs: z.boolean().default(true),
  /** A request's headers must arrive within this time (slow clients are cut off with 408). */
  headers_timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
  /** A whole request (headers and body) must arrive within this time. */
  request_timeout_ms: z.number().int().min(100).max(3_600_000).default(30_000),
  /** How long an idle keep-alive connection stays open. */
  keep_alive_timeout_ms: z.number().int().min(100).max(600_000).default(5_000),
  /** Where runs started over the API work (`--workspace` overrides); default: the folder `serve` starts in. */
  workspace: z.string().min(1).optional(),
});

export const databaseConfigSchema = z.strictObject({
  /**
   * A `postgres://` or `postgresql://` URL: keep runs, results, the archive and the audit copy in
   * PostgreSQL instead of the SQLite file in the home. `LOCALAGENT_DATABASE_URL` overrides it.
   */
  url: z.string().min(1).max(2048).optional(),
});

/** The whole configuration. Every section is optional in files; defaults fill the rest. */
export const archiveConfigSchema = z.strictObject({
  /** Model calls and ratings older than this count no more for model selection (the statistics' sliding window in time; `orchestrator.stats_window` bounds it in calls). */
  stats_max_age_days: z.number().int().min(1).max(3650).default(30),
});

export const configSchema = z.strictObject({
  log: logConfigSchema.prefault({}),
  resilience: resilienceConfigSchema.prefault({}),
  keys: keysConfigSchema.prefault({}),
  providers: z.record(providerNameSchema, providerConfigSchema).default({}),
  models: z.array(modelConfigSchema).default([]),
  orchestrator: orchestratorConfigSchema.prefault({}),
  runner: runnerConfigSchema.prefault({}),
  security: securityConfigSchema.prefault({}),
  database: databaseConfigSchema.prefault({}),
  server: serverConfigSchema.prefault({}),
  archive: archiveConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type OrchestratorConfig = z.infer<typeof orchestratorConfigSchema>;
export type RunnerConfig = z.infer<typeof runnerConfigSchema>;
export type SecurityConfig = z.infer<typeof securityConfigSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;
export type ServerConfig = z.infer<typeof serverConfigSchema>;
