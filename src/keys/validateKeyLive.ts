import { ConfigurationError } from '../core/errors/index.js';
import { keyCheckInconclusive, keyCheckNetwork, keyCheckTimeout, keyRejected } from './errors.js';
import type { ProviderKind } from './providers.js';

export interface LiveCheckOptions {
  /** API conventions to use. */
  kind: ProviderKind;
  /** The key to check. Not modified; only copied into the request header. */
  key: Uint8Array;
  /** API base URL. Defaults per kind; required for `openai-compatible`. */
  baseUrl?: string;
  /** Give up after this long. Default 5000 ms. */
  timeoutMs?: number;
  /** Provider name for messages. Defaults to the kind. */
  provider?: string;
  /** Fetch implementation; default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
}

export interface LiveCheckResult {
  ok: true;
  /** HTTP status of the successful answer. */
  status: number;
  /** The URL that was asked (it never contains the key). */
  url: string;
}

const DEFAULT_BASE: Readonly<Record<ProviderKind, string | undefined>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
  openrouter: 'https://openrouter.ai/api/v1',
  ollama: 'http://127.0.0.1:11434/v1',
  'openai-compatible': undefined,
};

/** Google answers a bad key with 400 and this reason rather than 401. */
const INVALID_KEY_MARKERS = ['API_KEY_INVALID', 'API key not valid', 'invalid x-api-key', 'invalid_api_key'];

interface Probe {
  url: string;
  headers: Record<string, string>;
}

/**
 * `base` follows the provider config's convention, the API root including its version path
 * (`https://api.anthropic.com/v1`), but a bare host is accepted too, since people paste either.
 */
function withVersion(root: string, version: string): string {
  const last = root.slice(root.lastIndexOf('/') + 1);
  return /^v[0-9]+[a-z0-9]*$/.test(last) ? root : `${root}/${version}`;
}

function probeFor(kind: ProviderKind, base: string, key: string): Probe {
  const root = base.replace(/\/+$/, '');
  switch (kind) {
    case 'anthropic':
      return { url: `${withVersion(root, 'v1')}/models`, headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } };
    case 'gemini':
      // The header, not ?key=: URLs end up in logs and error messages, headers do not.
      return { url: `${withVersion(root, 'v1beta')}/models`, headers: { 'x-goog-api-key': key } };
    case 'openrouter':
      // OpenRouter's /models is public; /key answers 401 to a bad key.
      return { url: `${root}/key`, headers: { authorization: `Bearer ${key}` } };
    case 'ollama':
      // Ollama's own listing; a proxy in front of it checks the Bearer token.
      return { url: `${root.replace(/\/v1$/, '')}/api/tags`, headers: { authorization: `Bearer ${key}` } };
    default:
      return { url: `${root}/models`, headers: { authorization: `Bearer ${key}` } };
  }
}

/**
 * Asks the provider whether it accepts the key, with one cheap authenticated GET (its model list,
 * or OpenRouter's key endpoint). Resolves when the provider accepts it. Rejects with
 * `LA_KEY_REJECTED` on 401/403 (do not store it); with `LA_KEY_CHECK_NETWORK`,
 * `LA_KEY_CHECK_TIMEOUT` or `LA_KEY_CHECK_INCONCLUSIVE` when the answer says nothing about the key
 * (`isInconclusiveKeyCheck` tells these apart, so the CLI can offer `--force`). Redirects are not
 * followed, so the key is never sent to a host other than the one configured.
 */
export async function validateKeyLive(options: LiveCheckOptions): Promise<LiveCheckResult> {
  const provider = options.provider ?? options.kind;
  const base = options.baseUrl ?? DEFAULT_BASE[options.kind];
  if (base === undefined || !/^https?:\/\//i.test(base)) {
    throw new ConfigurationError({
      code: 'LA_KEY_CHECK_BASE_URL',
      message: `The key for ${provider} cannot be checked without an http(s) base URL.`,
      suggestion: `Set base_url for ${provider} in the config, or skip the check with --no-verify.`,
      details: { provider },
    });
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch;
  // Headers must be strings; this copy of the key lives until the request is garbage-collected.
  const probe = probeFor(options.kind, base, Buffer.from(options.key).toString('utf8'));
  let response: Response;
  try {
    response = await doFetch(probe.url, {
      method: 'GET',
      headers: { accept: 'application/json', ...probe.headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw keyCheckTimeout(provider, timeoutMs);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw keyCheckNetwork(provider, cause?.code ?? cause?.message ?? (error as Error).message, error);
  }
  const status = response.status;
  let body = '';
  try {
    // Only read a small error body, to spot a provider's "invalid key" marker; it is never shown.
    body = status === 400 ? (await response.text()).slice(0, 4096) : '';
  } catch {
    body = '';
  } finally {
    if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
  }
  if (status >= 200 && status < 300) return { ok: true, status, url: probe.url };
  if (status === 401 || status === 403) throw keyRejected(provider, status);
  if (status === 400 && INVALID_KEY_MARKERS.some((marker) => body.includes(marker))) throw keyRejected(provider, status);
  if (status >= 300 && status < 400) throw keyCheckInconclusive(provider, status, 'the endpoint redirects; check the base URL');
  if (status === 404) throw keyCheckInconclusive(provider, status, 'no such endpoint; check the base URL');
  if (status === 429) throw keyCheckInconclusive(provider, status, 'rate limited');
  if (status >= 500) throw keyCheckInconclusive(provider, status, 'the provider had an error');
  throw keyCheckInconclusive(provider, status, 'unexpected answer');
}
