/**
 * Counts failed authentications per client address in fixed windows, so a flood of bad tokens is
 * answered with 429 before it costs a database lookup and an audit entry each. Bounded: when it
 * tracks too many addresses it starts over (an attacker with that many addresses gains a window).
 */
export class FailureLimiter {
  private readonly counts = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const entry = this.counts.get(address);
    if (!entry) return 0;
    const now = this.now();
    if (entry.resetAt <= now) {
      this.counts.delete(address);
      return 0;
    }
    return entry.count >= this.max ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  fail(address: string): void {
    const now = this.now();
    const entry = this.counts.get(address);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return;
    }
    if (this.counts.size >= this.maxAddresses) this.counts.clear();
    this.counts.set(address, { count: 1, resetAt: now + this.windowMs });
  }
}
