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
