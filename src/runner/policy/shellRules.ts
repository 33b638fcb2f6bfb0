import { isAbsolute, posix, resolve } from 'node:path';
import { isInsideDirectory } from '../../security/sandbox/index.js';
import type { PolicyDecision } from '../types/index.js';

/**
 * Programs that only read or print, allowed without approval. Matched on the program's base name
 * (`/usr/bin/cat` is `cat`). Interpreters (`node`, `python3`) are deliberately not here: they run
 * arbitrary code, so they need approval unless the configuration lists them.
 */
export const SAFE_PROGRAMS: readonly string[] = Object.freeze(['echo', 'printf', 'true', 'false', 'pwd', 'date', 'cat', 'ls', 'head', 'tail', 'wc', 'grep', 'sort', 'uniq']);

/** `git` subcommands that only read the repository. */
export const SAFE_GIT_SUBCOMMANDS: readonly string[] = Object.freeze(['status', 'diff', 'log']);

/** Programs that run whatever code they are given. */
export const INTERPRETERS: readonly string[] = Object.freeze(['node', 'nodejs', 'deno', 'bun', 'python', 'python3', 'python2', 'perl', 'ruby', 'php', 'lua', 'osascript', 'pwsh', 'powershell']);

/** Shells: `-c` runs a script, which the deny rules look into. */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'ash', 'busybox']);

/** Programs that run the rest of their arguments as a command; the deny rules look past them. */
const WRAPPERS = new Set(['sudo', 'doas', 'su', 'env', 'nice', 'nohup', 'timeout', 'xargs', 'command', 'exec', 'stdbuf', 'ionice', 'setsid', 'time', 'watch', 'chroot', 'busybox', 'strace', 'unbuffer', 'caffeinate', 'flock']);

/** Programs that print or compute without opening files; the outside-path check skips them. */
const NO_FILE_ACCESS = new Set(['echo', 'printf', 'true', 'false', 'pwd', 'date']);

/** Folders where system programs live; a program named by a path elsewhere needs approval. */
const SYSTEM_PROGRAM_DIRS = ['/bin', '/usr/bin', '/usr/local/bin', '/sbin', '/usr/sbin', '/opt/homebrew/bin'];

const POWER_PROGRAMS = new Set(['shutdown', 'reboot', 'halt', 'poweroff']);
const POWER_SYSTEMCTL = new Set(['poweroff', 'reboot', 'halt', 'kexec', 'suspend', 'hibernate', 'hybrid-sleep', 'rescue', 'emergency']);
const DISK_FORMATTERS = new Set(['mke2fs', 'mkswap', 'wipefs', 'mkdosfs', 'mkntfs', 'newfs']);
/** Device files dd may write to harmlessly. */
const HARMLESS_DEVICES = /^of=\/dev\/(?:null|zero|stdout|stderr|fd\/\d+)$/;

const SHELL_NAME = /^(?:ba|z|k|da|fi|c|tc)?sh$/;
const DOWNLOADER = /\b(?:curl|wget)\b/;
/** `bash <(curl …)`, `sh -c "$(wget …)"`. */
const SHELL_OF_DOWNLOAD = /\b(?:ba|z|k|da)?sh\b.*(?:<\(|\$\(|`)\s*(?:curl|wget)\b/;
/** `:(){ :|:& };:` and named variants, matched with spaces removed. */
const FORK_BOMB = /([\w:.]+)\(\)\{[^}]*?\1\|\1&?/;
/** A redirect onto a disk in a shell script. */
const DEVICE_REDIRECT = />\s*\/dev\/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk)/;

export interface CommandRuleOptions {
  /** Extra commands allowed without approval: `make`, or a program and subcommand, `git fetch`. */
  allowCommands: readonly string[];
  /** Extra program names always denied. */
  denyCommands: readonly string[];
  /** The user's home folder, for `rm -rf /home/alice`. */
  homeDir: string;
}

/** Facts about the command from the request context. */
export interface CommandFacts {
  argv: readonly string[];
  /** The workspace's real path; unknown means every path outside-looking argument needs approval. */
  workspace?: string;
  /** The command's working folder (real path); defaults to the workspace. */
  cwd?: string;
}

/**
 * Decides a `shell.exec` request. Deny rules come first and look through wrappers (`sudo`, `env`,
 * `timeout`…) and into `sh -c` scripts; then the allowlist (with checks on risky options and on
 * paths outside the workspace); everything else needs approval.
 */
export function decideCommand(facts: CommandFacts, options: CommandRuleOptions): PolicyDecision {
  const argv = facts.argv;
  const program = argv[0] ?? '';
  const denied = findDenial(argv, options, 0);
  if (denied) return denied;

  const name = posix.basename(program);
  if (program.includes('/') && !isSystemProgramPath(program)) {
    return approve(`"${program}" is a program named by a path outside the system folders (${SYSTEM_PROGRAM_DIRS.join(', ')}); a program written into the workspace could be anything.`, 'shell.approve.program-path');
  }

  const configured = options.allowCommands.some((entry) => matchesCommandEntry(entry, argv));
  const builtin = name === 'git' ? gitVerdict(argv) : SAFE_PROGRAMS.includes(name) ? 'safe' : undefined;
  if (!configured && typeof builtin === 'object') return builtin;
  if (!configured && builtin === undefined) {
    if (INTERPRETERS.includes(name)) {
      return approve(`"${name}" is an interpreter: it runs whatever code it is given, so a person must approve it (or list it in the policy's allowed commands).`, 'shell.approve.interpreter');
    }
    return approve(`"${name}" is not among the programs allowed without approval (${SAFE_PROGRAMS.join(', ')}, git ${SAFE_GIT_SUBCOMMANDS.join('/')}).`, 'shell.approve.unlisted');
  }

  const risky = riskyOption(name, argv);
  if (risky) return approve(`"${name}" with ${risky} can write files or change the system, so it needs approval.`, 'shell.approve.risky-option');
  if (!NO_FILE_ACCESS.has(name)) {
    const outside = argumentOutsideWorkspace(argv, facts);
    if (outside !== undefined) {
      return approve(`The argument "${outside}" names a path outside the workspace; reading outside it needs approval.`, 'shell.approve.path-outside-workspace');
    }
  }
  return configured
    ? { effect: 'allow', reason: `"${name}" is in the policy's allowed commands.`, rules: ['shell.allow.configured'] }
    : { effect: 'allow', reason: `"${name === 'git' ? `git ${argv[1] ?? ''}` : name}" only reads or prints, and is allowed without approval.`, rules: ['shell.allow.safe-program'] };
}

/** `git status|diff|log` with no global options before the subcommand (`-c` can run commands). */
function gitVerdict(argv: readonly string[]): 'safe' | PolicyDecision {
  const sub = argv[1];
  if (sub === undefined || sub.startsWith('-')) {
    return approve('git with options before the subcommand (such as -c, which can run commands) needs approval.', 'shell.approve.git');
  }
  if (!SAFE_GIT_SUBCOMMANDS.includes(sub)) {
    return approve(`"git ${sub}" can change the repository or talk to the network; only git ${SAFE_GIT_SUBCOMMANDS.join(', ')} run without approval.`, 'shell.approve.git');
  }
  return 'safe';
}

/** Options of otherwise safe programs that write files or change the system. */
function riskyOption(name: string, argv: readonly string[]): string | undefined {
  const args = argv.slice(1);
  const find = (test: (arg: string) => boolean): string | undefined => args.find(test);
  switch (name) {
    case 'sort':
      // -o may follow sort's flag letters in one cluster (-no out.txt).
      return find((a) => a.startsWith('--output') || /^-[bdfgiMhnRrVcCsuz]*o/.test(a));
    case 'date':
      return find((a) => a.startsWith('--set') || /^-[uR]*s/.test(a));
    case 'git':
      return find((a) => a.startsWith('--output') || a === '--ext-diff' || a === '--no-index' || a.startsWith('--exec'));
    default:
      return undefined;
  }
}

/**
 * The first argument that names a path outside the workspace: absolute and outside, starting with
 * `~`, or climbing out with `..` from the working folder. `--opt=value` is checked by its value.
 * A heuristic: the program decides what an argument means, so this errs towards asking.
 */
function argumentOutsideWorkspace(argv: readonly string[], facts: CommandFacts): string | undefined {
  for (const arg of argv.slice(1)) {
    const value = arg.startsWith('-') ? (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '') : arg;
    if (value === '') continue;
    if (value.startsWith('~')) return arg;
    const looksLikePath = isAbsolute(value) || value === '..' || value.startsWith('../') || value.includes('/../') || value.endsWith('/..');
    if (!looksLikePath) continue;
    if (facts.workspace === undefined) return arg;
    const target = resolve(facts.cwd ?? facts.workspace, value);
    if (!isInsideDirectory(facts.workspace, target)) return arg;
  }
  return undefined;
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

/** The deny rules, on the command, past wrappers, and inside `sh -c` scripts (three levels deep). */
function findDenial(argv: readonly string[], options: CommandRuleOptions, depth: number): PolicyDecision | undefined {
  for (const item of argv) {
    const itemDenial = scanItem(item);
    if (itemDenial) return itemDenial;
  }
  const positions = WRAPPERS.has(posix.basename(argv[0] ?? '')) ? argv.map((_, index) => index) : [0];
  for (const position of positions) {
    const command = argv.slice(position);
    const denial = denyRule(command, options);
    if (denial) return denial;
    const script = depth < 3 ? shellScript(command) : undefined;
    if (script !== undefined) {
      for (const inner of splitScript(script)) {
        const innerDenial = findDenial(inner, options, depth + 1);
        if (innerDenial) return innerDenial;
      }
    }
  }
  return undefined;
}

/** Patterns that are dangerous wherever they appear, as an argument to anything. */
function scanItem(item: string): PolicyDecision | undefined {
  if (pipesDownloadToShell(item) || SHELL_OF_DOWNLOAD.test(item)) {
    return deny('Downloading a script and running it in a shell (curl … | sh) runs code nobody has seen.', 'shell.deny.pipe-to-shell');
  }
  if (FORK_BOMB.test(item.replace(/\s+/g, ''))) return deny('This is a fork bomb: it would exhaust the machine\'s processes.', 'shell.deny.fork-bomb');
  if (DEVICE_REDIRECT.test(item)) return deny('Writing onto a disk device destroys its file systems.', 'shell.deny.device-write');
  return undefined;
}

/** `curl … | sh`, `wget -O- … | sudo bash`: a pipe after a download whose next command is a shell. */
function pipesDownloadToShell(item: string): boolean {
  const download = item.search(DOWNLOADER);
  if (download < 0) return false;
  return item
    .slice(download)
    .split('|')
    .slice(1)
    .some((stage) => {
      const programs = stage.trim().split(/\s+/).filter((word) => !['sudo', 'env', 'exec', 'command'].includes(word) && !word.includes('='));
      return SHELL_NAME.test(posix.basename(programs[0] ?? ''));
    });
}

/** Rules on one command (its program is `command[0]`). */
function denyRule(command: readonly string[], options: CommandRuleOptions): PolicyDecision | undefined {
  const name = posix.basename(command[0] ?? '');
  const args = command.slice(1);
  if (options.denyCommands.includes(name)) return deny(`"${name}" is denied by the policy's configuration.`, 'shell.deny.configured');
  if (name === 'rm') {
    const { flags, targets } = splitOptions(args);
    if (flags.includes('--no-preserve-root')) return deny('rm --no-preserve-root exists only to delete everything.', 'shell.deny.rm-root');
    const recursive = flags.some((flag) => flag === '--recursive' || (/^-[^-]/.test(flag) && /[rR]/.test(flag)));
    const target = recursive ? targets.find((t) => isSweepingTarget(t, options.homeDir)) : undefined;
    if (target !== undefined) return deny(`rm -r on "${target}" would delete the system, the home folder or everything in the working folder.`, 'shell.deny.rm-root');
  }
  if (name === 'mkfs' || name.startsWith('mkfs.') || DISK_FORMATTERS.has(name)) return deny(`"${name}" formats a disk, destroying its data.`, 'shell.deny.mkfs');
  if (name === 'dd') {
    const target = args.find((arg) => arg.startsWith('of=/dev/') && !HARMLESS_DEVICES.test(arg));
    if (target !== undefined) return deny(`dd ${target} writes raw bytes over a device, destroying its data.`, 'shell.deny.dd-device');
  }
  if (POWER_PROGRAMS.has(name) || ((name === 'init' || name === 'telinit') && ['0', '6'].includes(args[0] ?? '')) || (name === 'systemctl' && args.some((arg) => POWER_SYSTEMCTL.has(arg)))) {
    return deny(`"${[name, ...args].join(' ')}" shuts down or restarts the machine.`, 'shell.deny.power');
  }
  if (name === 'chmod' || name === 'chown' || name === 'chgrp') {
    const { flags, targets } = splitOptions(args);
    const recursive = flags.some((flag) => flag === '--recursive' || (/^-[^-]/.test(flag) && flag.includes('R')));
    const target = recursive ? targets.find((t) => isSweepingTarget(t, options.homeDir)) : undefined;
    if (target !== undefined) return deny(`${name} -R on "${target}" would change the permissions of the whole system or home folder.`, 'shell.deny.recursive-permissions');
  }
  return undefined;
}

function splitOptions(args: readonly string[]): { flags: string[]; targets: string[] } {
  const flags: string[] = [];
  const targets: string[] = [];
  let afterDashes = false;
  for (const arg of args) {
    if (!afterDashes && arg === '--') afterDashes = true;
    else if (!afterDashes && arg.startsWith('-') && arg.length > 1) flags.push(arg);
    else targets.push(arg);
  }
  return { flags, targets };
}

/** `/`, `/etc`, `/*`, `~`, `$HOME`, the home folder, `*`, `.`, `..` and such. */
function isSweepingTarget(target: string, homeDir: string): boolean {
  const t = target.length > 1 ? target.replace(/\/+$/, '') : target;
  if (['', '*', '.', '..', './*', '../*', '.*', '~', '~/*', '$HOME', '${HOME}', '$HOME/*', '${HOME}/*'].includes(t)) return true;
  if (t === '/' || /^\/[^/]*$/.test(t) || t === '/*') return true;
  const home = homeDir.replace(/\/+$/, '');
  return home !== '' && (t === home || t === `${home}/*` || t === posix.dirname(home));
}

/** The script of `sh -c script` (also `-lc`, `-ec`, `busybox sh -c`). */
function shellScript(command: readonly string[]): string | undefined {
  if (!SHELLS.has(posix.basename(command[0] ?? ''))) return undefined;
  for (let index = 1; index < command.length; index += 1) {
    const arg = command[index] ?? '';
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(arg)) return command[index + 1];
  }
  return undefined;
}

/** Splits a shell script into simple commands, coarsely: enough for the deny rules, never for running. */
function splitScript(script: string): string[][] {
  return script
    .split(/;|&&|\|\||\||&|\n|\$\(|`|\(|\)|\{|\}/)
    .map(words)
    .filter((command) => command.length > 0);
}

function words(segment: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of segment) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || current !== '') out.push(current);
      current = '';
      started = false;
    } else if (ch !== '\\') {
      current += ch;
    }
  }
  if (started || current !== '') out.push(current);
  return out;
}

function approve(reason: string, rule: string): PolicyDecision {
  return { effect: 'approve', reason, rules: [rule] };
}

function deny(reason: string, rule: string): PolicyDecision {
  return { effect: 'deny', reason, rules: [rule] };
}
