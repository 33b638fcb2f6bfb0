import { timingSafeEqual } from 'node:crypto';
import { parseMockScript, type ResolvedMockScript } from './MockScript.js';
import type { RecordedRequest } from './RecordedRequest.js';

/** The request log keeps this many entries, dropping the oldest, so a long demo cannot grow without bound. */
export const MAX_RECORDED_REQUESTS = 10_000;

/** Everything one mock server remembers: its script, the request log, per-model call counts, ids. */
export class MockState {
  private currentScript: ResolvedMockScript;
  private readonly log: RecordedRequest[] = [];
  private readonly calls = new Map<string, number>();
  private idCounter = 0;

  constructor(
    script: ResolvedMockScript,
    /** The key clients must present; undefined: any key, or none, is accepted. */
    readonly requireKey: string | undefined,
  ) {
    this.currentScript = script;
  }

  get script(): ResolvedMockScript {
    return this.currentScript;
  }

  /** Validates (it may come straight off the wire) and installs a script; call counters restart so `times` counts from now. */
  setScript(script: unknown): void {
    this.currentScript = parseMockScript(script);
    this.calls.clear();
  }

  /** Clears the request log and the per-model call counters (the script stays). */
  reset(): void {
    this.log.length = 0;
    this.calls.clear();
  }

  record(request: RecordedRequest): void {
    if (this.log.length >= MAX_RECORDED_REQUESTS) this.log.shift();
    this.log.push(request);
  }

  /** A copy of the log, oldest first. */
  get requests(): RecordedRequest[] {
    return [...this.log];
  }

  /** Counts a generation call to `model` and returns its 1-based number. */
  nextCall(model: string): number {
    const n = (this.calls.get(model) ?? 0) + 1;
    this.calls.set(model, n);
    return n;
  }

  /** A short id unique within this server, so ids are deterministic across runs. */
  nextId(): string {
    this.idCounter += 1;
    return `mock${String(this.idCounter).padStart(6, '0')}`;
  }

  /** Whether `presented` is the required key (constant-time, so the mock models good practice). */
  keyMatches(presented: string): boolean {
    if (this.requireKey === undefined) return true;
    const a = Buffer.from(presented, 'utf8');
    const b = Buffer.from(this.requireKey, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
