import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { UserInputError } from '../../core/errors/index.js';
import { KNOWN_ACTIONS } from './cedarSchema.js';
import { splitCommandLine } from './facts/commandLine.js';
import type { PolicyRequest } from './Policy.js';

/** A request as a person describes it (`localagent policy check`, a `policy test` case). */
export interface RequestDescription {
  action: string;
  /**
   * For `shell.*` the command line (split into argv like a shell would, but nothing is run or
   * expanded); for `fs.*` a path, relative to the workspace or absolute; otherwise what the tool
   * names: a URL, a model, a task id, `Run::"run-1"` for the API.
   */
  resource: string;
  /** Default: the agent, as when a plan runs. */
  principal?: PolicyRequest['principal'];
  /** The workspace, absolute. Its real path is used, as the runner does. */
  workspace: string;
  /** More context: `mode`, `run_id`, `cwd`, `method`, … */
  context?: Readonly<Record<string, string | boolean>>;
  approved?: boolean;
}

/** The context keys a description may set; the facts themselves are always computed. */
export const DESCRIBABLE_CONTEXT_KEYS: readonly string[] = Object.freeze(['run_id', 'plan_id', 'task_id', 'mode', 'persona', 'dry_run', 'cwd', 'method', 'op', 'redirected_from']);

/**
 * Builds the request the runner's tools would send for the same action: a shell task's argv and
 * working folder, an fs task's real path, the real workspace. So `policy check` and `policy test`
 * decide exactly what a run would.
 */
export async function describedRequest(description: RequestDescription): Promise<PolicyRequest> {
  const workspace = await realOrResolved(description.workspace);
  const context: PolicyRequest['context'] = { ...description.context, workspace, approved: description.approved === true };
  let resource = description.resource;
  const kind = KNOWN_ACTIONS.get(description.action)?.context;
  if (kind === 'shell') {
    const argv = splitCommandLine(description.resource);
    if (argv === undefined || argv.length === 0) {
      throw new UserInputError({
        message: `The command line "${description.resource}" ${argv === undefined ? 'has a quote that is never closed' : 'is empty'}.`,
        suggestion: 'Write the command as you would type it in a shell, e.g. "git status" or "rm -rf build".',
      });
    }
    resource = argv[0] ?? '';
    context.argv = argv;
    context.cwd = typeof context.cwd === 'string' ? resolve(workspace, context.cwd) : workspace;
  } else if (kind === 'file' || (kind === undefined && description.action.startsWith('fs.'))) {
    resource = await realOrResolved(resolve(workspace, description.resource));
  }
  return { principal: description.principal ?? { type: 'Agent', id: 'policy-check' }, action: description.action, resource, context };
}

/** The real path when it exists (symlinks resolved, as the tools do), otherwise the absolute path. */
async function realOrResolved(path: string): Promise<string> {
  const absolute = isAbsolute(path) ? path : resolve(path);
  return realpath(absolute).catch(() => absolute);
}
