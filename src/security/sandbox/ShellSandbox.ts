import { userInfo } from 'node:os';
import { isAbsolute } from 'node:path';
import { bwrapArgs } from './bwrapArgs.js';
import { detectBwrap, type BwrapStatus, type BwrapUnavailableReason } from './detectBwrap.js';
import { sandboxUnavailable } from './isolationErrors.js';
import { isInsideDirectory } from './resolveInWorkspace.js';
import { sandboxLayout } from './sandboxLayout.js';
import { signalSandbox } from './signalSandbox.js';

/** `security.sandbox`: `auto` isolates when bubblewrap works here, `bwrap` requires it, `off` never isolates. */
export type SandboxMode = 'auto' | 'bwrap' | 'off';
export const SANDBOX_MODES: readonly SandboxMode[] = Object.freeze(['auto', 'bwrap', 'off']);

/** How a program ran: inside bubblewrap, or as a plain child process. Recorded in the task's output. */
export type Isolation = 'bwrap' | 'none';

export interface ShellSandboxOptions {
  mode: SandboxMode;
  /** LocalAgent's home; hidden from every sandboxed program. */
  localAgentHome: string;
  /** The user's home folder(s), hidden except for the workspace (see `userHomeDirs`). */
  homeDirs: readonly string[];
  /** The bubblewrap binary: a path, or a name looked up in `searchPath`. Default `bwrap`. */
  bwrapPath?: string;
  /** The `PATH` LocalAgent was started with, to find bubblewrap. */
  searchPath?: string | undefined;
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
}

export interface ShellSandboxStatus {
  mode: SandboxMode;
  /** True when shell tasks run inside bubblewrap. */
  active: boolean;
  /** Why not, when not active: switched off by config, or what stops bubblewrap here. */
  reason?: 'disabled' | BwrapUnavailableReason;
  /** One line on what was found (bwrap's own error, the missing path…). */
  detail?: string;
  /** What a person can do about it, when not active. */
  suggestion?: string;
  /** What the trial found (also in `off` mode, so doctor can say whether turning it on would work). */
  bwrap: BwrapStatus;
}

export interface SandboxCommand {
  argv: readonly string[];
  /** The working folder, a real path inside `workspace`. */
  cwd: string;
  /** The workspace's real path. */
  workspace: string;
  /** The (already scrubbed) environment. */
  env: Record<string, string>;
  /** The task asked for the network and the policy allowed it. */
  network: boolean;
}

export interface WrappedCommand {
  /** What to spawn: the program itself, or bwrap with the program at the end. */
  argv: string[];
  env: Record<string, string>;
  isolation: Isolation;
  /** Whether the program can reach the network (always, when not isolated). */
  network: boolean;
  /**
   * Delivers the polite stop signal to the program and everything it started, given the pid that
   * was spawned; present when the process group alone would not reach them (inside bwrap).
   */
  signalInside?: (spawnedPid: number, signal: NodeJS.Signals) => number;
}

const SUGGESTIONS: Record<NonNullable<ShellSandboxStatus['reason']>, string> = {
  disabled: 'Set security.sandbox to auto in the config (`localagent config path` shows where it is) to isolate shell tasks when bubblewrap works.',
  'unsupported-platform':
    'Shell isolation uses bubblewrap, which exists on Linux only; here shell tasks run as ordinary programs of your user. Review plans before running them and keep approvals for programs you do not trust.',
  'not-installed': 'Install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch).',
  'userns-unavailable':
    'Allow unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian and older Ubuntu); on Ubuntu 23.10 and later `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap; in a container, start it with user namespaces allowed (Docker: `--security-opt seccomp=unconfined --security-opt apparmor=unconfined`).',
  broken: 'Run `bwrap --ro-bind / / --unshare-pid true` in a terminal to see what fails, and reinstall bubblewrap if it is damaged.',
};

/**
 * Shell isolation for one app: finds out once (on first use, then cached by this object, never
 * in module state) whether bubblewrap works here, and wraps each shell command accordingly.
 * src/app.ts builds one from `security.sandbox` and hands it to the shell tool and to
 * `config doctor`.
 */
export class ShellSandbox {
  private statusPromise: Promise<ShellSandboxStatus> | undefined;

  constructor(private readonly options: ShellSandboxOptions) {}

  get mode(): SandboxMode {
    return this.options.mode;
  }

  /** Whether shell tasks are isolated here, and if not, why and what to do. Tries bubblewrap once per object. */
  status(): Promise<ShellSandboxStatus> {
    this.statusPromise ??= detectBwrap({
      ...(this.options.bwrapPath !== undefined ? { bwrapPath: this.options.bwrapPath } : {}),
      searchPath: this.options.searchPath,
      ...(this.options.platform !== undefined ? { platform: this.options.platform } : {}),
    }).then((bwrap) => statusOf(this.options.mode, bwrap));
    return this.statusPromise;
  }

  /**
   * Resolves when a shell task may run: always, except with `security.sandbox: bwrap` and no
   * working bubblewrap, where it throws `LA_SANDBOX_UNAVAILABLE`. The shell tool asks before the
   * policy, so nobody is asked to approve a task that cannot run.
   */
  async ready(): Promise<void> {
    if (this.options.mode !== 'bwrap') return;
    const status = await this.status();
    if (!status.active) throw sandboxUnavailable(status);
  }

  /**
   * How to run `command`: inside bubblewrap when isolation is active, as it is otherwise. With
   * `security.sandbox: bwrap` and no working bubblewrap, throws `LA_SANDBOX_UNAVAILABLE` instead of
   * running anything.
   */
  async wrap(command: SandboxCommand): Promise<WrappedCommand> {
    const plain: WrappedCommand = { argv: [...command.argv], env: command.env, isolation: 'none', network: true };
    if (this.options.mode === 'off') return plain;
    await this.ready();
    const status = await this.status();
    if (!status.bwrap.available) return plain;
    const layout = sandboxLayout({
      workspace: command.workspace,
      localAgentHome: this.options.localAgentHome,
      homeDirs: this.options.homeDirs,
      searchPath: command.env.PATH,
      network: command.network,
    });
    return {
      argv: bwrapArgs(status.bwrap.path, layout, { argv: command.argv, cwd: command.cwd, network: command.network }),
      env: insideEnv(command.env, command.workspace),
      isolation: 'bwrap',
      network: command.network,
      signalInside: signalSandbox,
    };
  }
}

function statusOf(mode: SandboxMode, bwrap: BwrapStatus): ShellSandboxStatus {
  if (mode !== 'off' && bwrap.available) return { mode, active: true, bwrap };
  const reason = mode === 'off' ? 'disabled' : bwrap.available ? 'broken' : bwrap.reason;
  const detail = mode === 'off' ? 'security.sandbox is off' : bwrap.available ? '' : bwrap.detail;
  return { mode, active: false, reason, detail, suggestion: SUGGESTIONS[reason], bwrap };
}

/**
 * The temporary-folder variables point at the sandbox's own empty `/tmp` unless they name a
 * folder in the workspace: anywhere else is hidden or read-only inside.
 */
function insideEnv(env: Record<string, string>, workspace: string): Record<string, string> {
  const result = { ...env };
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) {
    const value = result[name];
    if (value !== undefined && !(isAbsolute(value) && isInsideDirectory(workspace, value))) result[name] = '/tmp';
  }
  return result;
}

/**
 * The user's home folders to hide: `$HOME` from LocalAgent's environment and the account's home
 * from the system's user database, when they differ (a changed `$HOME` must not uncover the real one).
 */
export function userHomeDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  if (env.HOME && isAbsolute(env.HOME)) dirs.push(env.HOME);
  try {
    const account = userInfo().homedir;
    if (account && isAbsolute(account) && !dirs.includes(account)) dirs.push(account);
  } catch {
    // No entry for this uid (some containers): $HOME is all there is.
  }
  return dirs;
}
