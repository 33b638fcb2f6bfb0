import { StorageError, UsageError, UserInputError } from '../core/errors/index.js';

/** A line of an import bundle that cannot be imported; nothing of the bundle was. */
export function bundleLineError(file: string, line: number, reason: string, details: Record<string, unknown> = {}): UserInputError {
  return new UserInputError({
    code: 'LA_ARCHIVE_IMPORT_INVALID',
    message: `${file}, line ${line}: ${reason}. Nothing was imported.`,
    suggestion: 'Fix or remove that line (each line is one .atlas record, docs/formats/atlas.md) and import the file again; importing twice adds nothing twice.',
    details: { file, line, ...details },
  });
}

/** A search query that cannot be run as written. */
export function searchQueryError(query: string, reason: string): UserInputError {
  return new UserInputError({
    code: 'LA_SEARCH_QUERY_INVALID',
    message: `The search "${query.length > 200 ? `${query.slice(0, 200)}…` : query}" cannot be run: ${reason}.`,
    suggestion: 'Write words to look for (all must match), "a phrase" in quotes, a OR b, -word to leave out, word* for a prefix, and field:word with command, title, output or error (docs/archive.md).',
    details: { reason },
  });
}

/** The run exists but has not finished, so it has no `.atlas` record yet. */
export function runNotFinished(runId: string, status: string): UserInputError {
  return new UserInputError({
    code: 'LA_ARCHIVE_RUN_NOT_FINISHED',
    message: `Run "${runId}" is ${status}; only finished runs are archived.`,
    suggestion: `Wait for it to finish (or resume it with \`localagent runs resume ${runId}\`), then try again.`,
    details: { run_id: runId, status },
  });
}

/** Feedback named a task the run does not have. */
export function taskNotInRun(runId: string, taskId: string, known: readonly string[]): UserInputError {
  return new UserInputError({
    code: 'LA_ARCHIVE_TASK_NOT_FOUND',
    message: `Run "${runId}" has no task "${taskId}".`,
    suggestion: `Use one of its tasks (${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}), or leave --task out to rate the whole run.`,
    details: { run_id: runId, task: taskId },
  });
}

/** A stored record is encrypted and this process has no key to open it. */
export function sealedRecord(runId: string): StorageError {
  return new StorageError({
    code: 'LA_ARCHIVE_SEALED',
    category: 'user',
    message: `The archived record of run "${runId}" is encrypted at rest, and this LocalAgent was started without the key to open it.`,
    suggestion: 'Turn result encryption on in this LocalAgent too (`security.encrypt_results: true`, with the same key), then try again.',
    details: { run_id: runId },
  });
}

/** A time or age option that does not parse. */
export function badTimeOption(option: string, value: string): UsageError {
  return new UsageError({
    message: `${option} "${value}" is neither an age (such as 90d, 12h, 2w) nor a date (such as 2026-01-31).`,
    suggestion: `Write ${option} 30d for the last thirty days, or ${option} 2026-01-31 for a date.`,
  });
}
