import { z } from 'zod';
import { UserInputError } from '../../core/errors/index.js';

/** The faults a mock model can simulate. */
export const faultKinds = [
  'rate_limit',
  'server_error',
  'overloaded',
  'bad_request',
  'context_length',
  'unauthorized',
  'hang',
  'reset',
  'reset_mid_stream',
  'malformed_json',
  'invalid_json_output',
] as const;

/** One of `faultKinds`. */
export type FaultKind = (typeof faultKinds)[number];

/** A scripted failure. Deterministic: with `times`, exactly the first N calls fail. */
export const mockFaultSchema = z.strictObject({
  /** What goes wrong. */
  kind: z.enum(faultKinds),
  /** Only the first N calls to this model fail (counted since start, `setScript` or `reset`); absent: every call. */
  times: z.number().int().min(1).max(1_000_000).optional(),
  /** `rate_limit` (and `overloaded`): the `Retry-After` header, in whole seconds. Default 1. */
  retry_after_s: z.number().int().min(0).max(86_400).optional(),
  /** `reset_mid_stream`: how many text deltas are sent before the socket is destroyed. Default 2. */
  after_chunks: z.number().int().min(0).max(1_000_000).optional(),
  /** `context_length`: the context window the error message claims. Default 8192. */
  context_window: z.number().int().min(1).max(100_000_000).optional(),
  /** Replaces the provider-style error message of an HTTP error fault. */
  message: z.string().min(1).max(10_000).optional(),
  /** `invalid_json_output`: the text answered instead of JSON. Default: almost-JSON with a trailing comma. */
  text: z.string().max(1_000_000).optional(),
});

/** How one model answers. Every field is optional and they combine freely. */
export const modelBehaviourSchema = z
  .strictObject({
    /**
     * `'echo'` (default) answers the last user message; `'json'` answers `json` as JSON text; any
     * other string is answered as it is.
     */
    reply: z.string().max(1_000_000).default('echo'),
    /** The value answered, as JSON text, when `reply` is `'json'`. */
    json: z.json().optional(),
    /** Wait this long before answering at all (before the response headers). */
    latency_ms: z.number().int().min(0).max(600_000).default(0),
    /** Streams: wait this long after the headers before the first chunk. Non-streaming answers wait it too. */
    ttft_ms: z.number().int().min(0).max(600_000).default(0),
    /** Streams: wait this long between text deltas. */
    chunk_delay_ms: z.number().int().min(0).max(60_000).default(0),
    /** Streams: characters (code points) per text delta. */
    chunk_size: z.number().int().min(1).max(1_000_000).default(8),
    /** A scripted failure. */
    fault: mockFaultSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.reply === 'json' && value.json === undefined) {
      ctx.addIssue({ code: 'custom', path: ['json'], message: "reply 'json' needs a `json` value to answer" });
    }
  });

/** The whole script: behaviour per model name (the `model` a request names), and a fallback. */
export const mockScriptSchema = z.strictObject({
  /** Behaviour by model name. A listed model uses its entry alone (it is not merged with `default`). */
  models: z.record(z.string().min(1).max(256), modelBehaviourSchema).default({}),
  /** Behaviour of every model not listed; absent: echo. */
  default: modelBehaviourSchema.optional(),
});

/** A script as written (YAML, JSON or code); defaults are filled in by `parseMockScript`. */
export type MockScript = z.input<typeof mockScriptSchema>;
/** A model's behaviour as written. */
export type ModelBehaviour = z.input<typeof modelBehaviourSchema>;
/** A fault as written. */
export type MockFault = z.input<typeof mockFaultSchema>;

/** A validated script with every default filled in. */
export type ResolvedMockScript = z.output<typeof mockScriptSchema>;
/** A validated behaviour with every default filled in. */
export type ResolvedModelBehaviour = z.output<typeof modelBehaviourSchema>;

/** Where a problem sits, so a message can say `file:line:column`. */
export type PositionLookup = (path: readonly (string | number)[]) => { line: number; column: number } | undefined;

/**
 * Validates a script. A bad one throws `LA_INPUT_INVALID` listing every problem as
 * `[file:line:column: ]models.<name>.<field>: what is wrong`.
 */
export function parseMockScript(input: unknown, source?: { file: string; positionOf?: PositionLookup }): ResolvedMockScript {
  const result = mockScriptSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    const field = path.length > 0 ? path.join('.') : '(top level)';
    const pos = source?.positionOf?.(path);
    const where = source ? (pos ? `${source.file}:${pos.line}:${pos.column}: ` : `${source.file}: `) : '';
    return `${where}${field}: ${issue.message}`;
  });
  throw new UserInputError({
    message: `The mock LLM script has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`,
    suggestion: `Fix the fields listed; see docs/mock-llm.md for the script format (fault kinds: ${faultKinds.join(', ')}).`,
    details: { problems },
  });
}

/** The behaviour a request for `model` gets. */
export function behaviourFor(script: ResolvedMockScript, model: string): ResolvedModelBehaviour {
  // Own keys only: a request for model `constructor` must not find Object.prototype's.
  const listed = Object.hasOwn(script.models, model) ? script.models[model] : undefined;
  return listed ?? script.default ?? modelBehaviourSchema.parse({});
}
