import type { App } from '../app.js';
import type { LogContext } from '../core/logging/index.js';
import { resolveHome } from '../core/paths/index.js';
import type { Redactor } from '../core/redact/index.js';
import type { Output, TextSink } from './output.js';

/** What the CLI runs against: streams, environment and working directory, injectable for tests. */
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted when the person presses Ctrl-C (the entry point wires SIGINT to it). */
  signal?: AbortSignal;
}

/** Options every command accepts. */
export interface GlobalOptions {
  json: boolean;
  logLevel?: string;
  logFormat?: 'json' | 'pretty';
  config?: string;
  home?: string;
  debug: boolean;
  color: boolean;
}

/**
 * What a command handler gets. The app (config, logger, services) is built only when a handler
 * asks for it, so light commands never pay for loading it.
 */
export class CommandContext {
  private appPromise: Promise<App> | undefined;

  constructor(
    readonly io: CliIO,
    readonly globals: GlobalOptions,
    readonly out: Output,
    readonly redactor: Redactor,
    readonly logContext: LogContext,
  ) {}

  /** Cancels long work (model calls, runs) when the person presses Ctrl-C. */
  get signal(): AbortSignal {
    return this.io.signal ?? new AbortController().signal;
  }

  get home(): string {
    return resolveHome({ flag: this.globals.home, env: this.io.env, cwd: this.io.cwd });
  }

  app(): Promise<App> {
    this.appPromise ??= import('../app.js').then(({ createApp }) =>
      createApp({
        home: this.home,
        cwd: this.io.cwd,
        env: this.io.env,
        configFile: this.globals.config,
        logLevel: this.globals.debug ? (this.globals.logLevel ?? 'debug') : this.globals.logLevel,
        logFormat: this.globals.logFormat,
        // The terminal shows command output; log lines go to the log file, and to stderr too
        // only when asked for with --log-level, --log-format or --debug.
        logStream: this.globals.logLevel || this.globals.logFormat || this.globals.debug ? this.io.stderr : false,
        redactor: this.redactor,
        logContext: this.logContext,
      }),
    );
    return this.appPromise;
  }

  /** The app if it was built, for error reporting, without building it. */
  async existingApp(): Promise<App | undefined> {
    return this.appPromise?.catch(() => undefined);
  }

  async close(): Promise<void> {
    const app = await this.existingApp();
    await app?.close();
  }
}
