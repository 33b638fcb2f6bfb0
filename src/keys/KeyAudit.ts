import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import { LocalAgentError, StorageError } from '../core/errors/index.js';
import type { AuditEvent, AuditLog } from '../security/audit/index.js';

/** What was done to a key. */
export type KeyAuditAction = 'store' | 'retrieve' | 'rotate' | 'delete' | 'unlock' | 'rotate-master';

/** One key-access event, before the process identity is added. */
export interface KeyAuditEvent {
  action: KeyAuditAction;
  outcome: 'success' | 'failure';
  provider?: string;
  /** Where the key came from or went: env, keyring, file. */
  backend?: string;
  fingerprint?: string;
  /** The `LA_…` code of the failure. */
  errorCode?: string;
  /** Secret-free extra fact (e.g. which env variable, why an unlock failed). */
  detail?: string;
}

/** Who is acting: recorded with every event. */
export interface ProcessIdentity {
  user: string;
  uid: number | null;
  pid: number;
  process: string;
  host: string;
}

export function currentIdentity(): ProcessIdentity {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // Containers often run as a uid with no passwd entry.
    user = `uid:${process.getuid?.() ?? 'unknown'}`;
  }
  return {
    user,
    uid: process.getuid?.() ?? null,
    pid: process.pid,
    process: basename(process.argv[1] ?? process.argv0),
    host: hostname(),
  };
}

interface Pending {
  event: AuditEvent;
  settle?: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * Writes key events to the audit log in order. `record` resolves once the event is on disk (used
 * for writes and failed unlocks); `defer` queues it and returns at once (used for retrievals, so
 * reading a key stays well under a millisecond), and queued events are written in batches. If a
 * deferred write fails, the next key operation throws that failure: access continues only while
 * it is being audited.
 */
export class KeyAudit {
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private failure: LocalAgentError | undefined;

  constructor(
    private readonly log: AuditLog,
    private readonly identity: ProcessIdentity = currentIdentity(),
  ) {}

  record(event: KeyAuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event: this.toAuditEvent(event), settle: { resolve, reject } });
      this.kick();
    });
  }

  defer(event: KeyAuditEvent): void {
    this.queue.push({ event: this.toAuditEvent(event) });
    this.kick();
  }

  /** Resolves when everything queued so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Throws, once, the failure of an earlier deferred write. */
  throwIfFailed(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  private toAuditEvent(event: KeyAuditEvent): AuditEvent {
    const { user, ...who } = this.identity;
    return {
      category: 'key',
      action: event.action,
      outcome: event.outcome,
      actor: user,
      ...(event.provider !== undefined ? { subject: event.provider, provider: event.provider } : {}),
      ...(event.backend !== undefined ? { backend: event.backend } : {}),
      ...(event.fingerprint !== undefined ? { fingerprint: event.fingerprint } : {}),
      ...(event.errorCode !== undefined ? { error_code: event.errorCode } : {}),
      ...(event.detail !== undefined ? { detail: event.detail } : {}),
      ...who,
    };
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.log.appendMany(batch.map((item) => item.event));
        for (const item of batch) item.settle?.resolve();
      } catch (thrown) {
        const error =
          thrown instanceof LocalAgentError
            ? thrown
            : new StorageError({ code: 'LA_AUDIT_WRITE', message: `Cannot write the key audit log: ${(thrown as Error).message}`, cause: thrown });
        for (const item of batch) item.settle?.reject(error);
        if (batch.some((item) => !item.settle)) this.failure ??= error;
      }
    }
  }
}
