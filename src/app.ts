import { loadConfig, type Config, type ConfigLayerInfo } from './core/config/index.js';
import type { LocalAgentError } from './core/errors/index.js';
import { createLogger, type LogContext, type Logger, type LoggerHandle, type LogLevel } from './core/logging/index.js';
import { Metrics } from './core/metrics/index.js';
import { HomePaths, ensurePrivateDir } from './core/paths/index.js';
import { Redactor } from './core/redact/index.js';
import { Resilience } from './core/resilience/index.js';
import { createTracer, type Tracer } from './core/telemetry/index.js';
import type { GetMasterPassword, KeyStore } from './keys/index.js';
import type { ModelService } from './orchestrator/index.js';
import type { Runner } from './runner/index.js';
import type { DecisionListener } from './runner/tools/index.js';
import type { CedarPolicy } from './security/policy/index.js';
import type { RunStore, Store, StoredRunEvent } from './store/index.js';
import type { AuditEntry, AuditLog } from './security/audit/index.js';
import type { FieldCipher } from './core/crypto/index.js';
import type { ResultCipher } from './security/crypto/index.js';
import type { ShellSandbox } from './security/sandbox/index.js';
import type { TokenStore } from './gateway/auth/index.js';
import type { Archive, ArchiveModelStats } from './archive/index.js';

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
  /**
   * OpenTelemetry tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (docs/observability.md), else a
   * no-op. Services get it from here; `close()` flushes it.
   */
  readonly tracer: Tracer;
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
  /**
   * Calls `listener` with every run journal event this process commits (whoever built the runner),
   * until the returned function is called. The HTTP gateway streams them as server-sent events.
   */
  onRunEvent(listener: (event: StoredRunEvent) => void): () => void;
  /** HTTP API tokens, hashed, in the run database. Built on first use. */
  tokens(): Promise<TokenStore>;
  /**
   * With `security.encrypt_results` on: the AES-256-GCM cipher over the results data key (created
   * in the keyring or vault on first use, so this may ask for the master password). Undefined when
   * the option is off. The runner, the run store and the archive seal what they store with it.
   */
  resultCipher(options?: { getMasterPassword?: GetMasterPassword }): Promise<FieldCipher | undefined>;
  /**
   * The policy every tool asks first: Cedar, with the default policies, the user's
   * `<home>/policies/*.cedar` and the config's allow lists. A change since the last load is
   * written to the security audit log (`policy.changed`) before it is used.
   */
  policy(): Promise<CedarPolicy>;
  /** The hash-chained log of security events: policy denials, approval requests, who approved or denied. */
  securityAudit(): Promise<AuditLog>;
  /**
   * The database: the SQLite file in the home, or PostgreSQL when `LOCALAGENT_DATABASE_URL` or
   * `database.url` is set. Opened (and migrated) on first use and shared by everything that stores
   * (runs, the archive, tokens, the audit copy); closed by `close()`.
   */
  database(): Promise<Store>;
  /** Shell isolation (bubblewrap) as `security.sandbox` says; it tries bubblewrap once, on first use. */
  sandbox(): Promise<ShellSandbox>;
  /**
   * The archive over `database()`: `.atlas` records, search, statistics, feedback, bundles, and the
   * model statistics selection learns from. Built on first use; the runner hands it every run that
   * finishes.
   */
  archive(options?: { getMasterPassword?: GetMasterPassword }): Promise<Archive>;
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
  const tracer = await createTracer({ env: options.env, logger, context: log.context, onSecret: (value) => redactor.addSecret(value) });

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

  let cipherPromise: Promise<ResultCipher | undefined> | undefined;
  const resultCipher = (cipherOptions: { getMasterPassword?: GetMasterPassword } = {}): Promise<ResultCipher | undefined> => {
    cipherPromise ??= config.security.encrypt_results
      ? Promise.all([import('./security/crypto/index.js'), keys(cipherOptions)]).then(async ([{ createResultCipher }, store]) => {
          const key = await store.getOrCreateDataKey('results');
          try {
            return createResultCipher({ key: key.value });
          } finally {
            key.value.fill(0);
          }
        })
      : Promise.resolve(undefined);
    return cipherPromise;
  };

  let modelService: Promise<ModelService> | undefined;
  const models = (modelOptions: { getMasterPassword?: GetMasterPassword; fetch?: typeof globalThis.fetch } = {}): Promise<ModelService> => {
    modelService ??= Promise.all([import('./orchestrator/index.js'), archivedModelStats()]).then(([{ createModelService, ModelRegistry }, stats]) =>
      createModelService({
        registry: ModelRegistry.fromConfig(config, { logger }),
        config: config.orchestrator,
        resilience,
        keys: () => keys(modelOptions.getMasterPassword ? { getMasterPassword: modelOptions.getMasterPassword } : {}),
        onSecret: (value) => redactor.addSecret(value),
        metrics,
        logger,
        tracer,
        ...(stats ? { stats } : {}),
        ...(modelOptions.fetch ? { fetch: modelOptions.fetch } : {}),
      }),
    );
    return modelService;
  };

  let archivePromise: Promise<Archive> | undefined;
  const archive = (archiveOptions: { getMasterPassword?: GetMasterPassword } = {}): Promise<Archive> => {
    archivePromise ??= Promise.all([import('./archive/index.js'), database(), resultCipher(archiveOptions)])
      .then(([{ Archive: ArchiveClass }, store, cipher]) => new ArchiveClass({ store, cipher, runsDir: paths.runs, logger, sharedModelStats: () => loadedModelStats }))
      .catch((error: unknown) => {
        archivePromise = undefined;
        throw error;
      });
    return archivePromise;
  };
  /**
   * What model selection learns from: the archive's stored calls and ratings. Selection still works
   * without them (in memory, this process only) when the database cannot be used. Read from the
   * database directly, not through `archive()`: statistics are never encrypted, and opening the
   * archive may need the results key (a master password prompt) that a model call does not.
   */
  let loadedModelStats: ArchiveModelStats | undefined;
  const archivedModelStats = async (): Promise<ArchiveModelStats | undefined> => {
    try {
      const [{ ArchiveModelStats: StatsClass }, store] = await Promise.all([import('./archive/index.js'), database()]);
      loadedModelStats = await StatsClass.load({ db: store.db, window: config.orchestrator.stats_window, maxAgeDays: config.archive.stats_max_age_days, logger });
      return loadedModelStats;
    } catch (error) {
      logger.warn({ error }, 'Model statistics are not stored: the archive could not be opened, so selection learns from this process\'s calls only.');
      return undefined;
    }
  };

  let databasePromise: Promise<Store> | undefined;
  const database = (): Promise<Store> => {
    databasePromise ??= import('./store/index.js')
      .then(({ openStore, resolveDatabaseTarget, targetSecrets }) => {
        const target = resolveDatabaseTarget({ env: options.env, configUrl: config.database.url, sqliteFile: paths.database });
        // The URL's password is hidden wherever it might surface (logs, errors, output).
        for (const secret of targetSecrets(target)) redactor.addSecret(secret);
        return openStore(target.dialect === 'sqlite' ? { file: target.file } : { url: target.url });
      })
      .catch((error: unknown) => {
        // Not kept: a server that was down may be back on the next call (`serve` lives long).
        databasePromise = undefined;
        throw error;
      });
    return databasePromise;
  };

  /**
   * Copies security audit entries into the database (`audit_events`) after they are in the file,
   * which stays the record: a failure is logged, never fatal, and the entries are copied on a
   * later append.
   */
  let auditCopy: Promise<(entries: readonly AuditEntry[]) => Promise<void>> | undefined;
  const copyAudit = async (entries: readonly AuditEntry[], audit: AuditLog): Promise<void> => {
    try {
      auditCopy ??= Promise.all([database(), import('./store/index.js')]).then(([store, { AuditStore, auditMirror }]) =>
        auditMirror({ store: new AuditStore(store), readFrom: (fromSeq) => audit.read({ fromSeq }) }),
      );
      await (await auditCopy)(entries);
    } catch (error) {
      auditCopy = undefined;
      logger.warn({ error }, 'Could not copy security audit entries into the database; they are in the audit file and will be copied on a later append.');
    }
  };

  let auditPromise: Promise<AuditLog> | undefined;
  const securityAudit = (): Promise<AuditLog> => {
    auditPromise ??= import('./security/audit/index.js').then(({ AuditLog: AuditLogClass }) => {
      const audit: AuditLog = new AuditLogClass({ file: paths.securityAuditLog, redactor, onAppend: (entries) => copyAudit(entries, audit) });
      return audit;
    });
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

  let policyPromise: Promise<CedarPolicy> | undefined;
  const policy = (): Promise<CedarPolicy> => {
    policyPromise ??= import('./security/policy/index.js').then(({ loadCedarPolicy }) =>
      loadCedarPolicy({
        policiesDir: paths.policies,
        allowCommands: config.security.allow_commands,
        allowHosts: config.security.allow_hosts,
        record: { hashFile: paths.loadedPolicyHash, audit: async (event) => (await securityAudit()).append(event) },
      }),
    );
    return policyPromise;
  };

  let sandboxPromise: Promise<ShellSandbox> | undefined;
  const sandbox = (): Promise<ShellSandbox> => {
    sandboxPromise ??= import('./security/sandbox/index.js').then(
      ({ ShellSandbox: ShellSandboxClass, userHomeDirs }) =>
        new ShellSandboxClass({ mode: config.security.sandbox, localAgentHome: paths.root, homeDirs: userHomeDirs(options.env), searchPath: options.env.PATH }),
    );
    return sandboxPromise;
  };

  let runnerPromise: Promise<{ runner: Runner; store: RunStore }> | undefined;
  const runner = (runnerOptions: { getMasterPassword?: GetMasterPassword; onEvent?: (event: StoredRunEvent) => void } = {}): Promise<{ runner: Runner; store: RunStore }> => {
    runnerPromise ??= (async () => {
      const [{ RunStore: RunStoreClass }, { Runner: RunnerClass }, { createTools }, { createAiTool }] = await Promise.all([
        import('./store/index.js'),
        import('./runner/index.js'),
        import('./runner/tools/index.js'),
        import('./runner/ai/index.js'),
      ]);
      await ensurePrivateDir(paths.runs);
      const cipher = await resultCipher(runnerOptions.getMasterPassword ? { getMasterPassword: runnerOptions.getMasterPassword } : {});
      // Encryption off: the store keeps plain text, and says "encrypted" about results sealed while it was on.
      const storeCipher = cipher ?? new (await import('./security/crypto/index.js')).KeylessCipher();
      const store = new RunStoreClass(await database(), { cipher: storeCipher });
      // A denial is audited before the tool stops; if it cannot be written, the tool fails rather
      // than go on unaudited. Approval waits are audited from the journal (auditApprovals).
      const onDecision: DecisionListener = async (request, decision) => {
        if (decision.effect !== 'deny') return;
        const { policyDenialAuditEvent } = await import('./security/audit/index.js');
        await (await securityAudit()).append(policyDenialAuditEvent({ request, decision }));
      };
      const tools = createTools({ shell: { sandbox: await sandbox() }, onDecision });
      // Finished runs are archived as they end; one the archive misses is caught up by `archive` commands.
      const archiveForRuns = await archive(runnerOptions.getMasterPassword ? { getMasterPassword: runnerOptions.getMasterPassword } : {}).catch((error: unknown) => {
        logger.warn({ error }, 'The archive could not be opened; finished runs are archived later by `localagent archive` commands.');
        return undefined;
      });
      const ai = createAiTool(async () => (await models(runnerOptions.getMasterPassword ? { getMasterPassword: runnerOptions.getMasterPassword } : {})).orchestrator, { onDecision });
      return {
        store,
        runner: new RunnerClass({
          store,
          runsDir: paths.runs,
          tools: { ...tools, ai },
          policy: await policy(),
          limits: { maxOutputBytes: config.runner.max_output_bytes, maxReadBytes: config.runner.max_read_bytes, defaultTimeoutMs: config.runner.default_timeout_ms },
          defaultConcurrency: config.runner.concurrency,
          approvalTimeoutMs: config.runner.approval_timeout_ms > 0 ? config.runner.approval_timeout_ms : undefined,
          redact: (value) => redactor.strings(value),
          resultCipher: cipher,
          env: options.env,
          logger,
          tracer,
          onResult: (last) => archiveForRuns?.ingestInBackground(last),
          onEvent: (event: StoredRunEvent) => {
            auditApprovals(event);
            runnerOptions.onEvent?.(event);
            for (const listener of runEventListeners) listener(event);
          },
        }),
      };
    })();
    return runnerPromise;
  };
  const runEventListeners = new Set<(event: StoredRunEvent) => void>();
  const onRunEvent = (listener: (event: StoredRunEvent) => void): (() => void) => {
    runEventListeners.add(listener);
    return () => runEventListeners.delete(listener);
  };

  let tokenStore: Promise<TokenStore> | undefined;
  // Tokens live in the run database, so they are shared by every server on one PostgreSQL.
  const tokens = (): Promise<TokenStore> => {
    tokenStore ??= Promise.all([database(), import('./gateway/auth/index.js')]).then(([store, { TokenStore: TokenStoreClass }]) => new TokenStoreClass(store.db));
    return tokenStore;
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
    tracer,
    keys,
    models,
    runner,
    resultCipher,
    onRunEvent,
    tokens,
    policy,
    securityAudit,
    sandbox,
    database,
    archive,
    reportError: (error) => {
      log.logError(error, { level: error.category === 'user' ? 'warn' : 'error' });
    },
    close: async () => {
      await Promise.allSettled([...pendingAudits]);
      const running = await runnerPromise?.catch(() => undefined);
      // Finishes archiving runs that just ended and writes queued model statistics, before the database closes.
      await (await archivePromise?.catch(() => undefined))?.close();
      await loadedModelStats?.close();
      await running?.store.close();
      await (await databasePromise?.catch(() => undefined))?.close();
      (await cipherPromise?.catch(() => undefined))?.dispose();
      const store = await keyStore?.catch(() => undefined);
      await store?.close();
      // Runs and requests have ended: their spans go out now (bounded, if the collector is down).
      await tracer.shutdown();
      await log.close();
    },
  };
}
