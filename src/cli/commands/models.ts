import type { Command } from 'commander';
import type { App } from '../../app.js';
import type { ModelService, ModelSpec } from '../../orchestrator/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';
import { renderTable } from '../table.js';

async function modelService(ctx: CommandContext): Promise<{ app: App; service: ModelService }> {
  const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
  const service = await app.models({ getMasterPassword: masterPasswordSource(ctx) });
  return { app, service };
}

function price(model: ModelSpec): string {
  return model.price.input === 0 && model.price.output === 0 ? 'free' : `$${model.price.input} / $${model.price.output}`;
}

/** Why a model is or is not usable here, in words a person can act on. */
function availability(model: ModelSpec, service: ModelService): { available: boolean; note: string } {
  const breaker = service.breakers().find((b) => b.key === model.provider);
  if (breaker?.state === 'open') return { available: false, note: `circuit open until ${breaker.next_probe_at ?? 'soon'}` };
  if (service.available.some((m) => m.id === model.id)) return { available: true, note: 'ready' };
  return { available: false, note: `no key: localagent config set-key ${model.provider}` };
}

export function registerModelCommands(program: Command, runtime: CliRuntime): void {
  const models = program.command('models').description('the AI models LocalAgent can use, and the health of their providers');

  models
    .command('list')
    .description('every configured, detected (Ollama) and built-in model, with price, capabilities and whether it is usable here')
    .action(
      runtime.action(async (ctx) => {
        const { service } = await modelService(ctx);
        const rows = service.registry.list().map((model) => {
          const state = availability(model, service);
          return {
            id: model.id,
            provider: model.provider,
            model: model.model,
            price_usd_per_million: model.price,
            context_window: model.contextWindow ?? null,
            capabilities: model.capabilities,
            available: state.available,
            note: state.note,
          };
        });
        ctx.out.result(rows, () =>
          renderTable(
            ['ID', 'PROVIDER', 'MODEL', 'PRICE IN/OUT PER 1M', 'CAPABILITIES', 'STATUS'],
            service.registry.list().map((m, i) => [m.id, m.provider, m.model, price(m), m.capabilities.join(','), rows[i]?.note ?? '']),
          ),
        );
      }),
    );

  models
    .command('health')
    .description("ask each usable provider's model list (a cheap authenticated request) and show latency, circuit breaker state and recent error rates")
    .option('--timeout <ms>', 'how long each provider may take to answer', (v) => Number.parseInt(v, 10), 5000)
    .action(
      runtime.action(async (ctx, options: { timeout: number }) => {
        const { service } = await modelService(ctx);
        const [{ validateKeyLive }, { checkProviderHealth }] = await Promise.all([import('../../keys/index.js'), import('../../orchestrator/index.js')]);
        const getKey = async (name: string): Promise<Buffer> => {
          const store = await (await ctx.app()).keys();
          return (await store.get(name).catch(() => undefined))?.value ?? Buffer.alloc(0);
        };
        const { ok: healthy, providers: rows, breakers } = await checkProviderHealth(service, { getKey, probe: validateKeyLive, timeoutMs: options.timeout });
        ctx.out.result({ ok: healthy, providers: rows, breakers }, () =>
          rows.length === 0
            ? 'No usable providers: configure a model, store a key (`localagent config set-key <provider>`), or start Ollama.'
            : renderTable(
                ['PROVIDER', 'STATUS', 'LATENCY', 'BREAKER', 'RECENT ERRORS'],
                rows.map((r) => [r.provider, r.status === 'ok' ? ctx.out.style('green', 'ok') : ctx.out.style('red', r.status), `${r.latency_ms} ms`, r.breaker, r.recent_error_rate === null ? '-' : `${Math.round(r.recent_error_rate * 100)} % of ${r.recent_calls}`]),
              ),
        );
        return healthy ? 0 : 1;
      }),
    );
}
