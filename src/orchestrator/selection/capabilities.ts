import type { CallRequest, ModelCapability, ModelSpec } from '../types/index.js';

/** What a request needs from a model: any one of `anyOf`, with `preferred` ones tried first. */
export interface CapabilityNeed {
  anyOf: readonly ModelCapability[];
  preferred?: ModelCapability;
  /** For messages: "answer in text", "answer with JSON". */
  description: string;
}

/**
 * A request with a `schema` is served best by a model with native JSON output (`json`), but a plain
 * `text` model may answer it too: the calling layer validates the answer and repairs it once. Any
 * other request needs `text`. (When requests gain images or tools, `vision` and `tools` go here.)
 */
export function capabilityNeed(request: CallRequest): CapabilityNeed {
  return request.schema !== undefined
    ? { anyOf: ['json', 'text'], preferred: 'json', description: 'answer with JSON (needs capability "json" or "text")' }
    : { anyOf: ['text'], description: 'answer in text (needs capability "text")' };
}

/** Splits models into those able to serve the request and the ids of those that are not. */
export function filterCapable(models: readonly ModelSpec[], need: CapabilityNeed): { capable: ModelSpec[]; skipped: string[] } {
  const capable: ModelSpec[] = [];
  const skipped: string[] = [];
  for (const spec of models) {
    if (need.anyOf.some((c) => spec.capabilities.includes(c))) capable.push(spec);
    else skipped.push(spec.id);
  }
  return { capable, skipped };
}

/** Moves models with the preferred capability ahead of the rest, keeping each group's order. */
export function preferCapable(ordered: readonly ModelSpec[], need: CapabilityNeed): ModelSpec[] {
  const preferred = need.preferred;
  if (preferred === undefined) return [...ordered];
  return [...ordered.filter((s) => s.capabilities.includes(preferred)), ...ordered.filter((s) => !s.capabilities.includes(preferred))];
}
