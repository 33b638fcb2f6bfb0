import { PolicyDeniedError, UserInputError } from '../../core/errors/index.js';

/**
 * The codes the sandbox raises. Confinement failures are policy denials (exit 3) because they are
 * the sandbox refusing an action, not a malformed request a retry could fix.
 */
export const SANDBOX_ERROR_CODES = {
  /** The path (after resolving `..` and symlinks) is outside the workspace. */
  outside: 'LA_PATH_OUTSIDE_WORKSPACE',
  /** The path names a device, a FIFO or a socket. */
  notRegular: 'LA_PATH_NOT_REGULAR',
  /** The path's form is refused before any lookup: NUL, encoded separators, Windows forms, the root as a target. */
  invalid: 'LA_PATH_INVALID',
  /** The path must exist and does not. */
  notFound: 'LA_PATH_NOT_FOUND',
  /** A file where a folder is needed, or the other way round. */
  wrongType: 'LA_PATH_WRONG_TYPE',
  /** A task asked for an environment variable that is never passed to child processes. */
  envForbidden: 'LA_ENV_FORBIDDEN',
  /** The operating system refused a file operation (permissions, disk full, a busy file). */
  fsFailed: 'LA_FS_FAILED',
} as const;

export function outsideWorkspace(userPath: string, details: Record<string, unknown> = {}): PolicyDeniedError {
  return new PolicyDeniedError({
    code: SANDBOX_ERROR_CODES.outside,
    message: `The path "${userPath}" is outside the workspace.`,
    suggestion: 'Use a path inside the workspace. Paths are checked after resolving ".." and symbolic links, so a link cannot lead out.',
    details: { path: userPath, ...details },
  });
}

export function invalidPath(userPath: string, why: string): PolicyDeniedError {
  return new PolicyDeniedError({
    code: SANDBOX_ERROR_CODES.invalid,
    // A NUL byte would end the message early in some terminals; show it escaped.
    message: `The path "${userPath.replaceAll('\0', '\\0')}" is refused: ${why}.`,
    suggestion: 'Write a plain relative path with "/" between folders, such as "out/report.txt".',
    details: { path: userPath.replaceAll('\0', '\\0'), reason: why },
  });
}

export function notRegular(userPath: string, type: string): PolicyDeniedError {
  return new PolicyDeniedError({
    code: SANDBOX_ERROR_CODES.notRegular,
    message: `The path "${userPath}" is a ${type}, not a file or folder; tasks may not read or write devices, FIFOs or sockets.`,
    suggestion: 'Point the task at a regular file or folder.',
    details: { path: userPath, type },
  });
}

export function pathNotFound(userPath: string): UserInputError {
  return new UserInputError({
    code: SANDBOX_ERROR_CODES.notFound,
    message: `The path "${userPath}" does not exist in the workspace.`,
    suggestion: 'Check the spelling and that an earlier task created it (add that task to `needs`).',
    details: { path: userPath },
  });
}

export function wrongType(userPath: string, expected: string, actual: string): UserInputError {
  return new UserInputError({
    code: SANDBOX_ERROR_CODES.wrongType,
    message: `The path "${userPath}" is a ${actual}, but a ${expected} is needed here.`,
    suggestion: `Point the task at a ${expected}.`,
    details: { path: userPath, expected, actual },
  });
}
