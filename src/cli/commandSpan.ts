import type { Command } from 'commander';
import { toLocalAgentError } from '../core/errors/index.js';
import { ATTR } from '../core/telemetry/attributes.js';
import { readTelemetryConfig } from '../core/telemetry/readTelemetryConfig.js';
import type { CommandContext } from './CommandContext.js';

/** Commands whose work is traced (model calls, runs): each invocation becomes one trace, under this span. */
const TRACED = new Set(['ask', 'plan', 'run', 'runs resume', 'runs approve', 'runs deny', 'runs cancel']);

/** `runs resume`, `ask`: the command as typed, without arguments. */
function commandName(command: Command): string {
  const parent = command.parent?.parent ? command.parent.name() : undefined;
  return parent === undefined ? command.name() : `${parent} ${command.name()}`;
}

/**
 * Runs a command's handler under a `localagent <command>` span when tracing is on, so a command's
 * model calls (a fallback's every try) and runs share one trace. Other commands, and every command
 * with tracing off, run as they are: the app is not built for them here.
 */
export async function inCommandSpan(ctx: CommandContext, command: Command, handler: () => Promise<number | void>): Promise<number | void> {
  const name = commandName(command);
  if (!TRACED.has(name) || !readTelemetryConfig(ctx.io.env).enabled) return handler();
  const { tracer } = await ctx.app();
  const span = tracer.startSpan(`localagent ${name}`, { attributes: { [ATTR.command]: name } });
  try {
    const code = await tracer.withSpan(span, handler);
    span.setAttributes({ [ATTR.processExitCode]: code ?? 0 });
    if (typeof code === 'number' && code !== 0) span.fail(`exit ${code}`);
    return code;
  } catch (error) {
    const failure = toLocalAgentError(error);
    span.setAttributes({ [ATTR.processExitCode]: failure.exitCode });
    span.fail(failure.code);
    throw error;
  } finally {
    span.end();
  }
}
