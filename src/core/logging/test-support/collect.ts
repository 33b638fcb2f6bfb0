import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HomePaths } from '../../paths/index.js';

/** A console stand-in that keeps every line written to it. */
export class CollectingStream {
  readonly raw: string[] = [];
  constructor(readonly isTTY = false) {}

  write(line: string): boolean {
    this.raw.push(line);
    return true;
  }

  /** Every line as parsed JSON (fails the test if one is not JSON). */
  get lines(): Record<string, unknown>[] {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  get text(): string {
    return this.raw.join('');
  }
}

/** A throwaway LocalAgent home; `cleanup` removes it. */
export async function tempHome(): Promise<{ home: HomePaths; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'la-logging-'));
  return { home: new HomePaths(root), cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The names of the log files in a folder, sorted. */
export async function logFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.log')).sort();
}

/** Everything written to the log files in a folder, concatenated. */
export async function readLogs(dir: string): Promise<string> {
  const names = await logFiles(dir);
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.join('');
}
