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
});

export const keysConfigSchema = z.strictObject({
  /** Where `config set-key` stores keys: the OS keyring when usable (auto), or the encrypted vault file. */
  backend: z.enum(['auto', 'keyring', 'file']).default('auto'),
  /** How long the live check of a new key may take before it counts as a network failure. */
  validate_timeout_ms: z.number().int().min(100).max(60_000).default(5_000),
});

/** The whole configuration. Every section is optional in files; defaults fill the rest. */
export const configSchema = z.strictObject({
  log: logConfigSchema.prefault({}),
  resilience: resilienceConfigSchema.prefault({}),
  keys: keysConfigSchema.prefault({}),
  providers: z.record(providerNameSchema, providerConfigSchema).default({}),
});

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
