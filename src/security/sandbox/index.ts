export {
  resolveInWorkspace,
  locateInWorkspace,
  checkPathForm,
  isInsideDirectory,
  realWorkspace,
  toPortableRelative,
  errnoCode,
  fsFailure,
  type ResolveInWorkspaceOptions,
  type WorkspacePath,
  type WorkspacePathType,
} from './resolveInWorkspace.js';
export { scrubEnv, cleanSearchPath, isSecretEnvName, DEFAULT_ENV_ALLOWLIST } from './scrubEnv.js';
export { SANDBOX_ERROR_CODES, invalidPath, notRegular, outsideWorkspace, pathNotFound, wrongType } from './pathErrors.js';
export {
  ShellSandbox,
  SANDBOX_MODES,
  userHomeDirs,
  type SandboxMode,
  type Isolation,
  type ShellSandboxOptions,
  type ShellSandboxStatus,
  type SandboxCommand,
  type WrappedCommand,
} from './ShellSandbox.js';
export { detectBwrap, BWRAP_BASE_ARGS, type BwrapStatus, type BwrapUnavailableReason, type DetectBwrapOptions } from './detectBwrap.js';
export { bwrapArgs, type BwrapCommand } from './bwrapArgs.js';
export { sandboxLayout, type SandboxLayout, type SandboxLayoutOptions } from './sandboxLayout.js';
export { signalSandbox } from './signalSandbox.js';
export { findProgram, type FoundProgram } from './findProgram.js';
export { SENSITIVE_HOME_ENTRIES, PRIVILEGED_SOCKETS } from './sensitivePaths.js';
export { ISOLATION_ERROR_CODES, sandboxUnavailable, sandboxFailed } from './isolationErrors.js';
export { openWorkspaceFolder, splitRelative, type WorkspaceFolder, type FolderAnchoring, type OpenFolderOptions } from './WorkspaceFolder.js';
export { openFileIn } from './openFileIn.js';
export { writeFileIn, replaceFileIn, type ReplaceFileOptions } from './writeFileIn.js';
export { appendFileIn } from './appendFileIn.js';
export { removeIn } from './removeIn.js';
export { moveBetween } from './moveBetween.js';
export { copyBetween } from './copyBetween.js';
export { swappedDuringTask, movedOut } from './raceErrors.js';
