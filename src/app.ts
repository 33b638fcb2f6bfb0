import { loadConfig, type Config, type ConfigLayerInfo } from './core/config/index.js';
import type { LocalAgentError } from './core/errors/index.js';
import { createLogger, type LogContext, type Logger, type LoggerHandle, type LogLevel } from './core/logging/index.js';
import { Metrics } from './core/metrics/index.js';
import { HomePaths, ensurePrivateDir } from './core/paths/index.js';
import { Redactor } from './core/redact/index.js';
import { Resilience } from './core/resilience/index.js';
import type { GetMasterPassword, KeyStore } from './keys/index.js';
import type { ModelService } from './orchestrator/index.js';
import type { Policy, Runner } from './runner/index.js';
import type { RunStore, StoredRunEvent } from './store/index.js';
import type { AuditLog } from './security/audit/index.js';

export interface AppOptions {
  /** The resolved LocalAgent home. */
  home: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--config <file>`. */
  configFile?: string | undefined;
  /** `--log-level`, overriding config. */
  logLevel?: string | undefined;
  /** `--log-format`, overriding config. */
  logFormat?: 'json' | 'pretty' | undefined;
  /** Console log destination; `false` logs to the file only (the CLI's default, so logs never repeat what it prints). */
  logStream?: { write(line: string): unknown; isTTY?: boolean } | false;
  /** Carries the CLI invocation's or HTTP request's id into every log line. */
  logContext?: LogContext;
  /** Shared with the CLI's output, so secrets the app loads are hidden on the terminal too. */
  redactor?: Redactor;
  /** How the key store obtains the vault's master password (the CLI prompts; the server reads env). */
  getMasterPassword?: GetMasterPassword;
}

/** Everything a command or the server needs, built once from config. */
export interface App {
  readonly paths: HomePaths;
  readonly config: Config;
  readonly configLayers: ConfigLayerInfo[];
  readonly redactor: Redactor;
  readonly metrics: Metrics;
  readonly log: LoggerHandle;
  readonly logger: Logger;
  readonly resilience: Resilience;
  /** The key store, built on first use (it loads the OS keyring binding). */
  keys(options?: { getMasterPassword?: GetMasterPassword }): Promise<KeyStore>;
  /**
   * Models: registry, provider calls and selection, built on first use (it loads the AI SDK and
   * looks for a local Ollama).
   */
  models(options?: { getMasterPassword?: GetMasterPassword; fetch?: typeof globalThis.fetch }): Promise<ModelService>;
  /**
   * The plan runner over the run store (SQLite in the home), with the built-in tools, the ai tool
   * over `models()`, and the default policy. Built on first use.
   */
  runner(options?: { getMasterPassword?: GetMasterPassword; onEvent?: (event: StoredRunEvent) => void }): Promise<{ runner: Runner; store: RunStore }>;
  /** The policy every tool asks first (the default rules with the config's allow lists). */
  policy(): Promise<Policy>;
  /** The hash-chained log of security events: policy denials, approval requests, who approved or denied. */
  securityAudit(): Promise<AuditLog>;
  /** Logs an error with its code and counts it by code. */
  reportError(error: LocalAgentError): void;
  /** Flushes logs and releases resources (wipes cached key material). */
  close(): Promise<void>;
}

/**
 * The composition root: reads config, then builds each service with what it needs. Nothing else
 * constructs services or holds process-wide state.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const paths = new HomePaths(options.home);
  await ensurePrivateDir(paths.root);
  const loaded = await loadConfig({ home: options.home, cwd: options.cwd, configFile: options.configFile, env: options.env });
  const config = loaded.config;
  const redactor = options.redactor ?? new Redactor();
  const metrics = new Metrics();

  const log = await createLogger({
    config: {
      ...config.log,
      ...(options.logLevel ? { level: options.logLevel as LogLevel } : {}),
      ...(options.logFormat ? { format: options.logFormat } : {}),
    },
    redactor,
    metrics,
    home: paths,
    ...(options.logContext ? { context: options.logContext } : {}),
    ...(options.logStream !== undefined ? { stream: options.logStream } : {}),
  });
  const logger = log.logger;
  const resilience = new Resilience({ retry: config.resilience.retry, breaker: config.resilience.breaker, logger, metrics });

  let keyStore: Promise<KeyStore> | undefined;
  const keys = (keyOptions: { getMasterPassword?: GetMasterPassword } = {}): Promise<KeyStore> => {
    keyStore ??= import('./keys/index.js').then(({ createKeyStore }) => {
      const getMasterPassword = keyOptions.getMasterPassword ?? options.getMasterPassword;
      return createKeyStore({
        home: options.home,
        backend: config.keys.backend,
        env: options.env,
        redactor,
        metrics,
        ...(getMasterPassword ? { getMasterPassword } : {}),
      });
    });
    return keyStore;
  };

  let modelService: Promise<ModelService> | undefined;
  const models = (modelOptions: { getMasterPassword?: GetMasterPassword; fetch?: typeof globalThis.fetch } = {}): Promise<ModelService> => {
    modelService ??= import('./orchestrator/index.js').then(({ createModelService, ModelRegistry }) =>
      createModelService({
        registry: ModelRegistry.fromConfig(config, { logger }),
        config: config.orchestrator,
        resilience,
        keys: () => keys(modelOptions.getMasterPassword ? { getMasterPassword: modelOptions.getMasterPassword } : {}),
        onSecret: (value) => redactor.addSecret(value),
        metrics,
        logger,
        ...(modelOptions.fetch ? { fetch: modelOptions.fetch } : {}),
      }),
    );
    return modelService;
  };

  let auditPromise: Promise<AuditLog> | undefined;
  const securityAudit = (): Promise<AuditLog> => {
    auditPromise ??= import('./security/audit/index.js').then(({ AuditLog: AuditLogClass }) => new AuditLogClass({ file: paths.securityAuditLog, redactor }));
    return auditPromise;
  };
  /** Approval requests and decisions from the run journal into the security audit log. */
  const auditApprovals = (event: StoredRunEvent): void => {
    const write = import('./security/audit/index.js')
      .then(async ({ approvalAuditEvent }) => {
        const entry = approvalAuditEvent(event);
        if (entry) await (await securityAudit()).append(entry);
      })
      .catch((error: unknown) => logger.error({ error, run_id: event.runId }, 'Could not write an approval event to the security audit log.'))
      .finally(() => pendingAudits.delete(write));
    pendingAudits.add(write);
  };
  /** Audit writes still under way; `close()` waits for them so an exit cannot drop one. */
  const pendingAudits = new Set<Promise<void>>();

  let policyPromise: Promise<Policy> | undefined;
  const policy = (): Promise<Policy> => {
    policyPromise ??= import('./runner/policy/index.js').then(
      ({ DefaultPolicy }) => new DefaultPolicy({ allowCommands: config.security.allow_commands, allowHosts: config.security.allow_hosts }),
    );
    return policyPromise;
  };

  let runnerPromise: Promise<{ runner: Runner; store: RunStore }> | undefined;
  const runner = (runnerOptions: { getMasterPassword?: GetMasterPassword; onEvent?: (event: StoredRunEvent) => void } = {}): Promise<{ runner: Runner; store: RunStore }> => {
    runnerPromise ??= (async () => {
      const [{ openStore, RunStore: RunStoreClass }, { Runner: RunnerClass }, { createTools }, { createAiTool }] = await Promise.all([
        import('./store/index.js'),
        import('./runner/index.js'),
        import('./runner/tools/index.js'),
        import('./runner/ai/index.js'),
      ]);
      await ensurePrivateDir(paths.runs);
      const store = new RunStoreClass(await openStore({ file: paths.database }), {}, true);
      // A denial is audited before the tool stops; if it cannot be written, the tool fails rather
      // than go on unaudited. Approval waits are audited from the journal (auditApprovals).
      const tools = createTools({
        onDecision: async (request, decision) => {
          if (decision.effect !== 'deny') return;
          const { policyDenialAuditEvent } = await import('./security/audit/index.js');
          await (await securityAudit()).append(policyDenialAuditEvent({ request, decision }));
        },
      });
      const ai = createAiTool(async () => (await models(runnerOptions.getMasterPassword ? { getMasterPassword: runnerOptions.getMasterPassword } : {})).orchestrator);
      return {
        store,
        runner: new RunnerClass({
          store,
          runsDir: paths.runs,
          tools: { ...tools, ai },
          policy: await policy(),
          limits: { maxOutputBytes: config.runner.max_output_bytes, maxReadBytes: config.runner.max_read_bytes, defaultTimeoutMs: config.runner.default_timeout_ms },
          defaultConcurrency: config.runner.concurrency,
          redact: (value) => redactor.strings(value),
          env: options.env,
          logger,
          onEvent: (event: StoredRunEvent) => {
            auditApprovals(event);
            runnerOptions.onEvent?.(event);
          },
        }),
      };
    })();
    return runnerPromise;
  };

  return {
    paths,
    config,
    configLayers: loaded.layers,
    redactor,
    metrics,
    log,
    logger,
    resilience,
    keys,
    models,
    runner,
    policy,
    securityAudit,
    reportError: (error) => {
      log.logError(error, { level: error.category === 'user' ? 'warn' : 'error' });
    },
    close: async () => {
      await Promise.allSettled([...pendingAudits]);
      const running = await runnerPromise?.catch(() => undefined);
      await running?.store.close();
      const store = await keyStore?.catch(() => undefined);
      await store?.close();
      await log.close();
    },
  };
}
