import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FieldCipher } from '../../core/crypto/index.js';
import { writeFileAtomic } from '../../core/fs/index.js';
import type { LastResult } from '../../formats/index.js';
import { encodeLastFile } from './lastFileFormat.js';

/** `<runs dir>/<run id>.last.json`. */
export function lastFilePath(runsDir: string, runId: string): string {
  return join(runsDir, `${runId}.last.json`);
}

/**
 * Writes the result atomically (a reader sees the old file or the new one, never half), private to
 * the user, as one line of compact JSON (the same text the database keeps: a 10,000-task result is
 * serialised once, and is a third smaller than indented). `jq . <file>` shows it indented. With a
 * cipher (`security.encrypt_results`) the file holds only the sealed envelope (lastFileFormat.ts);
 * it is sealed before anything is written, so a failure leaves no file, never a plain one.
 */
export async function writeLast(runsDir: string, last: LastResult, json = JSON.stringify(last), cipher?: FieldCipher): Promise<string> {
  const text = encodeLastFile(json, cipher);
  await mkdir(runsDir, { recursive: true, mode: 0o700 });
  const file = lastFilePath(runsDir, last.run_id);
  await writeFileAtomic(file, text);
  return file;
}
