import { BWRAP_BASE_ARGS } from './detectBwrap.js';
import type { SandboxLayout } from './sandboxLayout.js';

export interface BwrapCommand {
  /** The program and its arguments, run inside as given (bwrap looks the name up on the `PATH`). */
  argv: readonly string[];
  /** The working folder inside the workspace (a real path; the same path inside). */
  cwd: string;
  /** Keep the host's network; without it the program gets a network namespace of its own with only an unconnected loopback. */
  network: boolean;
}

/**
 * The full argv that runs `command` under bubblewrap with `layout`. bwrap applies mounts in order,
 * so the order is the design: the base (read-only root, fresh `/dev`, `/proc`, an empty `/tmp`),
 * then the masks (empty layers over the homes and, without network, `/run`), then program folders
 * back read-only, then the workspace back read-write, then the secrets inside the workspace
 * hidden again. Paths are the same inside and outside, so the program sees the workspace (and its
 * working folder) where the plan said.
 */
export function bwrapArgs(bwrapPath: string, layout: SandboxLayout, command: BwrapCommand): string[] {
  return [
    bwrapPath,
    ...BWRAP_BASE_ARGS,
    ...(command.network ? [] : ['--unshare-net']),
    ...layout.masked.flatMap((dir) => ['--tmpfs', dir]),
    ...layout.readOnly.flatMap((dir) => ['--ro-bind', dir, dir]),
    '--bind',
    layout.workspace,
    layout.workspace,
    ...layout.hiddenDirs.flatMap((dir) => ['--tmpfs', dir]),
    // Files cannot take a tmpfs. The host's /dev/null over them cannot even be opened: bwrap binds
    // without device access, so reading or writing it fails with EACCES.
    ...layout.hiddenFiles.flatMap((file) => ['--ro-bind', '/dev/null', file]),
    '--chdir',
    command.cwd,
    '--',
    ...command.argv,
  ];
}
