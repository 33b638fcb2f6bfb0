import { lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listTree } from '../../../test/support/listTree.js';

export async function makeHome(): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'la-keys-'));
  const home = join(root, 'home');
  return { home, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Every regular file under `dir`, with its bytes (lock folders and temp files included). */
export async function allFiles(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const path of await listTree(dir)) if ((await lstat(path)).isFile()) out.push({ path, bytes: await readFile(path) });
  return out;
}

/** A password source that counts how often it was asked and hands out a fresh buffer each time. */
export function passwords(...answers: Array<string | undefined>): ((reason: string) => Promise<Buffer | undefined>) & { asked: string[] } {
  const asked: string[] = [];
  const fn = async (reason: string): Promise<Buffer | undefined> => {
    asked.push(reason);
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    return answer === undefined ? undefined : Buffer.from(answer);
  };
  return Object.assign(fn, { asked });
}

export const FAST_KDF = { N: 2 ** 14 } as const;

export const KEYS = {
  openai: `sk-proj-${'A1b2C3d4'.repeat(6)}`,
  openai2: `sk-proj-${'Z9y8X7w6'.repeat(6)}`,
  anthropic: `sk-ant-api03-${'q'.repeat(80)}-AA`,
  gemini: `AIza${'B'.repeat(35)}`,
  openrouter: `sk-or-v1-${'0123456789abcdef'.repeat(4)}`,
} as const;
