import type { Command } from 'commander';
import type { CliRuntime } from '../runCli.js';
import { registerConfigCommands } from './config.js';

/** Every command group. Group files import only types at load time; handlers import what they use. */
export function registerCommands(program: Command, runtime: CliRuntime): void {
  registerConfigCommands(program, runtime);
}
