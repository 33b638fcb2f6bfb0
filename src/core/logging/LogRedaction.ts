import { LocalAgentError } from '../errors/index.js';
import { REDACTED } from '../redact/index.js';

/**
 * What logging needs from the app's `Redactor` (which satisfies it as is). `mayContainSecret` is
 * optional: a Redactor that offers it (a cheap "might this hold a known secret or a secret shape?")
 * lets clean strings skip `text()`. Without it every string of 8 or more characters goes through
 * `text()`, because only the Redactor knows the exact secrets registered with `addSecret`.
 */
export interface LogRedactor {
  text(input: string): string;
  isSecretField(name: string): boolean;
  mayContainSecret?(input: string): boolean;
}

/** An error as it appears in a log line; field names follow what ELK (`type`) and Datadog (`kind`) expect. */
export interface SerializedLogError {
  type: string;
  kind: string;
  message: string;
  code?: string | number;
  category?: string;
  suggestion?: string;
  details?: unknown;
  stack?: string;
  cause?: unknown;
  errors?: unknown[];
  [extra: string]: unknown;
}

export interface LogRedactionOptions {
  /** Asked when an error is serialised: should its stack (and its causes' stacks) be written? */
  includeStack?: () => boolean;
}

/**
 * The Redactor ignores known secrets under 8 characters, and every built-in secret shape is longer
 * than that, so shorter strings (most field values: 'GET', ids, enum values) are skipped unread.
 */
const MIN_SECRET_LENGTH = 8;
/** Deeper values are cut rather than walked: log data that deep is a bug, and walking it unbounded is a hazard. */
const MAX_DEPTH = 12;
const MAX_AGGREGATED = 20;
const MAX_CACHED_KEYS = 4096;
const ERROR_OWN_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'code', 'errors']);

interface KeyVerdict {
  /** The field's value is secret whatever it looks like (apiKey, authorization, …). */
  secret: boolean;
  /** The key itself, redacted if it holds a secret (a map keyed by API key, say). */
  name: string;
}

/**
 * Makes everything handed to the logger safe to write: secret fields (by name, at any depth),
 * secret-looking strings and known secret values, inside messages, format arguments, nested
 * objects, errors, their causes and stacks.
 *
 * Why not pino's `redact` option: it takes fixed paths (with one-level wildcards), while secret
 * fields must be found at any depth and under any spelling (`apiKey`, `api_key`, `X-Api-Key`), and
 * it cannot look at values at all. So one walk does both, kept cheap by: copy-on-write (an object
 * with nothing to hide is passed through, not cloned), a cache of per-key verdicts (the set of keys
 * a program logs is small), and skipping strings too short to hold a secret. See bench/logging.mjs.
 */
export class LogRedaction {
  private readonly keyVerdicts = new Map<string, KeyVerdict>();
  private readonly ancestors: object[] = [];
  private readonly includeStack: () => boolean;
  private readonly precheck: ((input: string) => boolean) | undefined;

  constructor(
    private readonly redactor: LogRedactor,
    options: LogRedactionOptions = {},
  ) {
    this.includeStack = options.includeStack ?? (() => false);
    this.precheck = redactor.mayContainSecret?.bind(redactor);
  }

  /** The string with secrets replaced by `[REDACTED]`; the same string when there are none. */
  string(input: string): string {
    if (input.length < MIN_SECRET_LENGTH) return input;
    if (this.precheck !== undefined && !this.precheck(input)) return input;
    return this.redactor.text(input);
  }

  /** A safe version of any value; the value itself when nothing in it needed hiding. */
  value(input: unknown): unknown {
    return this.walk(input, 0);
  }

  /**
   * Redacts pino's log-method arguments in place: `(obj?, message?, ...formatArgs)`. An `Error`
   * passed first becomes `{ error: <serialised> }` with its message as the line's message; `err`
   * fields are renamed `error`, so every line uses the one name log platforms index.
   */
  args(args: unknown[]): void {
    const first = args[0];
    if (typeof first === 'string') {
      args[0] = this.string(first);
    } else if (first instanceof Error) {
      const error = this.guarded(first, () => this.error(first));
      args[0] = { error };
      if (args.length < 2) args.push((error as Partial<SerializedLogError>).message ?? 'Error');
    } else if (typeof first === 'object' && first !== null) {
      args[0] = this.guarded(first, () => this.mergeObject(first));
    }
    for (let i = 1; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') args[i] = this.string(arg);
      else if (typeof arg === 'object' && arg !== null) args[i] = this.guarded(arg, () => this.walk(arg, 0));
    }
  }

  /** A getter that throws must not turn a log call into a crash, nor let the unread value through. */
  private guarded(input: object, redact: () => unknown): unknown {
    try {
      return redact();
    } catch {
      this.ancestors.length = 0;
      return { unserializable: Object.prototype.toString.call(input) };
    }
  }

  /** An error as a plain, redacted object: type, code, category, message, suggestion, details, cause chain, stack when asked. */
  error(error: Error, depth = 0): SerializedLogError {
    const out: SerializedLogError = { type: error.name, kind: error.name, message: this.redactor.text(error.message) };
    if (error instanceof LocalAgentError) {
      out.code = error.code;
      out.category = error.category;
      out.suggestion = this.redactor.text(error.suggestion);
      if (Object.keys(error.details).length > 0) out.details = this.walk(error.details, depth + 1);
    } else {
      const { code } = error as { code?: unknown };
      if (typeof code === 'string' || typeof code === 'number') out.code = code;
      // Node's system errors carry errno, syscall, path… worth keeping, after redaction.
      for (const [key, field] of Object.entries(error)) {
        if (ERROR_OWN_FIELDS.has(key) || field === undefined) continue;
        const verdict = this.keyVerdict(key);
        out[verdict.name] = verdict.secret && isFilled(field) ? REDACTED : this.walk(field, depth + 1);
      }
    }
    if (typeof error.stack === 'string' && this.includeStack()) out.stack = this.redactor.text(error.stack);
    // Causes and aggregated errors go through walk, whose depth limit also stops an error that causes itself.
    if (error.cause !== undefined) out.cause = this.walk(error.cause, depth + 1);
    if (error instanceof AggregateError && Array.isArray(error.errors)) {
      out.errors = (error.errors as unknown[]).slice(0, MAX_AGGREGATED).map((inner) => this.walk(inner, depth + 1));
    }
    return out;
  }

  private mergeObject(input: object): unknown {
    const walked = this.walk(input, 0);
    if (walked === null || typeof walked !== 'object' || Array.isArray(walked)) return walked;
    let safe = walked as Record<string, unknown>;
    if ('err' in safe && !('error' in safe)) {
      const { err, ...rest } = safe;
      safe = { ...rest, error: err };
    }
    const { error } = safe;
    // A field that is an object in some lines and text in others makes Elasticsearch reject lines.
    if (error !== undefined && (typeof error !== 'object' || error === null || Array.isArray(error))) {
      const message = Array.isArray(error) ? JSON.stringify(error) : String(error);
      safe = { ...safe, error: { type: 'NonError', kind: 'NonError', message } };
    }
    return safe;
  }

  private walk(input: unknown, depth: number): unknown {
    if (typeof input === 'string') return input.length < MIN_SECRET_LENGTH ? input : this.string(input);
    if (typeof input !== 'object' || input === null) return input;
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (this.ancestors.includes(input)) return '[Circular]';
    const isArray = Array.isArray(input);
    if (!isArray) {
      // Plain objects (nearly everything logged) skip the checks for special kinds of objects.
      const proto: unknown = Object.getPrototypeOf(input);
      if (proto !== Object.prototype && proto !== null) {
        if (input instanceof Date) return input;
        if (input instanceof Error) return this.error(input, depth);
        if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) return `[Binary ${input.byteLength} bytes]`;
        const toJSON = (input as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') {
          // JSON.stringify would call it and write whatever it returns (a URL's href with its query…).
          const json: unknown = toJSON.call(input);
          if (json !== input) return this.walk(json, depth + 1);
        }
      }
    }
    // No try/finally: `guarded` resets the stack if a getter throws half-way.
    this.ancestors.push(input);
    const safe = isArray ? this.walkArray(input, depth) : this.walkObject(input as Record<string, unknown>, depth);
    this.ancestors.pop();
    return safe;
  }

  /** `walk` for a member, with the common cases (numbers, short strings) handled without a call. */
  private member(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return value.length < MIN_SECRET_LENGTH ? value : this.string(value);
    if (typeof value !== 'object' || value === null) return value;
    return this.walk(value, depth);
  }

  private walkArray(input: unknown[], depth: number): unknown[] {
    let out: unknown[] | undefined;
    for (let i = 0; i < input.length; i++) {
      const item = input[i];
      const safe = this.member(item, depth + 1);
      if (safe !== item) {
        out ??= input.slice();
        out[i] = safe;
      }
    }
    return out ?? input;
  }

  private walkObject(input: Record<string, unknown>, depth: number): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const key in input) {
      const field = input[key];
      const verdict = this.keyVerdict(key);
      const safe = verdict.secret ? (isFilled(field) ? REDACTED : field) : this.member(field, depth + 1);
      if (safe !== field || verdict.name !== key) {
        out ??= { ...input };
        if (verdict.name !== key) delete out[key];
        out[verdict.name] = safe;
      }
    }
    return out ?? input;
  }

  /**
   * Verdicts are cached because field-name checks normalise the name on every call. A key holding a
   * secret registered after the key was first seen keeps its old verdict: keys are names, not data,
   * and a secret used as a key would already have been written before it was registered.
   */
  private keyVerdict(key: string): KeyVerdict {
    let verdict = this.keyVerdicts.get(key);
    if (verdict === undefined) {
      verdict = { secret: this.redactor.isSecretField(key), name: this.string(key) };
      // Keys made from data (ids as keys) would grow the cache without end; past the cap they are judged each time.
      if (this.keyVerdicts.size < MAX_CACHED_KEYS) this.keyVerdicts.set(key, verdict);
    }
    return verdict;
  }
}

/** Like the Redactor: an empty or boolean secret field (`password: ''`, `token: false`) says nothing worth hiding. */
function isFilled(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && typeof value !== 'boolean';
}
