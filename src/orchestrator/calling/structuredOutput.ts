import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { canonicalJson } from '../../core/json/index.js';
import { schemaInvalid } from './errors.js';

/** The outcome of checking an answer against a schema. */
export type JsonCheck = { ok: true; value: unknown } | { ok: false; problems: string[] };

const MAX_PROBLEMS = 10;

/**
 * Compiles request schemas with ajv and checks answers against them. One per `ProviderCaller`.
 * Compiled validators are kept for the most recent `maxCached` distinct schemas (by canonical JSON,
 * since plans rebuild equal schemas as new objects); older ones are removed from ajv too, which
 * would otherwise keep every schema it ever compiled.
 */
export class SchemaValidator {
  private readonly draft7 = new Ajv({ allErrors: true, strict: false });
  private draft2020: Ajv2020 | undefined;
  private readonly cache = new Map<string, { validate: ValidateFunction; ajv: Ajv | Ajv2020; schema: object }>();

  constructor(private readonly maxCached = 100) {}

  /** The validator for `schema`; an invalid schema → `LA_SCHEMA_INVALID` (a user error, nothing is sent). */
  compile(schema: Record<string, unknown>): ValidateFunction {
    let key: string;
    try {
      key = canonicalJson(schema);
    } catch (error) {
      throw schemaInvalid('it cannot be represented as JSON', error);
    }
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.validate;
    }
    const ajv = typeof schema['$schema'] === 'string' && schema['$schema'].includes('2020-12') ? (this.draft2020 ??= new Ajv2020({ allErrors: true, strict: false })) : this.draft7;
    // ajv keys its own cache by object identity; compile a private copy so removal below finds it.
    const own = JSON.parse(key) as object;
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(own);
    } catch (error) {
      throw schemaInvalid(error instanceof Error ? error.message : String(error), error);
    }
    this.cache.set(key, { validate, ajv, schema: own });
    if (this.cache.size > this.maxCached) {
      const [oldestKey, oldest] = this.cache.entries().next().value as [string, { ajv: Ajv | Ajv2020; schema: object }];
      this.cache.delete(oldestKey);
      oldest.ajv.removeSchema(oldest.schema);
    }
    return validate;
  }
}

/** The system-prompt addition that asks for JSON matching `schema`. */
export function jsonInstruction(schema: Record<string, unknown>): string {
  return [
    'Answer with a single JSON value that satisfies the JSON Schema below.',
    'Output only the JSON: no explanation, no Markdown, no code fences.',
    'JSON Schema:',
    JSON.stringify(schema),
  ].join('\n');
}

/** The follow-up message of the one repair attempt. */
export function repairInstruction(problems: string[]): string {
  return [
    'Your previous answer is not valid for the required JSON Schema:',
    ...problems.map((p) => `- ${p}`),
    'Answer again with only the corrected JSON value: no explanation, no Markdown, no code fences.',
  ].join('\n');
}

/**
 * Parses an answer as JSON and validates it. Lenient about wrapping models add despite the
 * instruction — surrounding whitespace, a ```json fence, a sentence before or after — but not about
 * the JSON itself.
 */
export function checkJsonAnswer(text: string, validate: ValidateFunction): JsonCheck {
  const parsed = extractJson(text);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  if (validate(parsed.value)) return { ok: true, value: parsed.value };
  return { ok: false, problems: describe(validate.errors ?? []) };
}

function extractJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: false, problem: 'the answer is empty' };
  const candidates = [trimmed];
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(trimmed);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const start = trimmed.search(/[[{]/);
  const end = Math.max(trimmed.lastIndexOf('}'), trimmed.lastIndexOf(']'));
  if (start >= 0 && end > start) candidates.push(trimmed.slice(start, end + 1));
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch (error) {
      firstError ||= error instanceof Error ? error.message : String(error);
    }
  }
  return { ok: false, problem: `the answer is not valid JSON (${firstError})` };
}

function describe(errors: ErrorObject[]): string[] {
  const problems = errors.map((e) => {
    const where = e.instancePath === '' ? 'the value' : e.instancePath;
    const extra = e.keyword === 'additionalProperties' ? ` ("${String((e.params as { additionalProperty?: unknown }).additionalProperty)}")` : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  });
  return [...new Set(problems)].slice(0, MAX_PROBLEMS);
}
