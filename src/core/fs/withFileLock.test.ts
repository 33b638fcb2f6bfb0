import { mkdir, mkdtemp, rm, rmdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from './withFileLock.js';

describe('withFileLock', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'la-lock-'));
    file = join(dir, 'data.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs critical sections one at a time, even for a file that does not exist yet', async () => {
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withFileLock(file, async () => {
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          await sleep(5);
          order.push(i);
          inside -= 1;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order).toHaveLength(8);
  });

  it('returns the result and releases the lock when the section throws', async () => {
    await expect(withFileLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withFileLock(file, () => Promise.resolve(42))).resolves.toBe(42);
  });

  it('gives up with LA_FILE_LOCKED when another holder keeps the lock', async () => {
    let release!: () => void;
    const held = withFileLock(file, () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(50);
    await expect(withFileLock(file, () => Promise.resolve(), { waitMs: 200 })).rejects.toMatchObject({
      code: 'LA_FILE_LOCKED',
      category: 'transient',
    });
    release();
    await held;
  });

  it('takes over a lock whose holder died', async () => {
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    await expect(withFileLock(file, () => Promise.resolve('taken'), { staleMs: 2000 })).resolves.toBe('taken');
  });

  it('reports LA_FILE_LOCK_LOST when the lock disappears while held', async () => {
    await expect(
      withFileLock(
        file,
        async () => {
          await rmdir(`${file}.lock`);
          await sleep(1600);
        },
        { staleMs: 2000 },
      ),
    ).rejects.toMatchObject({ code: 'LA_FILE_LOCK_LOST' });
  });

  it('reports a lock that cannot be created as LA_STORAGE', async () => {
    await expect(withFileLock(join(dir, 'no', 'such', 'dir', 'f'), () => Promise.resolve(), { waitMs: 100 })).rejects.toMatchObject({ code: 'LA_STORAGE' });
  });
});
