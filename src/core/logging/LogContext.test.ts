import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LogContext } from './LogContext.js';

describe('LogContext', () => {
  it('is empty outside any run', () => {
    const context = new LogContext();
    expect(context.get()).toEqual({});
    expect(context.current()).toBeUndefined();
  });

  it('carries fields through awaits, timers and promise chains', async () => {
    const context = new LogContext();
    const seen = await context.run({ request_id: 'req-1' }, async () => {
      await sleep(5);
      const inTimer = await new Promise((resolve) => setTimeout(() => resolve(context.get().request_id), 1));
      return [context.get().request_id, inTimer];
    });
    expect(seen).toEqual(['req-1', 'req-1']);
    expect(context.get()).toEqual({});
  });

  it('nests: inner runs add fields, can drop them with undefined, and restore the outer ones after', () => {
    const context = new LogContext();
    context.run({ request_id: 'req-1', run_id: 'run-1' }, () => {
      context.run({ span_id: 'span-1', run_id: undefined }, () => {
        expect(context.get()).toEqual({ request_id: 'req-1', span_id: 'span-1' });
      });
      expect(context.get()).toEqual({ request_id: 'req-1', run_id: 'run-1' });
    });
  });

  it('keeps concurrent requests apart', async () => {
    const context = new LogContext();
    const handle = async (id: string, delay: number): Promise<string[]> => {
      const seen: string[] = [];
      await context.run({ request_id: id }, async () => {
        for (let i = 0; i < 3; i++) {
          await sleep(delay);
          seen.push(context.get().request_id ?? 'none');
        }
      });
      return seen;
    };
    const [a, b] = await Promise.all([handle('a', 3), handle('b', 2)]);
    expect(a).toEqual(['a', 'a', 'a']);
    expect(b).toEqual(['b', 'b', 'b']);
  });

  it('gives each app its own storage', () => {
    const one = new LogContext();
    const two = new LogContext();
    one.run({ request_id: 'one' }, () => {
      expect(two.get()).toEqual({});
    });
  });

  it('hands out frozen fields', () => {
    const context = new LogContext();
    context.run({ request_id: 'r' }, () => {
      expect(Object.isFrozen(context.get())).toBe(true);
    });
  });
});
