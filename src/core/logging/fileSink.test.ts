import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../errors/index.js';
import { openFileSink, type FileSink } from './fileSink.js';
import { logFiles, readLogs, tempHome } from './test-support/collect.js';

const posix = process.platform !== 'win32';

function line(i: number): string {
  return `${JSON.stringify({ level: 'info', i, message: `line ${i} ${'x'.repeat(80)}` })}\n`;
}

describe('openFileSink', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sinks: FileSink[] = [];

  beforeEach(async () => {
    const temp = await tempHome();
    dir = temp.home.logs;
    cleanup = temp.cleanup;
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((sink) => sink.close()));
    await cleanup();
  });

  async function open(options: Partial<Parameters<typeof openFileSink>[0]> = {}): Promise<FileSink> {
    const sink = await openFileSink({ dir, maxSize: '10m', frequency: 'daily', keep: 3, ...options });
    sinks.push(sink);
    return sink;
  }

  it('creates the folder private (0700) and the file private (0600), named by date', async () => {
    const sink = await open();
    sink.write(line(1));
    await sink.flush();
    expect(sink.file).toMatch(/[/\\]localagent\.\d{4}-\d{2}-\d{2}\.1\.log$/);
    expect(await readFile(sink.file, 'utf8')).toBe(line(1));
    if (posix) {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(sink.file)).mode & 0o777).toBe(0o600);
    }
  });

  it.runIf(posix)('tightens a folder and a current file that were too open', async () => {
    await mkdir(dir, { mode: 0o755 });
    const today = new Date();
    const pad = (n: number): string => String(n).padStart(2, '0');
    const name = `localagent.${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}.1.log`;
    await writeFile(join(dir, name), 'old line\n', { mode: 0o644 });
    const sink = await open();
    await sink.flush();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(sink.file)).mode & 0o777).toBe(0o600);
  });

  it('rolls over by size and keeps at most `keep` finished files besides the current one', async () => {
    const sink = await open({ maxSize: '1k', keep: 2 });
    for (let i = 0; i < 200; i++) {
      sink.write(line(i));
      if (i % 20 === 19) await sink.flush();
    }
    await sink.flush();
    await vi.waitFor(async () => {
      const files = await logFiles(dir);
      expect(files.length).toBeGreaterThan(1);
      expect(files.length).toBeLessThanOrEqual(3);
    });
    // The newest lines are all there; only whole old files were dropped.
    const text = await readLogs(dir);
    expect(text).toContain('"i":199');
    expect(text).not.toContain('"i":0,');
    for (const name of await logFiles(dir)) {
      if (posix) expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
    }
  });

  it('rolls over by time with a numeric frequency', async () => {
    const sink = await open({ frequency: 200, keep: 5 });
    sink.write(line(1));
    await sink.flush();
    const first = sink.file;
    await vi.waitFor(() => expect(sink.file).not.toBe(first), { timeout: 3000, interval: 50 });
    sink.write(line(2));
    await sink.flush();
    expect((await logFiles(dir)).length).toBeGreaterThan(1);
    expect(await readFile(sink.file, 'utf8')).toContain('"i":2');
  });

  it('prunes old files left by earlier runs when it starts', async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const old = ['2020-01-01.1', '2020-01-02.1', '2020-01-03.1', '2020-01-03.2', '2020-01-04.1'].map((d) => `localagent.${d}.log`);
    await Promise.all([...old, 'other.log', 'notes.txt'].map((name) => writeFile(join(dir, name), 'x\n')));
    const sink = await open({ keep: 2 });
    await sink.flush();
    const left = await logFiles(dir);
    expect(left).toEqual(['localagent.2020-01-03.2.log', 'localagent.2020-01-04.1.log', 'other.log', join(sink.file).split(/[/\\]/).pop()].sort());
  });

  it('drops lines written after close, and close twice is harmless', async () => {
    const sink = await open();
    sink.write(line(1));
    await sink.close();
    sink.write(line(2));
    await sink.flush();
    await sink.close();
    expect(await readFile(sink.file, 'utf8')).toBe(line(1));
  });

  it('reports an unusable folder as a StorageError', async () => {
    await writeFile(join(dir, '..', 'blocker'), 'not a folder');
    await expect(openFileSink({ dir: join(dir, '..', 'blocker', 'logs'), maxSize: '1m', frequency: 'daily', keep: 1 })).rejects.toBeInstanceOf(StorageError);
  });

  it.runIf(posix && process.getuid?.() !== 0)('reports a folder it cannot write to as a StorageError with the log code', async () => {
    await mkdir(dir, { recursive: true, mode: 0o500 });
    const error: unknown = await openFileSink({ dir, maxSize: '1m', frequency: 'daily', keep: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('LA_LOG_FILE');
  });

  it('passes rotation failures to onError and keeps accepting lines', async () => {
    const onError = vi.fn();
    const sink = await open({ maxSize: '1k', onError });
    // The folder vanishes under the logger: the next roll-over cannot open its new file.
    await rm(dir, { recursive: true, force: true });
    for (let i = 0; i < 60; i++) sink.write(line(i));
    await vi.waitFor(() => expect(onError).toHaveBeenCalled());
    expect(() => sink.write(line(61))).not.toThrow();
    expect((onError.mock.calls[0]?.[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
