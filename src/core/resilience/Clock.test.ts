import { describe, expect, it } from 'vitest';
import { OperationCancelledError, TimeoutError } from '../errors/index.js';
import { SystemClock } from './Clock.js';

describe('SystemClock', () => {
  const clock = new SystemClock();

  it('reads the real time', () => {
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('resolves a short sleep', async () => {
    await expect(clock.sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    await expect(clock.sleep(1, controller.signal)).resolves.toBeUndefined();
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(clock.sleep(60_000, controller.signal)).rejects.toBeInstanceOf(OperationCancelledError);
  });

  it('stops a long sleep when the signal aborts, keeping a LocalAgentError reason', async () => {
    const controller = new AbortController();
    const sleeping = clock.sleep(3_600_000, controller.signal);
    const reason = new TimeoutError({ message: 'task timed out' });
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });
});
