import { SECRET_FIELD_NAMES, SECRET_VALUE_PATTERNS } from './patterns.js';

export const REDACTED = '[REDACTED]';

/** Strings longer than this are rarely repeated, so their verdicts are not kept. */
const MAX_CACHED_LENGTH = 256;
/** Bound on the verdict cache: a log of unique values must not grow memory. */
const MAX_CACHED_VERDICTS = 10_000;

export interface RedactorOptions {
  /** Extra value shapes to hide, on top of the built-in ones. */
  extraPatterns?: readonly RegExp[];
  /** Extra field names to hide, on top of the built-in ones. */
  extraFieldNames?: readonly string[];
}

function normaliseField(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Removes secrets from text and from structured values before they reach a log, the terminal, a
 * result file or the database. Knows secret shapes (API keys, bearer tokens, JWTs), secret field
 * names, and the exact values of secrets this process has loaded (`addSecret`), so a key that does
 * not look like a key is still hidden.
 */
export class Redactor {
  private readonly patterns: RegExp[];
  /** All shapes in one case-insensitive, non-global regex: a cheap "could there be anything?" test. */
  private readonly anyPattern: RegExp;
  private readonly fieldNames: Set<string>;
  private readonly knownSecrets = new Set<string>();
  /**
   * Verdicts of `mayContainSecret` for short strings seen before. Log messages, field names and
   * enum-like values repeat endlessly, so most checks become one map lookup. Cleared whenever the
   * set of known secrets changes, since a verdict depends on it.
   */
  private readonly verdicts = new Map<string, boolean>();

  constructor(options: RedactorOptions = {}) {
    this.patterns = [...SECRET_VALUE_PATTERNS, ...(options.extraPatterns ?? [])].map(
      // Copies of the given patterns (own lastIndex per instance), forced global; no user text is compiled.
      // eslint-disable-next-line security/detect-non-literal-regexp
      (p) => new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`),
    );
    // Case-insensitive so it can only over-match; `text()` then applies the exact patterns.
    // eslint-disable-next-line security/detect-non-literal-regexp
    this.anyPattern = new RegExp(this.patterns.map((p) => `(?:${p.source})`).join('|'), 'i');
    this.fieldNames = new Set([...SECRET_FIELD_NAMES, ...(options.extraFieldNames ?? [])].map(normaliseField));
  }

  /** Remember a secret's exact value so it is hidden wherever it appears. Values under 8 characters are ignored: hiding them would mangle ordinary text. */
  addSecret(value: string): void {
    if (value.length >= 8 && !this.knownSecrets.has(value)) {
      this.knownSecrets.add(value);
      this.verdicts.clear();
    }
  }

  /** Forget a secret (after deletion or rotation). */
  removeSecret(value: string): void {
    if (this.knownSecrets.delete(value)) this.verdicts.clear();
  }

  isSecretField(name: string): boolean {
    return this.fieldNames.has(normaliseField(name));
  }

  /**
   * False when `input` certainly holds no secret (no known value, no secret shape), so hot paths
   * such as logging can skip `text()`. True means "look closer", not "found one".
   */
  mayContainSecret(input: string): boolean {
    const cacheable = input.length <= MAX_CACHED_LENGTH;
    if (cacheable) {
      const known = this.verdicts.get(input);
      if (known !== undefined) return known;
    }
    let verdict = this.anyPattern.test(input);
    if (!verdict) for (const secret of this.knownSecrets) if (input.includes(secret)) verdict = true;
    if (cacheable) {
      if (this.verdicts.size >= MAX_CACHED_VERDICTS) this.verdicts.clear();
      this.verdicts.set(input, verdict);
    }
    return verdict;
  }

  /** The text with every secret replaced by `[REDACTED]`. */
  text(input: string): string {
    let out = input;
    for (const secret of this.knownSecrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const pattern of this.patterns) {
      pattern.lastIndex = 0;
      if (pattern.test(out)) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, REDACTED);
      }
    }
    return out;
  }

  /**
   * A deep copy of `value` with secret fields and secret-looking strings replaced. Errors become
   * plain objects (name, message, code…) so their messages are redacted too. Cycles are cut.
   */
  value<T>(value: T): T {
    return this.walk(value, new WeakSet()) as T;
  }

  /**
   * A deep copy of data with every string (and key) passed through `text()`: secret shapes and known
   * secrets hidden, field names left alone. For data people produced (task outputs, file contents),
   * where a field called `key` or `token` is as likely to be a label as a credential.
   */
  strings<T>(value: T): T {
    return this.walkStrings(value, new WeakSet()) as T;
  }

  private walkStrings(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return value.length < 8 || !this.mayContainSecret(value) ? value : this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.walkStrings(item, seen));
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) out[this.text(key)] = this.walkStrings(field, seen);
    return out;
  }

  private walk(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Buffer.isBuffer(value)) return REDACTED;
    if (Array.isArray(value)) return value.map((item) => this.walk(item, seen));
    if (value instanceof Date) return value;
    const source: Record<string, unknown> =
      value instanceof Error ? { ...value, name: value.name, message: value.message } : (value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(source)) {
      out[key] = this.isSecretField(key) && field !== null && field !== undefined && field !== '' && typeof field !== 'boolean'
        ? REDACTED
        : this.walk(field, seen);
    }
    return out;
  }
}
