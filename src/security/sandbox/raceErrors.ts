import type { PolicyDeniedError } from '../../core/errors/index.js';
import { invalidPath, outsideWorkspace } from './pathErrors.js';
import { errnoCode } from './resolveInWorkspace.js';

/**
 * A folder or file on a checked path was replaced between the check and the use — by a symbolic
 * link, or by another folder. What appears after the check is never followed, whatever it is.
 */
export function swappedDuringTask(userPath: string): PolicyDeniedError {
  return invalidPath(userPath, 'a folder or file on its way was replaced (by a symbolic link or another folder) while the task ran, and nothing that appears after the check is followed');
}

/** A folder or file the operation holds was moved out of the workspace while the task ran. */
export function movedOut(userPath: string, where: string): PolicyDeniedError {
  return outsideWorkspace(userPath, { resolved: where, reason: 'moved out of the workspace while the task ran' });
}

/** An open or create that refuses to follow a link in its last name failed with ELOOP: a link was put there after the check. Other errors pass unchanged. */
export function refusedLink(error: unknown, userPath: string): unknown {
  return errnoCode(error) === 'ELOOP' ? swappedDuringTask(userPath) : error;
}
