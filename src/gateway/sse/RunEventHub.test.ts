import { describe, expect, it } from 'vitest';
import type { StoredRunEvent } from '../../store/index.js';
import { RunEventHub } from './RunEventHub.js';

const event = (runId: string, seq: number): StoredRunEvent => ({ runId, seq, at: '2026-01-01T00:00:00Z', type: 'task_started', taskId: 't', attempt: 1, data: undefined });

describe('RunEventHub', () => {
  it('wakes the watchers of a run only, until they unsubscribe', () => {
    const hub = new RunEventHub();
    const seen: string[] = [];
    const stopA = hub.subscribe('a', (e) => seen.push(`a${e.seq}`));
    hub.subscribe('b', (e) => seen.push(`b${e.seq}`));
    expect(hub.watchers).toBe(2);
    hub.publish(event('a', 1));
    hub.publish(event('b', 1));
    hub.publish(event('c', 1));
    stopA();
    stopA();
    hub.publish(event('a', 2));
    expect(seen).toEqual(['a1', 'b1']);
    expect(hub.watchers).toBe(1);
  });
});
