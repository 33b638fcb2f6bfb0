export interface FetchOllamaModelsOptions {
  /** Ollama's root URL, without `/v1`, e.g. `http://127.0.0.1:11434`. */
  baseUrl: string;
  /** How long to wait for an answer; Ollama on loopback answers in a few ms, so keep it short. */
  timeoutMs: number;
  fetch?: typeof globalThis.fetch | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The model names a running Ollama offers (`GET /api/tags`), or `undefined` when nothing usable
 * answers in time. Never throws: Ollama being absent is the normal case on most machines, and
 * start-up must not slow down or fail because of it.
 */
export async function fetchOllamaModels(options: FetchOllamaModelsOptions): Promise<string[] | undefined> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchFn(`${options.baseUrl.replace(/\/+$/, '')}/api/tags`, {
      signal: controller.signal,
      headers: { accept: 'application/json' },
      // Something else answering on the port must not send us elsewhere.
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as unknown;
    return namesOf(body);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** `{ models: [{ name }] }` → names; anything else (not Ollama after all) → undefined. */
function namesOf(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const models = (body as { models?: unknown }).models;
  if (!Array.isArray(models)) return undefined;
  const names: string[] = [];
  for (const entry of models) {
    const name = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name.length > 0) names.push(name);
  }
  return names;
}
