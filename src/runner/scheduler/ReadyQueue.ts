/**
 * Tasks ready to start, by index: higher priority first, then plan order (lower index). A binary
 * heap, so 10,000 ready tasks cost a few operations each to order.
 */
export class ReadyQueue {
  private readonly items: number[] = [];

  constructor(private readonly priorities: ArrayLike<number>) {}

  get size(): number {
    return this.items.length;
  }

  private before(a: number, b: number): boolean {
    const pa = this.priorities[a] as number;
    const pb = this.priorities[b] as number;
    return pa === pb ? a < b : pa > pb;
  }

  push(index: number): void {
    const items = this.items;
    items.push(index);
    let i = items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(items[i] as number, items[up] as number)) break;
      [items[i], items[up]] = [items[up] as number, items[i] as number];
      i = up;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && this.before(items[left] as number, items[best] as number)) best = left;
      if (right < items.length && this.before(items[right] as number, items[best] as number)) best = right;
      if (best === i) return top;
      [items[i], items[best]] = [items[best] as number, items[i] as number];
      i = best;
    }
  }

  clear(): void {
    this.items.length = 0;
  }
}
