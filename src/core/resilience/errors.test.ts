import { describe, expect, it } from 'vitest';
import { CircuitOpenError, isTransient, OperationCancelledError, ProviderUnavailableError, TimeoutError } from '../errors/index.js';
import { cancellationError } from './errors.js';

describe('resilience errors', () => {
  it('CircuitOpenError is a transient ProviderUnavailableError with its own code', () => {
    const error = new CircuitOpenError({ message: 'paused' });
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.code).toBe('LA_CIRCUIT_OPEN');
    expect(error.category).toBe('transient');
    expect(error.suggestion).toMatch(/try again/);
  });

  it('OperationCancelledError is a user decision, never transient', () => {
    const error = new OperationCancelledError({ message: 'cancelled' });
    expect(error.code).toBe('LA_CANCELLED');
    expect(error.category).toBe('user');
    expect(isTransient(error)).toBe(false);
  });

  it('cancellationError keeps a LocalAgentError reason and wraps anything else', () => {
    const withReason = new AbortController();
    const reason = new TimeoutError({ message: 'too slow' });
    withReason.abort(reason);
    expect(cancellationError(withReason.signal)).toBe(reason);

    const plain = new AbortController();
    plain.abort();
    const error = cancellationError(plain.signal);
    expect(error).toBeInstanceOf(OperationCancelledError);
    expect(error.cause).toBe(plain.signal.reason);
  });
});
