import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KeyListEntry, ProviderKind, StoredKey } from '../../keys/index.js';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

const providerParams = z.strictObject({
  provider: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a provider name: lowercase letters, digits, - and _').describe('The provider name (`openai`, or one configured under `providers:`).'),
});

const keyBody = z.strictObject({
  key: z.string().min(1).max(65_536).describe('The API key. It is stored, never returned, logged or echoed.'),
  validate: z.boolean().default(true).describe('Check the key against the provider before storing it (the format is always checked).'),
  backend: z.enum(['keyring', 'file']).optional().describe('Where to store it (default: config keys.backend).'),
});

const copySchema = z.object({ backend: z.string(), fingerprint: z.string(), masked: z.string(), created_at: z.string(), rotated_at: z.string().nullable() });
const listedSchema = z.object({
  provider: z.string(),
  source: z.string().describe('Where a call takes the key from now: env, keyring or file.'),
  env_var: z.string().optional(),
  fingerprint: z.string(),
  masked: z.string(),
  created_at: z.string().nullable(),
  rotated_at: z.string().nullable(),
  copies: z.array(copySchema),
});
const storedSchema = z.object({ provider: z.string(), backend: z.string(), fingerprint: z.string(), masked: z.string(), created_at: z.string(), rotated_at: z.string().nullable(), overridden_by: z.string().optional() });

function listed(entry: KeyListEntry): z.infer<typeof listedSchema> {
  return {
    provider: entry.provider,
    source: entry.source,
    ...(entry.envVar ? { env_var: entry.envVar } : {}),
    fingerprint: entry.fingerprint,
    masked: entry.masked,
    created_at: entry.createdAt,
    rotated_at: entry.rotatedAt,
    copies: entry.copies.map((c) => ({ backend: c.backend, fingerprint: c.fingerprint, masked: c.masked, created_at: c.createdAt, rotated_at: c.rotatedAt })),
  };
}

function stored(key: StoredKey): z.infer<typeof storedSchema> {
  return {
    provider: key.provider,
    backend: key.backend,
    fingerprint: key.fingerprint,
    masked: key.masked,
    created_at: key.createdAt,
    rotated_at: key.rotatedAt,
    ...(key.overriddenBy ? { overridden_by: key.overriddenBy } : {}),
  };
}

/** Provider API keys: list (masked fingerprints, never values), store, rotate, delete. Admin only. */
export function keyRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  /** Format check always; the live check unless `validate: false`. */
  const check = async (provider: string, key: Buffer, validate: boolean): Promise<ProviderKind> => {
    const { kindOf, validateKeyFormat, validateKeyLive } = await import('../../keys/index.js');
    const kind = ctx.app.config.providers[provider]?.type ?? kindOf(provider);
    validateKeyFormat(kind, key, provider);
    if (validate) {
      const baseUrl = ctx.app.config.providers[provider]?.base_url;
      await validateKeyLive({ kind, key, provider, timeoutMs: ctx.app.config.keys.validate_timeout_ms, ...(baseUrl ? { baseUrl } : {}) });
    }
    return kind;
  };

  return async (server) => {
    server.get(
      '/v1/keys',
      {
        config: { action: 'api.keys.list' },
        schema: { summary: 'Providers with a key: where it comes from and a masked fingerprint (never the key)', tags: ['keys'], response: withProblems({ 200: z.object({ keys: z.array(listedSchema) }) }) },
      },
      async () => ({ keys: (await (await ctx.keys()).list()).map(listed) }),
    );

    for (const rotate of [false, true]) {
      const url = rotate ? '/v1/keys/:provider/rotate' : '/v1/keys/:provider';
      const handler = async (request: { params: z.infer<typeof providerParams>; body: z.infer<typeof keyBody> }): Promise<z.infer<typeof storedSchema>> => {
        const { provider } = request.params;
        const key = Buffer.from(request.body.key, 'utf8');
        try {
          const kind = await check(provider, key, request.body.validate);
          const store = await ctx.keys();
          return stored(rotate ? await store.rotate(provider, key, { kind }) : await store.set(provider, key, { kind, ...(request.body.backend ? { backend: request.body.backend } : {}) }));
        } finally {
          key.fill(0);
        }
      };
      const schema = {
        summary: rotate ? 'Replace a stored key; the old one is not kept' : 'Store a key for a provider (checked first)',
        tags: ['keys'],
        params: providerParams,
        body: keyBody,
        response: withProblems({ 200: storedSchema }),
      };
      if (rotate) server.post(url, { config: { action: 'api.keys.set' }, schema }, handler);
      else server.put(url, { config: { action: 'api.keys.set' }, schema }, handler);
    }

    server.delete(
      '/v1/keys/:provider',
      {
        config: { action: 'api.keys.delete' },
        schema: {
          summary: 'Delete the stored key of a provider (every backend)',
          tags: ['keys'],
          params: providerParams,
          response: withProblems({ 200: z.object({ provider: z.string(), removed_from: z.array(z.string()), overridden_by: z.string().optional() }) }),
        },
      },
      async (request) => {
        const deleted = await (await ctx.keys()).delete(request.params.provider);
        return { provider: deleted.provider, removed_from: deleted.removedFrom, ...(deleted.overriddenBy ? { overridden_by: deleted.overriddenBy } : {}) };
      },
    );
  };
}
