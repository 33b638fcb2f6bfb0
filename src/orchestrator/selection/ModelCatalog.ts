import type { ModelSpec } from '../types/index.js';

/** The configured models, as selection needs them. The model registry satisfies it. */
export interface ModelCatalog {
  /** Every usable model, in configuration order (the order ties are broken by). */
  list(): readonly ModelSpec[];
  /** One model by id; `undefined` (or a thrown LocalAgentError) when there is none. */
  get(id: string): ModelSpec | undefined;
}
