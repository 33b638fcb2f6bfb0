import { IndexHeap } from '../../core/collections/index.js';

/**
 * Tasks ready to start, by index: higher priority first, then plan order (lower index). A binary
 * heap, so 10,000 ready tasks cost a few operations each to order.
 */
export class ReadyQueue extends IndexHeap {
  constructor(priorities: ArrayLike<number>) {
    super((a, b) => {
      const pa = priorities[a] as number;
      const pb = priorities[b] as number;
      return pa === pb ? a < b : pa > pb;
    });
  }
}
