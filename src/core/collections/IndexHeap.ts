/**
 * A binary heap of small integers (indexes into the caller's arrays), ordered by `before(a, b)`:
 * true when `a` must come out first. Plans order up to 10,000 tasks with it, a few steps each.
 */
export class IndexHeap {
  private readonly items: number[] = [];

  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
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
