import { LocalAgentError, OperationCancelledError } from '../../core/errors/index.js';
import { cancellationError } from '../../core/resilience/index.js';

/** True for the error an aborted call ends with. */
export function isCancellation(error: unknown): boolean {
  return error instanceof LocalAgentError && error.code === 'LA_CANCELLED';
}

/** Throws the caller's cancellation (its reason when that is a LocalAgentError) if `signal` aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancellationError(signal);
}

/**
 * Abort controllers for the members of a parallel call, all aborted when the caller's signal aborts.
 * One listener on the caller's signal however many members there are (no MaxListeners warning), and
 * removed by `dispose` so a long-lived caller signal does not keep finished calls alive.
 */
export class AbortGroup {
  private readonly controllers: AbortController[] = [];
  private readonly onParentAbort = (): void => this.abortAll((this.parent as AbortSignal).reason);

  constructor(private readonly parent: AbortSignal | undefined) {
    parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** A new member controller, already aborted when the caller's signal is. */
  child(): AbortController {
    const controller = new AbortController();
    if (this.parent?.aborted) controller.abort(this.parent.reason);
    this.controllers.push(controller);
    return controller;
  }

  /** Aborts every member except `keep`. */
  abortAll(reason: unknown, keep?: AbortController): void {
    for (const controller of this.controllers) if (controller !== keep) controller.abort(reason);
  }

  dispose(): void {
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

/** The reason losers of a race are aborted with, so their calls end as LA_CANCELLED. */
export function lostRaceReason(): OperationCancelledError {
  return new OperationCancelledError({ message: 'Another model answered first.' });
}
