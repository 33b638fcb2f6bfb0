import type { BreakerSnapshot } from '../../core/resilience/index.js';
import type { ModelService } from '../createModelService.js';
import type { ProviderSpec } from '../types/index.js';

/** How one provider answered its health check. */
export interface ProviderHealth {
  provider: string;
  /** `ok`, or why not in words: `key rejected`, `timeout`, `unreachable`, `error`. */
  status: 'ok' | 'key rejected' | 'timeout' | 'unreachable' | 'error';
  /** The check's error code, when it failed. */
  error_code?: string;
  latency_ms: number;
  /** The provider's circuit breaker: `closed`, `half_open` or `open`. */
  breaker: string;
  /** Calls in the statistics window to this provider's models. */
  recent_calls: number;
  /** Share of those that failed; null without calls. */
  recent_error_rate: number | null;
}

export interface HealthReport {
  /** Every checked provider answered and none has an open circuit. */
  ok: boolean;
  providers: ProviderHealth[];
  breakers: BreakerSnapshot[];
}

/** A cheap authenticated request to the provider (the key store's `validateKeyLive` fits); throws with a `code` when it fails. */
export type ProviderProbe = (options: { kind: ProviderSpec['type'] | 'openrouter'; key: Uint8Array; baseUrl: string; provider: string; timeoutMs: number }) => Promise<unknown>;

export interface ProviderHealthOptions {
  /** The provider's key, or an empty buffer; it is zero-filled after use. */
  getKey: (provider: string) => Promise<Buffer>;
  probe: ProviderProbe;
  /** How long each provider may take. */
  timeoutMs: number;
}

const STATUS_BY_CODE: Readonly<Record<string, ProviderHealth['status']>> = {
  LA_KEY_REJECTED: 'key rejected',
  LA_KEY_CHECK_TIMEOUT: 'timeout',
  LA_KEY_CHECK_NETWORK: 'unreachable',
};

/**
 * Asks every provider that can be used here (a model of it is available) for its model list, in
 * parallel, and reports latency, the circuit breaker's state and recent error rates.
 */
export async function checkProviderHealth(service: ModelService, options: ProviderHealthOptions): Promise<HealthReport> {
  const usable = new Set(service.available.map((m) => m.provider));
  const providers = service.registry.providers().filter((p) => usable.has(p.name));
  const checks = await Promise.all(
    providers.map(async (provider) => {
      const key = provider.requiresKey ? await options.getKey(provider.name) : Buffer.alloc(0);
      const started = performance.now();
      try {
        // OpenRouter speaks the OpenAI protocol but checks keys at its own endpoint.
        const kind = provider.name === 'openrouter' ? ('openrouter' as const) : provider.type;
        await options.probe({ kind, key, baseUrl: provider.baseUrl, provider: provider.name, timeoutMs: options.timeoutMs });
        return { provider: provider.name, status: 'ok' as const, latency_ms: Math.round(performance.now() - started) };
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'LA_INTERNAL';
        return { provider: provider.name, status: STATUS_BY_CODE[code] ?? ('error' as const), error_code: code, latency_ms: Math.round(performance.now() - started) };
      } finally {
        key.fill(0);
      }
    }),
  );
  const breakers = service.breakers();
  const rows: ProviderHealth[] = checks.map((check) => {
    const breaker = breakers.find((b) => b.key === check.provider);
    const models = service.available.filter((m) => m.provider === check.provider);
    const recent = models.map((m) => service.stats.get('ai', m.id)).filter((s) => s.count > 0);
    const calls = recent.reduce((n, s) => n + s.count, 0);
    const failures = recent.reduce((n, s) => n + Math.round(s.count * (1 - (s.successRate ?? 1))), 0);
    return { ...check, breaker: breaker?.state ?? 'closed', recent_calls: calls, recent_error_rate: calls === 0 ? null : failures / calls };
  });
  return { ok: rows.every((r) => r.status === 'ok' && r.breaker !== 'open'), providers: rows, breakers };
}
