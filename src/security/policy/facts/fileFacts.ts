import { isAbsolute, relative, sep } from 'node:path';
import { isInsideDirectory } from '../../sandbox/index.js';

/** The facts Cedar policies decide `fs.read`, `fs.write` and `fs.delete` on (docs/security/policy.md). */
export interface FileFacts {
  /** The request names an absolute workspace. */
  workspace_known: boolean;
  /** The path is absolute and inside the workspace (the tools pass real paths, so no symlink escapes). */
  inside_workspace: boolean;
  /** The file's own name, lower case (`.env`, `server.pem`); "" for the workspace itself. */
  name: string;
  /** The folders and name of the path: relative to the workspace when inside it, otherwise from the root. */
  segments: string[];
  /** The path is under `/dev` (a disk, a terminal, a random source). */
  device: boolean;
}

export function fileFacts(path: string, workspace: string | undefined): FileFacts {
  const workspaceKnown = workspace !== undefined && isAbsolute(workspace);
  const inside = workspaceKnown && isAbsolute(path) && isInsideDirectory(workspace, path);
  const segments = (inside ? relative(workspace, path) : path).split(/[\\/]/).filter((segment) => segment !== '');
  return {
    workspace_known: workspaceKnown,
    inside_workspace: inside,
    name: (segments[segments.length - 1] ?? '').toLowerCase(),
    segments: [...new Set(segments)],
    device: path === '/dev' || path.startsWith(`/dev${sep}`) || path.startsWith('/dev/'),
  };
}
