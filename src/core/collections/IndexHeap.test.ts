import { describe, expect, it } from 'vitest';
import { IndexHeap } from './index.js';

describe('IndexHeap', () => {
  it('pops in the order `before` defines, whatever the push order', () => {
    const priority = [5, 1, 9, 1, 7, 9];
    const heap = new IndexHeap((a, b) => ((priority[a] ?? 0) === (priority[b] ?? 0) ? a < b : (priority[a] ?? 0) > (priority[b] ?? 0)));
    for (const i of [3, 0, 5, 1, 4, 2]) heap.push(i);
    expect(heap.size).toBe(6);
    const out: number[] = [];
    for (let next = heap.pop(); next !== undefined; next = heap.pop()) out.push(next);
    expect(out).toEqual([2, 5, 4, 0, 1, 3]);
    expect(heap.pop()).toBeUndefined();
  });

  it('handles many values and can be cleared', () => {
    const heap = new IndexHeap((a, b) => a < b);
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    for (const v of values) heap.push(v);
    const out: number[] = [];
    for (let next = heap.pop(); next !== undefined; next = heap.pop()) out.push(next);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    heap.push(1);
    heap.clear();
    expect(heap.size).toBe(0);
  });
});
