import { chmod, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pinoRoll, { type RollStream } from 'pino-roll';
import { StorageError } from '../errors/index.js';
import { ensurePrivateDir } from '../paths/index.js';

export interface FileSinkOptions {
  /** The folder; created private to the user (0700) if missing. */
  dir: string;
  /** Roll over at this size: '10m', '512k', or a number of megabytes. */
  maxSize: string | number;
  /** Also roll over every day, every hour, or every N milliseconds. */
  frequency: 'daily' | 'hourly' | number;
  /** Finished files kept besides the one being written; older ones are deleted. */
  keep: number;
  /** Write or rotation failures; the sink keeps going. */
  onError?: (error: Error) => void;
}

/** A rotating log file, fed whole JSON lines. */
export interface FileSink {
  readonly dir: string;
  /** The file being written now. */
  readonly file: string;
  write(line: string): void;
  /** Resolves once every line written so far is on disk and pending clean-ups are done. */
  flush(): Promise<void>;
  /** Flushes and closes the file; later writes are dropped. */
  close(): Promise<void>;
}

const FILE_MODE = 0o600;
const BASE_NAME = 'localagent';
/** `localagent.<yyyy-MM-dd[-HH]>.<n>.log`, the names pino-roll gives with the date formats below. */
const OUR_FILE = /^localagent\.(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}-\d{2})\.(\d+)\.log$/;
/**
 * Lines are batched into writes of at least 4 KiB (one syscall per few dozen lines instead of one
 * each) and flushed at least every second, so `tail -f` and log shippers lag by one second at most.
 * Batching is also what makes `flush()` wait for the disk: SonicBoom only tracks pending data then.
 */
const MIN_WRITE = 4096;
const PERIODIC_FLUSH_MS = 1000;

function dateFormatFor(frequency: FileSinkOptions['frequency']): string {
  return frequency === 'hourly' ? 'yyyy-MM-dd-HH' : 'yyyy-MM-dd';
}

/**
 * Opens `<dir>/localagent.<date>.<n>.log` through pino-roll, which starts a new numbered file when
 * the size or the period is reached. Old files are pruned here rather than by pino-roll's `limit`:
 * pino-roll only prunes when it rolls (a short CLI run never does) and only counts files it created
 * itself, while this counts every file of ours in the folder, at start and after each roll.
 */
export async function openFileSink(options: FileSinkOptions): Promise<FileSink> {
  const { dir, keep } = options;
  const onError = options.onError ?? (() => undefined);
  await ensurePrivateDir(dir);

  let stream: RollStream;
  try {
    stream = await pinoRoll({
      file: join(dir, BASE_NAME),
      extension: '.log',
      size: options.maxSize,
      frequency: options.frequency,
      dateFormat: dateFormatFor(options.frequency),
      mkdir: false,
      mode: FILE_MODE,
      minLength: MIN_WRITE,
      periodicFlush: PERIODIC_FLUSH_MS,
    });
    if (stream.fd < 0) {
      await new Promise<void>((resolve, reject) => {
        stream.once('ready', resolve);
        stream.once('error', reject);
      });
    }
  } catch (error) {
    throw new StorageError({
      code: 'LA_LOG_FILE',
      message: `Cannot open a log file in ${dir}: ${(error as Error).message}`,
      suggestion: 'Check the permissions of the folder, or set log.file.dir to another folder (or log.file.enabled: false).',
      cause: error,
    });
  }

  let pending: Promise<void> = Promise.resolve();
  const housekeeping = (): void => {
    const file = stream.file;
    pending = pending.then(() => tidy(dir, file, keep)).catch((error: unknown) => onError(error as Error));
  };
  stream.on('ready', housekeeping);
  stream.on('error', (error: Error) => onError(error));
  housekeeping();

  let closed = false;
  const flushStream = (): Promise<void> =>
    new Promise((resolve) => {
      if (stream.destroyed) return resolve();
      stream.flush((error) => {
        if (error) onError(error);
        resolve();
      });
    });

  return {
    dir,
    get file() {
      return stream.file;
    },
    write(line: string): void {
      if (!closed) stream.write(line);
    },
    async flush(): Promise<void> {
      if (!closed) await flushStream();
      await pending;
    },
    async close(): Promise<void> {
      if (closed) return pending;
      closed = true;
      await new Promise<void>((resolve) => {
        if (stream.destroyed) return resolve();
        stream.once('close', () => resolve());
        stream.end();
      });
      await pending;
    },
  };
}

/** Makes the current file private (it may predate us) and deletes all but the newest `keep` other files of ours. */
async function tidy(dir: string, current: string, keep: number): Promise<void> {
  if (process.platform !== 'win32') await chmod(current, FILE_MODE).catch(() => undefined);
  const currentName = basename(current);
  const finished = (await readdir(dir))
    .map((name) => ({ name, match: OUR_FILE.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null && f.name !== currentName)
    // Names sort by age: the date, then the sequence number pino-roll increments.
    .sort((a, b) => (b.match[1] ?? '').localeCompare(a.match[1] ?? '') || Number(b.match[2]) - Number(a.match[2]));
  await Promise.all(
    finished.slice(keep).map(({ name }) =>
      unlink(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      }),
    ),
  );
}
