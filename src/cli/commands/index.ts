import type { Command } from 'commander';
import type { CliRuntime } from '../runCli.js';
import { registerArchiveCommands } from './archive.js';
import { registerAskCommand } from './ask.js';
import { registerAuditCommands } from './audit.js';
import { registerCertsCommands } from './certs.js';
import { registerConfigCommands } from './config.js';
import { registerDbCommands } from './db.js';
import { registerFeedbackCommand } from './feedback.js';
import { registerKeyCommands } from './keys.js';
import { registerModelCommands } from './models.js';
import { registerPlanCommand } from './plan.js';
import { registerPolicyCommands } from './policy.js';
import { registerRunCommands } from './run.js';
import { registerServeCommand } from './serve.js';
import { registerTokenCommands } from './token.js';
import { registerValidateCommand } from './validate.js';

/** Every command group. Group files import only types at load time; handlers import what they use. */
export function registerCommands(program: Command, runtime: CliRuntime): void {
  // The order `--help` lists them in: the pipeline first, then models, then setup and records.
  registerPlanCommand(program, runtime);
  registerValidateCommand(program, runtime);
  registerRunCommands(program, runtime);
  registerAskCommand(program, runtime);
  registerArchiveCommands(program, runtime);
  registerFeedbackCommand(program, runtime);
  registerModelCommands(program, runtime);
  const config = registerConfigCommands(program, runtime);
  registerKeyCommands(config, runtime);
  registerAuditCommands(program, runtime);
  registerDbCommands(program, runtime);
  registerPolicyCommands(program, runtime);
  registerServeCommand(program, runtime);
  registerTokenCommands(program, runtime);
  registerCertsCommands(program, runtime);
}
