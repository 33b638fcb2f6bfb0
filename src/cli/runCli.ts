import { randomUUID } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, toLocalAgentError, type LocalAgentError } from '../core/errors/index.js';
// LogContext alone, not the logging index: the index loads pino, which light commands never need.
import { LogContext } from '../core/logging/LogContext.js';
import { Redactor } from '../core/redact/index.js';
import { CommandContext, type CliIO, type GlobalOptions } from './CommandContext.js';
import { inCommandSpan } from './commandSpan.js';
import { Output } from './output.js';
import { packageVersion } from './version.js';
import { registerCommands } from './commands/index.js';

export type CommandHandler<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number | void>;

/** Ties commander's callbacks to our context, output and exit codes. */
export class CliRuntime {
  exitCode = 0;
  context: CommandContext | undefined;
  readonly redactor = new Redactor();
  readonly logContext = new LogContext();

  constructor(readonly io: CliIO) {}

  /** Wraps a handler for `command.action(...)`: builds the context from the parsed global options. */
  action<A extends unknown[]>(handler: CommandHandler<A>): (...args: unknown[]) => Promise<void> {
    return async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const context = this.contextFor(command.optsWithGlobals<GlobalOptions>());
      const code = await inCommandSpan(context, command, () => handler(context, ...(args.slice(0, -1) as A)));
      this.exitCode = code ?? 0;
    };
  }

  contextFor(globals: Partial<GlobalOptions>): CommandContext {
    const resolved: GlobalOptions = {
      json: globals.json === true,
      debug: globals.debug === true,
      color: wantsColor(globals.color !== false, this.io),
      ...(globals.logLevel ? { logLevel: globals.logLevel } : {}),
      ...(globals.logFormat ? { logFormat: globals.logFormat } : {}),
      ...(globals.config ? { config: globals.config } : {}),
      ...(globals.home ? { home: globals.home } : {}),
    };
    const out = new Output({ stdout: this.io.stdout, stderr: this.io.stderr, json: resolved.json, color: resolved.color, debug: resolved.debug, redactor: this.redactor });
    this.context = new CommandContext(this.io, resolved, out, this.redactor, this.logContext);
    return this.context;
  }
}

function wantsColor(allowed: boolean, io: CliIO): boolean {
  if (!allowed || io.env.NO_COLOR !== undefined) return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stderr.isTTY === true;
}

export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('localagent')
    .description('LocalAgent: turn plain-language commands into plans and run them with AI models and local tools, safely, on your machine.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .option('--json', 'print results as JSON (errors as JSON on stderr)')
    .addOption(new Option('--log-level <level>', 'log verbosity').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .addOption(new Option('--log-format <format>', 'log line format on stderr').choices(['json', 'pretty']))
    .option('--config <file>', 'an extra config file, applied after the home and project ones')
    .option('--home <dir>', 'the LocalAgent home folder (default: $LOCALAGENT_HOME or ~/.localagent)')
    .option('--debug', 'show stack traces and debug logs')
    .option('--no-color', 'plain output without colours')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => runtime.io.stdout.write(text),
      writeErr: (text) => runtime.io.stderr.write(text),
      // Errors are printed by runCli in our own format (code, message, hint).
      outputError: () => undefined,
    });
  registerCommands(program, runtime);
  return program;
}

const USAGE_CODES = new Set([
  'commander.unknownCommand',
  'commander.unknownOption',
  'commander.missingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.optionMissingArgument',
  'commander.invalidArgument',
  'commander.excessArguments',
  'commander.conflictingOption',
  'commander.help',
]);

/** Turns commander's parse errors into a UsageError with the "did you mean" as the suggestion. */
function usageErrorFrom(error: CommanderError): UsageError {
  const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
  const hint = rest.join(' ').match(/\(Did you mean (.+)\?\)/)?.[1];
  return new UsageError({
    message: error.code === 'commander.help' ? 'A subcommand is needed here (the list is above).' : `${first.replace(/\.$/, '')}.`,
    suggestion: hint
      ? `Did you mean ${hint}? Run \`localagent --help\` for every command and option.`
      : 'Run `localagent --help` (or `localagent <command> --help`) to see what is accepted.',
    details: { commander_code: error.code },
  });
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code:
 * 0 ok, 1 failure, 2 usage error, 3 denied by policy, 4 needs approval.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const runtime = new CliRuntime(io);
  const program = buildProgram(runtime);
  if (argv.length === 0) {
    io.stdout.write(program.helpInformation());
    return 0;
  }
  // One id per invocation, on every log line it writes, so a failure can be found in the log file.
  return runtime.logContext.run({ request_id: randomUUID() }, async () => {
    try {
      await program.parseAsync(argv, { from: 'user' });
      return runtime.exitCode;
    } catch (thrown) {
      if (thrown instanceof CommanderError && !USAGE_CODES.has(thrown.code)) return thrown.exitCode; // --help, --version
      const error: LocalAgentError = thrown instanceof CommanderError ? usageErrorFrom(thrown) : toLocalAgentError(thrown);
      const context =
        runtime.context ??
        runtime.contextFor({ json: argv.includes('--json'), debug: argv.includes('--debug'), color: !argv.includes('--no-color') });
      context.out.error(error);
      const app = await context.existingApp();
      app?.reportError(error);
      return error.exitCode;
    } finally {
      await runtime.context?.close();
    }
  });
}
