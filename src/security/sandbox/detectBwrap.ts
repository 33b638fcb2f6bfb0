import { execFile } from 'node:child_process';
import { findProgram } from './findProgram.js';

/** Why bubblewrap cannot isolate shell tasks here. */
export type BwrapUnavailableReason =
  /** Not Linux: bubblewrap is a Linux tool. */
  | 'unsupported-platform'
  /** No `bwrap` on the search path (or at the configured path). */
  | 'not-installed'
  /** `bwrap` runs, but the kernel refuses it a new user namespace (a sysctl, AppArmor, a container). */
  | 'userns-unavailable'
  /** `bwrap` is there but the trial sandbox failed for another reason (see `detail`). */
  | 'broken';

export type BwrapStatus =
  | {
      available: true;
      /** The binary that was tried and will be used. */
      path: string;
      /** As `bwrap --version` prints it, without the name: `0.8.0`. */
      version: string;
    }
  | {
      available: false;
      reason: BwrapUnavailableReason;
      /** What went wrong, in one line (bwrap's own message when it gave one). */
      detail: string;
      /** Present when the binary was found. */
      path?: string;
      version?: string;
    };

export interface DetectBwrapOptions {
  /** A path to the binary, or a name looked up in `searchPath`. Default `bwrap`. */
  bwrapPath?: string;
  /** The `PATH` to search for a bare name. */
  searchPath?: string | undefined;
  /** Default `process.platform`; only `linux` has bubblewrap. */
  platform?: NodeJS.Platform;
  /** How long each trial may take. Default 10 s. */
  timeoutMs?: number;
}

/**
 * The namespaces and mounts every shell sandbox uses. The trial runs with exactly these, so a
 * machine that passes it can run tasks; `bwrapArgs` adds only binds of existing folders on top.
 */
export const BWRAP_BASE_ARGS: readonly string[] = Object.freeze([
  '--unshare-pid',
  '--unshare-ipc',
  '--unshare-uts',
  '--die-with-parent',
  '--new-session',
  // Without this, bwrap started by root keeps every capability inside (it could unmount the hiding layers).
  '--cap-drop',
  'ALL',
  '--ro-bind',
  '/',
  '/',
  '--dev',
  '/dev',
  '--proc',
  '/proc',
  '--tmpfs',
  '/tmp',
]);

/**
 * Finds out whether bubblewrap can isolate shell tasks on this machine, by running it: first
 * `bwrap --version`, then a trial sandbox with the same namespaces and mounts a task gets (plus
 * `--unshare-net`), running `bwrap --version` again inside. Only a trial that really ran counts:
 * bwrap being installed says nothing about user namespaces, which kernels, AppArmor and container
 * runtimes often refuse. Costs two short process starts; callers cache the answer (ShellSandbox).
 */
export async function detectBwrap(options: DetectBwrapOptions = {}): Promise<BwrapStatus> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    return { available: false, reason: 'unsupported-platform', detail: `bubblewrap runs on Linux only; this is ${platform}` };
  }
  const wanted = options.bwrapPath ?? 'bwrap';
  const found = await findProgram(wanted, options.searchPath, process.cwd());
  if (!found.found) {
    const detail = found.errno === 'EACCES' ? `${wanted} is not an executable file` : wanted.includes('/') ? `${wanted} does not exist` : 'bwrap is not on the PATH';
    return { available: false, reason: 'not-installed', detail };
  }
  const path = found.path;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const versionRun = await run(path, ['--version'], timeoutMs);
  const version = /bubblewrap\s+(\S+)/.exec(versionRun.stdout)?.[1];
  if (versionRun.failed || version === undefined) {
    return { available: false, reason: 'broken', detail: `\`${path} --version\` failed: ${firstLine(versionRun.stderr || versionRun.stdout || versionRun.failure)}`, path };
  }

  const trial = await run(path, [...BWRAP_BASE_ARGS, '--unshare-net', '--', path, '--version'], timeoutMs);
  if (!trial.failed && trial.stdout.includes(version)) return { available: true, path, version };
  const detail = firstLine(trial.stderr || trial.failure || 'the trial sandbox printed nothing');
  const reason: BwrapUnavailableReason = USERNS_REFUSED.test(detail) ? 'userns-unavailable' : 'broken';
  return { available: false, reason, detail, path, version };
}

/** The messages bwrap prints when the kernel will not give it a user namespace. */
const USERNS_REFUSED = /namespace|uid map|gid map|userns|setgroups/i;

interface RunResult {
  failed: boolean;
  stdout: string;
  stderr: string;
  failure: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((done) => {
    // An empty environment: the trial must not depend on (or see) anything of LocalAgent's.
    execFile(file, args, { env: {}, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      done({ failed: error !== null, stdout, stderr, failure: error ? error.message : '' });
    });
  });
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 500);
}
