import { InternalError } from '../errors/index.js';

/** A value that survives a JSON round trip unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The one byte string a value hashes to, so a hash written by one process, version or machine is
 * reproduced exactly by another. Rules (equal to RFC 8785, "JCS", for the values allowed here):
 *
 * - objects: members sorted by key in UTF-16 code-unit order, members whose value is `undefined`
 *   left out (as `JSON.stringify` does), no whitespace anywhere;
 * - strings: escaped exactly as `JSON.stringify` escapes them;
 * - numbers: finite only, written as ECMAScript writes them (`1`, `0.5`, `1e+21`; `-0` becomes `0`);
 * - `true`, `false`, `null` as themselves; arrays in their own order.
 *
 * Anything else (NaN, Infinity, bigint, functions, symbols, `undefined` outside an object, Dates,
 * Buffers, Maps, class instances) is refused rather than silently converted, because a converted
 * value would not read back as the value that was hashed.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw refuse(path, 'a number that is not finite');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw refuse(path, `a ${typeof value}`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => write(item, `${path}[${index}]`)).join(',')}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw refuse(path, 'an object that is not a plain object');
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    members.push(`${JSON.stringify(key)}:${write(member, `${path}.${key}`)}`);
  }
  return `{${members.join(',')}}`;
}

function refuse(path: string, what: string): InternalError {
  return new InternalError({
    code: 'LA_JSON_NOT_CANONICAL',
    message: `Cannot write ${what} at ${path} as canonical JSON.`,
    suggestion: 'Pass only strings, finite numbers, booleans, null, arrays and plain objects.',
    details: { path },
  });
}
