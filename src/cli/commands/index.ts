import type { Command } from 'commander';
import type { CliRuntime } from '../runCli.js';
import { registerAskCommand } from './ask.js';
import { registerAuditCommands } from './audit.js';
import { registerConfigCommands } from './config.js';
import { registerKeyCommands } from './keys.js';
import { registerModelCommands } from './models.js';
import { registerPlanCommand } from './plan.js';
import { registerRunCommands } from './run.js';
import { registerValidateCommand } from './validate.js';

/** Every command group. Group files import only types at load time; handlers import what they use. */
export function registerCommands(program: Command, runtime: CliRuntime): void {
  const config = registerConfigCommands(program, runtime);
  registerKeyCommands(config, runtime);
  registerAskCommand(program, runtime);
  registerModelCommands(program, runtime);
  registerAuditCommands(program, runtime);
  registerValidateCommand(program, runtime);
  registerPlanCommand(program, runtime);
  registerRunCommands(program, runtime);
}
