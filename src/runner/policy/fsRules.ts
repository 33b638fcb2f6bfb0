import { isAbsolute, relative, sep } from 'node:path';
import { isInsideDirectory } from '../../security/sandbox/index.js';
import type { PolicyDecision } from '../types/index.js';

/**
 * Files that usually hold credentials. Reading one puts its content into the run's output (and
 * the `.last` result), where secrets must never be, so it needs a person's approval.
 */
const SECRET_FILE_NAMES = new Set(['.env', '.npmrc', '.pypirc', '.netrc', '.pgpass', '.git-credentials', 'credentials', 'credentials.json', '.htpasswd', 'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'id_ecdsa_sk', 'id_ed25519_sk']);
const SECRET_FILE_EXTENSIONS = ['.pem', '.key', '.p12', '.pfx'];

/** `.env`, `.env.production`, `server.pem`, `id_ed25519`, `.npmrc`… */
function isSecretFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_FILE_NAMES.has(lower) || lower.startsWith('.env.') || SECRET_FILE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Decides `fs.read`, `fs.write`, `fs.delete` (and refuses anything outside the workspace). */
export function decideFile(action: string, path: string, workspace: string | undefined): PolicyDecision {
  if (workspace === undefined || !isAbsolute(workspace)) {
    return { effect: 'deny', reason: 'The request names no workspace, so the path cannot be checked.', rules: ['fs.deny.no-workspace'] };
  }
  if (!isAbsolute(path) || !isInsideDirectory(workspace, path)) {
    return { effect: 'deny', reason: `${path} is outside the workspace ${workspace}.`, rules: ['fs.deny.outside-workspace'] };
  }
  const segments = relative(workspace, path).split(sep);
  const name = segments[segments.length - 1] ?? '';
  switch (action) {
    case 'fs.read':
      if (isSecretFileName(name)) {
        return { effect: 'approve', reason: `${name} usually holds credentials; reading it would copy them into the run's results.`, rules: ['fs.approve.secret-file'] };
      }
      return { effect: 'allow', reason: 'Reading inside the workspace is allowed.', rules: ['fs.allow.read-workspace'] };
    case 'fs.write':
      if (segments.includes('.git')) {
        return { effect: 'approve', reason: 'Writing inside .git can make git run commands (hooks, fsmonitor) on the next git call.', rules: ['fs.approve.git-internals'] };
      }
      return { effect: 'allow', reason: 'Writing inside the workspace is allowed.', rules: ['fs.allow.write-workspace'] };
    case 'fs.delete':
      return { effect: 'approve', reason: `Deleting or replacing ${name === '' ? 'the workspace' : name} destroys data, so a person must approve it.`, rules: ['fs.approve.delete'] };
    default:
      return { effect: 'approve', reason: `${action} is not a file action the default policy knows.`, rules: ['fs.approve.unknown-action'] };
  }
}
