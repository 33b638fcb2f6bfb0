import { isAbsolute, posix, resolve } from 'node:path';
import { isInsideDirectory } from '../../sandbox/index.js';
import { findShellHazards, type ShellHazard } from './shellHazards.js';

/** Folders where system programs live; a program named by a path elsewhere could be anything. */
export const SYSTEM_PROGRAM_DIRS: readonly string[] = Object.freeze(['/bin', '/usr/bin', '/usr/local/bin', '/sbin', '/usr/sbin', '/opt/homebrew/bin']);

export interface ShellFactOptions {
  /**
   * The config's `security.allow_commands`: a program name (`make`) or a program and its first
   * arguments (`git fetch`). A match sets `allowed_by_config`.
   */
  allowCommands: readonly string[];
  /** The user's home folder, for the `rm -rf ~` hazard. */
  homeDir: string;
}

/** What the request says about the command. */
export interface ShellInput {
  argv: readonly string[];
  /** The workspace's real path; unknown means every path-like argument counts as outside. */
  workspace?: string | undefined;
  /** The command's working folder (real path); defaults to the workspace. */
  cwd?: string | undefined;
}

/** The facts Cedar policies decide `shell.exec` and `shell.network` on (docs/security/policy.md). */
export interface ShellFacts {
  /** The base name of argv[0]: `/usr/bin/git` is `git`. */
  program: string;
  /** argv[1], or "" when there is none. */
  subcommand: string;
  /** Every argument after argv[0]. */
  args: string[];
  /** argv[0] contains a `/` and is not in one of the system folders (`./cat`, `bin/ls`, `/opt/x/cat`). */
  untrusted_program_path: boolean;
  /** The command matches an entry of `security.allow_commands`. */
  allowed_by_config: boolean;
  /** The dangerous patterns found (`rm-root`, `pipe-to-shell`, …), past wrappers and inside `sh -c`. */
  hazards: ShellHazard[];
  /** Options that make an otherwise read-only program write files, set the clock or run programs. */
  risky_options: string[];
  /** Arguments that name a path outside the workspace (`/etc/passwd`, `~/.ssh`, `../x`). */
  outside_paths: string[];
}

/** Computes the shell facts: parsing argv and resolving paths is TypeScript's job, deciding is Cedar's. */
export function shellFacts(input: ShellInput, options: ShellFactOptions): ShellFacts {
  const argv = input.argv;
  const program = argv[0] ?? '';
  const name = posix.basename(program);
  return {
    program: name,
    subcommand: argv[1] ?? '',
    args: [...new Set(argv.slice(1))],
    untrusted_program_path: program.includes('/') && !isSystemProgramPath(program),
    allowed_by_config: options.allowCommands.some((entry) => matchesCommandEntry(entry, argv)),
    hazards: findShellHazards(argv, options.homeDir),
    risky_options: riskyOptions(name, argv),
    outside_paths: argumentsOutsideWorkspace(argv, input),
  };
}

/** Options of otherwise read-only programs that write files or change the system. */
function riskyOptions(name: string, argv: readonly string[]): string[] {
  const args = argv.slice(1);
  switch (name) {
    case 'sort':
      // -o may follow sort's flag letters in one cluster (-no out.txt).
      return args.filter((a) => a.startsWith('--output') || /^-[bdfgiMhnRrVcCsuz]*o/.test(a));
    case 'date':
      return args.filter((a) => a.startsWith('--set') || /^-[uR]*s/.test(a));
    case 'git':
      return args.filter((a) => a.startsWith('--output') || a === '--ext-diff' || a === '--no-index' || a.startsWith('--exec'));
    default:
      return [];
  }
}

/**
 * The arguments that name a path outside the workspace: absolute and outside, starting with `~`,
 * or climbing out with `..` from the working folder. `--opt=value` is checked by its value. A
 * heuristic: the program decides what an argument means, so this errs towards "outside".
 */
function argumentsOutsideWorkspace(argv: readonly string[], input: ShellInput): string[] {
  const out: string[] = [];
  for (const arg of argv.slice(1)) {
    const value = arg.startsWith('-') ? (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '') : arg;
    if (value === '') continue;
    if (value.startsWith('~')) {
      out.push(arg);
      continue;
    }
    const looksLikePath = isAbsolute(value) || value === '..' || value.startsWith('../') || value.includes('/../') || value.endsWith('/..');
    if (!looksLikePath) continue;
    if (input.workspace === undefined || !isInsideDirectory(input.workspace, resolve(input.cwd ?? input.workspace, value))) out.push(arg);
  }
  return out;
}

function isSystemProgramPath(program: string): boolean {
  return isAbsolute(program) && SYSTEM_PROGRAM_DIRS.includes(posix.dirname(posix.normalize(program)));
}

/** `make` matches any make command; `git fetch` matches git whose first argument is fetch. */
function matchesCommandEntry(entry: string, argv: readonly string[]): boolean {
  const [program, ...rest] = entry.trim().split(/\s+/);
  if (program === undefined || posix.basename(argv[0] ?? '') !== program) return false;
  return rest.every((word, index) => argv[index + 1] === word);
}
