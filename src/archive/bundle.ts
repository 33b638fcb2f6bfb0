import { open, type FileHandle } from 'node:fs/promises';
import { LocalAgentError, UserInputError } from '../core/errors/index.js';
import { checkAtlas, type AtlasRecord } from '../formats/index.js';
import { bundleLineError } from './errors.js';

function unreadable(shownAs: string, error: unknown): UserInputError {
  const code = (error as NodeJS.ErrnoException).code;
  return new UserInputError({
    code: code === 'ENOENT' ? 'LA_PATH_NOT_FOUND' : 'LA_ARCHIVE_IMPORT_INVALID',
    message: code === 'ENOENT' ? `There is no file ${shownAs}.` : `${shownAs} cannot be read: ${(error as Error).message}.`,
    suggestion: "Check the path (it is relative to the current folder) and the file's permissions.",
    details: { file: shownAs },
  });
}

/**
 * Reads an `.atlas.jsonl` bundle: one record per line (blank lines allowed). Every line is checked
 * before anything is stored; the first bad one stops the import with its line number, so a
 * malformed or cut-short bundle imports nothing. A run that appears twice is kept once (the first).
 */
export async function readBundle(file: string, shownAs: string): Promise<AtlasRecord[]> {
  const records = new Map<string, AtlasRecord>();
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadable(shownAs, error);
  }
  let line = 0;
  try {
    for await (const text of handle.readLines({ encoding: 'utf8' })) {
      line += 1;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw bundleLineError(shownAs, line, `not valid JSON (${(error as Error).message}); the file may be cut short or edited`);
      }
      const checked = checkAtlas(value);
      if (!checked.ok) {
        throw bundleLineError(shownAs, line, `not a valid .atlas record: ${checked.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems: checked.problems });
      }
      if (!records.has(checked.record.run_id)) records.set(checked.record.run_id, checked.record);
    }
  } catch (error) {
    if (error instanceof LocalAgentError) throw error;
    throw unreadable(shownAs, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return [...records.values()];
}
