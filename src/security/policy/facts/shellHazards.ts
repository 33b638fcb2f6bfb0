import { posix } from 'node:path';

/**
 * The dangerous patterns the shell classifier recognises. Each id becomes an element of the
 * `hazards` fact, and the default policy `shell.deny.<id>` forbids commands that carry it.
 */
export const SHELL_HAZARDS = ['rm-root', 'mkfs', 'dd-device', 'power', 'recursive-permissions', 'pipe-to-shell', 'fork-bomb', 'device-write'] as const;
export type ShellHazard = (typeof SHELL_HAZARDS)[number];

/** Shells: `-c` runs a script, which the hazard scan looks into. */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'ash', 'busybox']);

/** Programs that run the rest of their arguments as a command; the hazard scan looks past them. */
const WRAPPERS = new Set(['sudo', 'doas', 'su', 'env', 'nice', 'nohup', 'timeout', 'xargs', 'command', 'exec', 'stdbuf', 'ionice', 'setsid', 'time', 'watch', 'chroot', 'busybox', 'strace', 'unbuffer', 'caffeinate', 'flock']);

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

/** How deep the scan follows `sh -c` scripts inside `sh -c` scripts. */
const MAX_SCRIPT_DEPTH = 3;

/**
 * Every hazard in a command: on the command itself, past wrappers (`sudo`, `env`, `timeout`…;
 * every later argument is tried as the start of a command) and inside `sh -c` scripts (three
 * levels deep). Every argument string is also scanned for the patterns that are dangerous
 * anywhere (`curl … | sh`, fork bombs, redirects onto disks). `homeDir` is for `rm -rf ~`.
 */
export function findShellHazards(argv: readonly string[], homeDir: string): ShellHazard[] {
  const found = new Set<ShellHazard>();
  scanCommand(argv, homeDir, 0, found);
  return SHELL_HAZARDS.filter((hazard) => found.has(hazard));
}

function scanCommand(argv: readonly string[], homeDir: string, depth: number, found: Set<ShellHazard>): void {
  for (const item of argv) scanItem(item, found);
  const positions = WRAPPERS.has(posix.basename(argv[0] ?? '')) ? argv.map((_, index) => index) : [0];
  for (const position of positions) {
    const command = argv.slice(position);
    commandHazards(command, homeDir, found);
    const script = depth < MAX_SCRIPT_DEPTH ? shellScript(command) : undefined;
    if (script !== undefined) {
      for (const inner of splitScript(script)) scanCommand(inner, homeDir, depth + 1, found);
    }
  }
}

/** Patterns that are dangerous wherever they appear, as an argument to anything. */
function scanItem(item: string, found: Set<ShellHazard>): void {
  if (pipesDownloadToShell(item) || SHELL_OF_DOWNLOAD.test(item)) found.add('pipe-to-shell');
  if (FORK_BOMB.test(item.replace(/\s+/g, ''))) found.add('fork-bomb');
  if (DEVICE_REDIRECT.test(item)) found.add('device-write');
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
      // `curl x | sh; next`: the shell's name ends where the script's punctuation starts.
      return SHELL_NAME.test(posix.basename((programs[0] ?? '').replace(/[;&)]+$/, '')));
    });
}

/** Hazards of one command (its program is `command[0]`). */
function commandHazards(command: readonly string[], homeDir: string, found: Set<ShellHazard>): void {
  const name = posix.basename(command[0] ?? '');
  const args = command.slice(1);
  if (name === 'rm') {
    const { flags, targets } = splitOptions(args);
    const recursive = flags.some((flag) => flag === '--recursive' || (/^-[^-]/.test(flag) && /[rR]/.test(flag)));
    if (flags.includes('--no-preserve-root') || (recursive && targets.some((t) => isSweepingTarget(t, homeDir)))) found.add('rm-root');
  }
  if (name === 'mkfs' || name.startsWith('mkfs.') || DISK_FORMATTERS.has(name)) found.add('mkfs');
  if (name === 'dd' && args.some((arg) => arg.startsWith('of=/dev/') && !HARMLESS_DEVICES.test(arg))) found.add('dd-device');
  if (POWER_PROGRAMS.has(name) || ((name === 'init' || name === 'telinit') && ['0', '6'].includes(args[0] ?? '')) || (name === 'systemctl' && args.some((arg) => POWER_SYSTEMCTL.has(arg)))) {
    found.add('power');
  }
  if (name === 'chmod' || name === 'chown' || name === 'chgrp') {
    const { flags, targets } = splitOptions(args);
    const recursive = flags.some((flag) => flag === '--recursive' || (/^-[^-]/.test(flag) && flag.includes('R')));
    if (recursive && targets.some((t) => isSweepingTarget(t, homeDir))) found.add('recursive-permissions');
  }
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

/** Splits a shell script into simple commands, coarsely: enough for the hazard scan, never for running. */
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
