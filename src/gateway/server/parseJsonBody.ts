import { requestInvalid } from '../errors.js';

/** Raised inside the reviver; caught below. */
class Poisoned extends Error {}

function reviver(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Poisoned();
  if (key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype')) throw new Poisoned();
  return value;
}

/**
 * Parses a JSON request body, refusing prototype pollution payloads (`__proto__` keys,
 * `constructor.prototype`) with their own reason. The slower check runs only on bodies that could
 * hold one (they name `proto`, or escape characters). An empty body is no body.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0 || /^\s+$/.test(text)) return undefined;
  const suspicious = text.includes('proto') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, reviver) : JSON.parse(text);
  } catch (error) {
    if (error instanceof Poisoned) {
      throw requestInvalid('The body contains a forbidden property (__proto__ or constructor.prototype).', { reason: 'prototype_pollution' });
    }
    throw requestInvalid(`The body is not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 200)}.`, { reason: 'malformed_json' });
  }
}
