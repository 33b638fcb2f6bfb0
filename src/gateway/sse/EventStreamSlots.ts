import { UserInputError } from '../../core/errors/index.js';

/**
 * Caps open event streams: each holds a connection, a journal poll and memory for as long as the
 * client stays, so one token opening thousands (a bug or a flood) must not starve everyone else.
 * Per principal and in all; a stream over either limit is refused with 429 before it starts.
 */
export class EventStreamSlots {
  private readonly open = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { perPrincipal: number; total: number }) {}

  /** Takes a slot for `principal`, or throws `LA_TOO_MANY_STREAMS`; the function returned gives it back (once). */
  acquire(principal: string): () => void {
    const mine = this.open.get(principal) ?? 0;
    if (mine >= this.limits.perPrincipal || this.total >= this.limits.total) {
      const own = mine >= this.limits.perPrincipal;
      throw new UserInputError({
        code: 'LA_TOO_MANY_STREAMS',
        category: 'transient',
        message: own
          ? `This token already has ${mine} event streams open, the most one token may (server.event_streams.per_token).`
          : `The server already serves ${this.total} event streams, the most it serves at once (server.event_streams.total).`,
        suggestion: 'Close streams you no longer read (each run\'s stream also ends by itself when the run finishes), or raise the limit in the config.',
        details: { retry_after_s: 5, limit: own ? this.limits.perPrincipal : this.limits.total },
      });
    }
    this.open.set(principal, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.open.get(principal) ?? 1) - 1;
      if (left === 0) this.open.delete(principal);
      else this.open.set(principal, left);
    };
  }

  /** Streams open now, for metrics and tests. */
  get size(): number {
    return this.total;
  }
}
