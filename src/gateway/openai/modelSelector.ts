import { UserInputError } from '../../core/errors/index.js';
import { isStrategyName, type OrchestratedRequest, type StrategyName } from '../../orchestrator/index.js';

/** How the `model` of an OpenAI request is served. */
export type ModelSelector =
  /** One configured model, or a strategy over several (or over every usable model). */
  | { kind: 'orchestrated'; selection: Pick<OrchestratedRequest, 'model' | 'models' | 'strategy'> }
  /** Every listed model at once; the first good answer wins. */
  | { kind: 'race'; models: string[] };

/** Strategies usable as a model name: all but `explicit`, which is what a plain model id means. */
function isStrategy(name: string): name is StrategyName {
  return name !== 'explicit' && isStrategyName(name);
}

/**
 * Reads the OpenAI `model` field: a configured model id (`gpt-4o`, `mock-fast`); a strategy over
 * every usable model (`auto`, `fastest`, `cheapest`, `best`, `fallback`, `learn`); a strategy over listed
 * models (`fallback:a,b`, `fastest:a,b,c`); or `race:a,b`. A configured model whose id looks like
 * one of these wins.
 */
export function parseModelSelector(name: string, isConfiguredModel: (id: string) => boolean): ModelSelector {
  if (isConfiguredModel(name)) return { kind: 'orchestrated', selection: { model: name } };
  if (isStrategy(name)) return { kind: 'orchestrated', selection: { strategy: name } };
  const colon = name.indexOf(':');
  const prefix = colon > 0 ? name.slice(0, colon) : '';
  if (prefix === 'race' || isStrategy(prefix)) {
    const models = name
      .slice(colon + 1)
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    const needed = prefix === 'race' ? 2 : 1;
    if (models.length < needed) {
      throw new UserInputError({
        code: 'LA_REQUEST_INVALID',
        message: `"${name.slice(0, 200)}" names ${models.length} model${models.length === 1 ? '' : 's'}; ${prefix} needs at least ${needed}.`,
        suggestion: `Write the models after the colon, comma-separated: ${prefix}:model-a,model-b.`,
      });
    }
    return prefix === 'race' ? { kind: 'race', models } : { kind: 'orchestrated', selection: { models, strategy: prefix as StrategyName } };
  }
  // The orchestrator answers LA_MODEL_UNKNOWN, with a "did you mean", for anything else.
  return { kind: 'orchestrated', selection: { model: name } };
}
