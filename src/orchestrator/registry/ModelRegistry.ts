import { modelIdSchema, type Config, type ModelConfig, type OrchestratorConfig, type ProviderConfig } from '../../core/config/index.js';
import { ConfigurationError, UserInputError } from '../../core/errors/index.js';
import type { LoggerLike } from '../../core/resilience/index.js';
import { didYouMean } from '../../core/text/index.js';
import type { ModelSpec, ProviderSpec } from '../types/index.js';
import {
  BUILTIN_MODELS,
  BUILTIN_PROVIDERS,
  DEFAULT_BASE_URL_BY_TYPE,
  defaultCapabilities,
  OLLAMA_DEFAULT_URL,
  PROVIDER_DEFAULTS,
} from './builtins.js';
import { fetchOllamaModels } from './fetchOllamaModels.js';

export interface ModelRegistryOptions {
  /** `providers:` from config. Merged over the built-in providers; config wins field by field. */
  providers?: Record<string, ProviderConfig> | undefined;
  /** `models:` from config. */
  models?: ModelConfig[] | undefined;
  /** The `orchestrator:` settings the registry reads. */
  orchestrator?: Partial<Pick<OrchestratorConfig, 'default_model' | 'detect_ollama'>> | undefined;
  /** Offer the built-in model entries (default true). Configured ids always replace them. */
  builtinModels?: boolean | undefined;
  logger?: LoggerLike | undefined;
}

export interface DetectOllamaOptions {
  fetch?: typeof globalThis.fetch | undefined;
  /** How long to wait for Ollama to answer. Default 300 ms. */
  timeoutMs?: number | undefined;
  /** Where to look; default: the `ollama` provider's base URL without its `/v1`. */
  baseUrl?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** How `detectOllama` names the models it finds. */
export const OLLAMA_MODEL_PREFIX = 'ollama/';

const LIST_COMMAND = 'localagent models list';

/**
 * The providers and models LocalAgent can call: the built-in ones, what config adds or overrides,
 * and what a local Ollama offers. Built once by the composition root from the config sections;
 * `detectOllama` may add entries later (the only change after construction).
 */
export class ModelRegistry {
  private readonly providerSpecs = new Map<string, ProviderSpec>();
  private readonly configured: ModelSpec[] = [];
  private readonly builtins: ModelSpec[] = [];
  private detected: ModelSpec[] = [];
  private readonly defaultModelId: string | undefined;
  private readonly detectEnabled: boolean;
  private readonly logger: LoggerLike | undefined;

  constructor(options: ModelRegistryOptions = {}) {
    this.logger = options.logger;
    this.defaultModelId = options.orchestrator?.default_model;
    this.detectEnabled = options.orchestrator?.detect_ollama ?? true;
    const problems: string[] = [];

    for (const [name, builtin] of Object.entries(BUILTIN_PROVIDERS)) {
      this.providerSpecs.set(name, { name, ...builtin, ...PROVIDER_DEFAULTS });
    }
    for (const [name, config] of Object.entries(options.providers ?? {})) {
      const spec = this.mergeProvider(name, config, problems);
      if (spec) this.providerSpecs.set(name, spec);
    }

    const seen = new Map<string, number>();
    (options.models ?? []).forEach((config, index) => {
      const where = `models[${index}] ("${config.id}")`;
      const first = seen.get(config.id);
      if (first !== undefined) {
        problems.push(`${where}: the id "${config.id}" is already used by models[${first}]; model ids must be unique`);
        return;
      }
      seen.set(config.id, index);
      if (!this.providerSpecs.has(config.provider)) {
        problems.push(
          `${where} names the provider "${config.provider}", which is neither built in nor configured under providers:.` +
            didYouMean(config.provider, this.providerSpecs.keys()),
        );
        return;
      }
      this.configured.push({
        id: config.id,
        provider: config.provider,
        model: config.model,
        ...(config.context_window !== undefined ? { contextWindow: config.context_window } : {}),
        price: { input: config.price?.input ?? 0, output: config.price?.output ?? 0 },
        capabilities: [...(config.capabilities ?? defaultCapabilities((this.providerSpecs.get(config.provider) as ProviderSpec).type))],
      });
    });

    if (problems.length > 0) {
      throw new ConfigurationError({
        message:
          problems.length === 1
            ? `Invalid model configuration: ${problems[0]}`
            : `The model configuration has ${problems.length} problems: ${problems.map((p, i) => `(${i + 1}) ${p}`).join('; ')}`,
        suggestion: `Fix the providers: and models: sections of your config, then check with \`localagent config validate\` and \`${LIST_COMMAND}\`.`,
        details: { problems },
      });
    }

    if (options.builtinModels ?? true) {
      // A configured model with the same id replaces the built-in one, never the other way round.
      this.builtins = BUILTIN_MODELS.filter((m) => !seen.has(m.id) && this.providerSpecs.has(m.provider)).map(cloneModel);
    }
  }

  /** Builds the registry from the loaded config's `providers`, `models` and `orchestrator` sections. */
  static fromConfig(
    config: Pick<Config, 'providers' | 'models' | 'orchestrator'>,
    options: Omit<ModelRegistryOptions, 'providers' | 'models' | 'orchestrator'> = {},
  ): ModelRegistry {
    return new ModelRegistry({ ...options, providers: config.providers, models: config.models, orchestrator: config.orchestrator });
  }

  /** Every model: configured ones in config order, then detected Ollama models, then built-in ones. */
  list(): ModelSpec[] {
    return [...this.configured, ...this.detected, ...this.builtins].map(cloneModel);
  }

  /** The model with this id, or `undefined` (selection's `ModelCatalog.get`). */
  get(id: string): ModelSpec | undefined {
    return this.findModel(id);
  }

  /**
   * The models that can be used here: configured and detected ones always (a missing key is then
   * reported when called), built-in ones only when `hasKey(provider)` says their provider has a key,
   * so a fresh install without keys is not offered models it cannot call.
   */
  async availableModels(hasKey: (provider: string) => Promise<boolean>): Promise<ModelSpec[]> {
    const keyed = new Map<string, boolean>();
    for (const provider of new Set(this.builtins.map((m) => m.provider))) {
      const spec = this.providerSpecs.get(provider);
      keyed.set(provider, spec?.requiresKey === false || (await hasKey(provider).catch(() => false)));
    }
    return [...this.configured, ...this.detected, ...this.builtins.filter((m) => keyed.get(m.provider) === true)].map(cloneModel);
  }

  /** The model with this id, or `undefined`. */
  findModel(id: string): ModelSpec | undefined {
    const found = this.configured.find((m) => m.id === id) ?? this.detected.find((m) => m.id === id) ?? this.builtins.find((m) => m.id === id);
    return found ? cloneModel(found) : undefined;
  }

  /** The model with this id; an unknown id is a `LA_MODEL_UNKNOWN` user error with a did-you-mean. */
  model(id: string): ModelSpec {
    const found = this.findModel(id);
    if (found) return found;
    const ids = this.list().map((m) => m.id);
    throw new UserInputError({
      code: 'LA_MODEL_UNKNOWN',
      message: `There is no model "${id}".${didYouMean(id, ids)}`,
      suggestion: `See the available models with \`${LIST_COMMAND}\`, or add one under models: in your config.`,
      details: { model: id },
    });
  }

  /** Every provider, built-in and configured, sorted by name. */
  providers(): ProviderSpec[] {
    return [...this.providerSpecs.values()].map((p) => ({ ...p })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The provider with this name; unknown → `LA_PROVIDER_UNKNOWN`. */
  provider(name: string): ProviderSpec {
    const found = this.providerSpecs.get(name);
    if (found) return { ...found };
    throw new UserInputError({
      code: 'LA_PROVIDER_UNKNOWN',
      message: `There is no provider "${name}".${didYouMean(name, this.providerSpecs.keys())}`,
      suggestion: `See the configured models and their providers with \`${LIST_COMMAND}\`, or add the provider under providers: in your config.`,
      details: { provider: name },
    });
  }

  /**
   * `orchestrator.default_model`, resolved (an unknown id throws `LA_MODEL_UNKNOWN`; it may name an
   * Ollama model, so call after `detectOllama`). `undefined` when none is configured: then the
   * default strategy chooses among `availableModels`.
   */
  defaultModel(): ModelSpec | undefined {
    return this.defaultModelId === undefined ? undefined : this.model(this.defaultModelId);
  }

  /**
   * Asks a local Ollama which models it has and offers each as `ollama/<name>` (price 0), served by
   * the `ollama` provider. Replaces what an earlier detection found. Never throws: when Ollama does
   * not answer (or `orchestrator.detect_ollama` is false) it returns `[]` and offers nothing.
   * Models already configured — the same id, or the same Ollama model under another id — are skipped.
   */
  async detectOllama(options: DetectOllamaOptions = {}): Promise<ModelSpec[]> {
    if (!this.detectEnabled) return [];
    const provider = this.providerSpecs.get('ollama');
    const baseUrl = options.baseUrl ?? (provider ? provider.baseUrl.replace(/\/v1\/?$/, '') : OLLAMA_DEFAULT_URL);
    const names = await fetchOllamaModels({ baseUrl, timeoutMs: options.timeoutMs ?? 300, fetch: options.fetch, signal: options.signal });
    if (names === undefined) {
      this.logger?.debug({ base_url: baseUrl }, 'no Ollama answered; not offering local models');
      this.detected = [];
      return [];
    }
    const configuredIds = new Set(this.configured.map((m) => m.id));
    const configuredOllama = new Set(this.configured.filter((m) => m.provider === 'ollama').map((m) => m.model));
    const found: ModelSpec[] = [];
    for (const name of names) {
      const id = `${OLLAMA_MODEL_PREFIX}${name}`;
      if (configuredIds.has(id) || configuredOllama.has(name) || found.some((m) => m.id === id)) continue;
      if (!modelIdSchema.safeParse(id).success) {
        this.logger?.debug({ model: name }, 'skipping an Ollama model whose name cannot be a LocalAgent model id');
        continue;
      }
      found.push({ id, provider: 'ollama', model: name, price: { input: 0, output: 0 }, capabilities: defaultCapabilities(provider?.type ?? 'ollama') });
    }
    this.detected = found;
    this.logger?.info({ base_url: baseUrl, models: found.length }, 'found a local Ollama');
    return found.map(cloneModel);
  }

  private mergeProvider(name: string, config: ProviderConfig, problems: string[]): ProviderSpec | undefined {
    const builtin = BUILTIN_PROVIDERS[name];
    // A built-in's URL only fits when the type stays the same (providers.openai: { type: openai-compatible } is someone else's server).
    const inherited = builtin && builtin.type === config.type ? builtin.baseUrl : undefined;
    const baseUrl = config.base_url ?? inherited ?? DEFAULT_BASE_URL_BY_TYPE[config.type];
    if (baseUrl === undefined) {
      problems.push(`providers.${name} has type "${config.type}" but no base_url; set the URL it listens on, including the version path (…/v1)`);
      return undefined;
    }
    return {
      name,
      type: config.type,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      requiresKey: config.requires_key ?? config.type !== 'ollama',
      timeoutMs: config.timeout_ms ?? PROVIDER_DEFAULTS.timeoutMs,
      firstTokenTimeoutMs: config.first_token_timeout_ms ?? PROVIDER_DEFAULTS.firstTokenTimeoutMs,
      maxConcurrency: config.max_concurrency ?? PROVIDER_DEFAULTS.maxConcurrency,
    };
  }
}

/** Callers get copies, so nothing they do changes the registry. */
function cloneModel(model: ModelSpec): ModelSpec {
  return { ...model, price: { ...model.price }, capabilities: [...model.capabilities] };
}
