import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserInputError } from '../core/errors/index.js';
import type { GetMasterPassword } from '../keys/index.js';
import type { CommandContext } from './CommandContext.js';
import { promptSecret } from './secretInput.js';

function firstLine(content: Buffer): Buffer {
  const newline = content.indexOf(0x0a);
  let end = newline === -1 ? content.length : newline;
  if (end > 0 && content[end - 1] === 0x0d) end -= 1;
  const line = Buffer.from(content.subarray(0, end));
  content.fill(0);
  return line;
}

/** Reads a password file's first line, warning when other users could read the file. */
async function readPasswordFile(ctx: CommandContext, file: string): Promise<Buffer> {
  const path = resolve(ctx.io.cwd, file);
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      ctx.out.warn(`${path} can be read by other users; \`chmod 600 ${path}\` keeps the master password yours.`);
    }
    return firstLine(await readFile(path));
  } catch (error) {
    throw new UserInputError({
      code: 'LA_PASSWORD_FILE_UNREADABLE',
      message: `Cannot read the master password file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      suggestion: 'Check the path given to --master-password-file and that you may read it.',
      cause: error,
    });
  }
}

async function promptTwice(ctx: CommandContext, what: string): Promise<Buffer> {
  const stdin = ctx.io.stdin;
  if (!stdin) throw new UserInputError({ code: 'LA_NOT_A_TERMINAL', message: 'Cannot prompt: there is no terminal.', suggestion: 'Set LOCALAGENT_MASTER_PASSWORD or use --master-password-file.' });
  const first = await promptSecret(`${what}: `, stdin, ctx.io.stderr);
  const second = await promptSecret(`${what} (again): `, stdin, ctx.io.stderr);
  const same = first.equals(second);
  second.fill(0);
  if (!same) {
    first.fill(0);
    throw new UserInputError({ code: 'LA_PASSWORD_MISMATCH', message: 'The two passwords differ; nothing was changed.', suggestion: 'Run the command again and type the same password twice.' });
  }
  return first;
}

export interface MasterPasswordOptions {
  /** `--master-password-file`. */
  file?: string | undefined;
  /** Environment variable to read (the new password of `rotate-master` uses its own). */
  envVar?: string;
  /** Words for the prompt. */
  label?: string;
}

/**
 * Where the vault's master password comes from, in order: a file given on the command line, an
 * environment variable, or a prompt without echo on a terminal. Returns `undefined` when none is
 * possible, and the key store then explains how to give one (LA_MASTER_PASSWORD_REQUIRED).
 */
export function masterPasswordSource(ctx: CommandContext, options: MasterPasswordOptions = {}): GetMasterPassword {
  const envVar = options.envVar ?? 'LOCALAGENT_MASTER_PASSWORD';
  const label = options.label ?? 'Vault master password';
  return async (reason) => {
    if (options.file) return readPasswordFile(ctx, options.file);
    const fromEnv = ctx.io.env[envVar];
    if (fromEnv !== undefined && fromEnv !== '') return Buffer.from(fromEnv, 'utf8');
    const stdin = ctx.io.stdin;
    if (!stdin?.isTTY) return undefined;
    if (reason === 'create') {
      ctx.out.note('Creating the encrypted key vault. Choose a master password (at least 8 characters); it cannot be recovered.');
      return promptTwice(ctx, `New ${label.toLowerCase()}`);
    }
    return promptSecret(`${label}: `, stdin, ctx.io.stderr);
  };
}

/** The new password for `rotate-master`: file, LOCALAGENT_NEW_MASTER_PASSWORD, or a double prompt. */
export async function newMasterPassword(ctx: CommandContext, file: string | undefined): Promise<Buffer> {
  const source = masterPasswordSource(ctx, { file, envVar: 'LOCALAGENT_NEW_MASTER_PASSWORD', label: 'vault master password' });
  const password = await source('create');
  if (password) return password;
  throw new UserInputError({
    code: 'LA_MASTER_PASSWORD_REQUIRED',
    message: 'A new master password is needed and none was given.',
    suggestion: 'Set LOCALAGENT_NEW_MASTER_PASSWORD, use --new-master-password-file, or run the command in a terminal.',
  });
}
