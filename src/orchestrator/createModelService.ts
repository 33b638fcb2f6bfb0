import type { OrchestratorConfig } from '../core/config/index.js';
import type { Metrics } from '../core/metrics/index.js';
import type { BreakerSnapshot, LoggerLike, Resilience } from '../core/resilience/index.js';
import type { Tracer } from '../core/telemetry/index.js';
import { ProviderCaller, shouldFailOver } from './calling/index.js';
import { keySourceFromStore, routeAiSdkWarnings, type GetKey } from './providers/index.js';
import type { ModelRegistry } from './registry/index.js';
import { InMemoryModelStats, Orchestrator, type ModelCatalog } from './selection/index.js';
import type { ModelSpec, ModelStats } from './types/index.js';

/** Where keys come from: the key store (`KeyStore` satisfies it). */
export interface KeyLookup {
  get(provider: string): Promise<{ value: Buffer }>;
  list(options?: { providers?: readonly string[] }): Promise<{ provider: string }[]>;
}

export interface ModelServiceOptions {
  registry: ModelRegistry;
  config: OrchestratorConfig;
  resilience: Resilience;
  /** The key store, built on first use. */
  keys: () => Promise<KeyLookup>;
  /** Every key string handed to an SDK is registered here (the app's Redactor). */
  onSecret?: (value: string) => void;
  metrics?: Metrics;
  logger?: LoggerLike & { warn(obj: object, msg?: string): void };
  /** Statistics selection reads (the app passes the archive's); default in-memory over `stats_window` calls. */
  stats?: ModelStats;
  /** Replaces fetch for every provider (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** Traces every model call (a `chat <model>` span); default none. */
  tracer?: Tracer;
}

/** Everything about models: what exists, what can be used here, calling them, and their health. */
export interface ModelService {
  readonly registry: ModelRegistry;
  readonly caller: ProviderCaller;
  readonly orchestrator: Orchestrator;
  readonly stats: ModelStats;
  /** The models selection chooses among: configured, detected Ollama, built-ins whose provider has a key. */
  readonly available: ModelSpec[];
  /** Circuit breaker states, one per provider that has been called. */
  breakers(): BreakerSnapshot[];
}

/**
 * Builds the model service: the registry (plus a detected Ollama), the provider caller with its
 * per-provider resilience, statistics, and the selecting orchestrator on top. The caller records
 * statistics; the orchestrator is told not to, so nothing is counted twice.
 */
export async function createModelService(options: ModelServiceOptions): Promise<ModelService> {
  const { registry, config } = options;
  if (config.detect_ollama) await registry.detectOllama();
  if (options.logger) routeAiSdkWarnings(options.logger);
  const stats = options.stats ?? new InMemoryModelStats({ window: config.stats_window });
  const getKey: GetKey = keySourceFromStore(options.keys);
  const caller = new ProviderCaller({
    registry,
    resilience: options.resilience,
    getKey,
    onSecret: options.onSecret,
    stats,
    metrics: options.metrics,
    logger: options.logger,
    fetch: options.fetch,
    maxCostUsdPerCall: config.max_cost_usd_per_call,
    maxCostUsdPerRun: config.max_cost_usd_per_run,
    tracer: options.tracer,
  });
  const keyed = new Set<string>();
  const providersWithKeys = async (): Promise<Set<string>> => {
    if (keyed.size === 0) {
      const names = registry.providers().map((p) => p.name);
      for (const entry of await (await options.keys()).list({ providers: names })) keyed.add(entry.provider);
    }
    return keyed;
  };
  const available = await registry.availableModels(async (provider) => (await providersWithKeys()).has(provider));
  const catalog: ModelCatalog = { list: () => available, get: (id) => registry.findModel(id) };
  const orchestrator = new Orchestrator({
    caller,
    catalog,
    stats,
    config,
    shouldFailOver,
    recordStats: false,
    ...(config.learn_seed !== undefined ? { seed: config.learn_seed } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    registry,
    caller,
    orchestrator,
    stats,
    available,
    breakers: () => options.resilience.breakers.snapshot(),
  };
}
