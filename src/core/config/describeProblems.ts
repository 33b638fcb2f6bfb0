import { z } from 'zod';
import { closestMatch } from '../text/index.js';

/** One thing wrong with the configuration, located as precisely as we can. */
export interface ConfigProblem {
  /** The file (or environment variable) the bad value came from. */
  source: string;
  line?: number;
  column?: number;
  /** Dotted path of the setting, e.g. `log.file.keep`. */
  path: string;
  message: string;
}

/** Unwraps defaults, optionals and the like to reach the schema that describes the value itself. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let i = 0; i < 10; i += 1) {
    const def = (current as unknown as { _zod: { def: { innerType?: z.ZodType } } })._zod.def;
    if (!def.innerType) return current;
    current = def.innerType;
  }
  return current;
}

/**
 * For a tagged union (a plan's task kinds), the member that the value's tag selects, so unknown-key
 * messages can name that member's keys; the union itself when the tag matches none.
 */
function selectMember(schema: z.ZodType, data: unknown, path: readonly PropertyKey[]): z.ZodType {
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return schema;
  const discriminator = (schema._zod.def as { discriminator: string }).discriminator;
  const tag = valueAt(data, [...path, discriminator]);
  const member = (schema.options as z.ZodType[]).find((option) => {
    const field = option instanceof z.ZodObject ? (option.shape as Record<string, z.ZodType>)[discriminator] : undefined;
    return field instanceof z.ZodLiteral && field.values.has(tag as z.core.util.Literal);
  });
  return member ? unwrap(member) : schema;
}

/** The keys the schema accepts at `path`, for "did you mean" on unknown keys. Empty for free-form maps. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], data?: unknown): string[] {
  let current = unwrap(schema);
  for (const [depth, segment] of path.entries()) {
    current = selectMember(current, data, path.slice(0, depth));
    if (current instanceof z.ZodObject) {
      const next = (current.shape as Record<string, z.ZodType>)[String(segment)];
      if (!next) return [];
      current = unwrap(next);
    } else if (current instanceof z.ZodRecord) {
      current = unwrap(current.valueType as z.ZodType);
    } else if (current instanceof z.ZodArray) {
      current = unwrap(current.element as z.ZodType);
    } else return [];
  }
  current = selectMember(current, data, path);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

export interface IssueMessage {
  /** Path of the offending setting (for unknown keys, the key itself). */
  path: PropertyKey[];
  message: string;
}

/** Turns one zod issue into person-readable messages; an unknown-keys issue yields one per key. */
export function messagesFor(issue: z.core.$ZodIssue, schema: z.ZodType, data: unknown): IssueMessage[] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path, data);
      return issue.keys.map((key) => {
        const suggestion = closestMatch(key, known);
        const secretHint = /key|token|secret|password/i.test(key)
          ? ' API keys never belong in config files: store them with `localagent config set-key <provider>`.'
          : '';
        const options = known.length > 0 ? ` Known keys here: ${known.join(', ')}.` : '';
        return {
          path: [...path, key],
          message: `unknown key "${key}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}${secretHint || options}`,
        };
      });
    }
    case 'invalid_type': {
      const actual = valueAt(data, path);
      if (actual === undefined) return [{ path, message: `is required (${EXPECTED_WORDS[issue.expected] ?? issue.expected}).` }];
      return [{ path, message: `expected ${EXPECTED_WORDS[issue.expected] ?? issue.expected}, got ${describeValue(actual)}.` }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const actual = valueAt(data, path);
      const suggestion = typeof actual === 'string' ? closestMatch(actual, allowed) : undefined;
      return [
        {
          path,
          message: `expected one of ${allowed.join(', ')}, got ${describeValue(actual)}.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
        },
      ];
    }
    case 'invalid_key':
      return [{ path, message: `has an invalid name: ${issue.issues.map((i) => i.message).join('; ')}.` }];
    default:
      return [{ path, message: `${issue.message.replace(/^Invalid input: /, '')} (got ${describeValue(valueAt(data, path))}).` }];
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.source : `${problem.source}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.path || '(top level)'}: ${problem.message}`;
}
