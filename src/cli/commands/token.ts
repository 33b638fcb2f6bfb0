import { Option, type Command } from 'commander';
import type { ApiTokenRecord } from '../../gateway/auth/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';
import { renderTable } from '../table.js';

function recordJson(record: ApiTokenRecord): Record<string, unknown> {
  return { id: record.id, name: record.name, role: record.role, created_at: record.createdAt, created_by: record.createdBy, expires_at: record.expiresAt, revoked_at: record.revokedAt, last_used_at: record.lastUsedAt };
}

/** Who creates a token from the command line: the OS user. */
function operatorOf(ctx: CommandContext): string {
  return `user:${ctx.io.env.USER ?? ctx.io.env.USERNAME ?? 'unknown'}`;
}

export function registerTokenCommands(program: Command, runtime: CliRuntime): void {
  const token = program.command('token').description('API tokens for `localagent serve`: create, list, revoke');

  token
    .command('create')
    .description('create a token and print it once (only its hash is kept)')
    .requiredOption('--name <name>', 'a label: who or what uses it')
    .addOption(new Option('--role <role>', 'viewer reads; operator also runs and approves; admin also manages keys, tokens and policies').choices(['viewer', 'operator', 'admin']).makeOptionMandatory())
    .option('--expires <lifetime>', 'lifetime: 90m, 12h, 30d, 8w, 1y (default: until revoked)')
    .action(
      runtime.action(async (ctx, options: { name: string; role: 'viewer' | 'operator' | 'admin'; expires?: string }) => {
        const [{ parseLifetime }, { UsageError, UserInputError }] = await Promise.all([import('../../gateway/auth/index.js'), import('../../core/errors/index.js')]);
        let lifetimeMs: number | undefined;
        try {
          lifetimeMs = options.expires === undefined ? undefined : parseLifetime(options.expires);
        } catch (error) {
          if (error instanceof UserInputError) throw new UsageError({ message: `--expires: ${error.message}`, suggestion: error.suggestion });
          throw error;
        }
        const app = await ctx.app();
        const created = await (await app.tokens()).create({ name: options.name, role: options.role, createdBy: operatorOf(ctx), lifetimeMs });
        await (await app.securityAudit()).append({ category: 'token', action: 'create', outcome: 'success', actor: operatorOf(ctx), subject: `token:${created.record.id}`, token_name: created.record.name, role: created.record.role });
        // Written past the redactor on purpose: this is the one time the token is shown, and hiding it would make it useless.
        if (ctx.out.json) {
          ctx.io.stdout.write(`${JSON.stringify({ token: created.token, ...recordJson(created.record) }, null, 2)}\n`);
        } else {
          ctx.io.stdout.write(
            [
              `Created ${created.record.role} token "${created.record.name}" (id ${created.record.id}${created.record.expiresAt ? `, expires ${created.record.expiresAt}` : ''}):`,
              '',
              `  ${created.token}`,
              '',
              'It is shown only now; LocalAgent keeps only its hash. Send it as `Authorization: Bearer <token>`.',
              '',
            ].join('\n'),
          );
        }
        return 0;
      }),
    );

  token
    .command('list')
    .description('tokens in force (with --all, revoked ones too); never the tokens themselves')
    .option('--all', 'include revoked tokens')
    .action(
      runtime.action(async (ctx, options: { all?: boolean }) => {
        const list = await (await (await ctx.app()).tokens()).list({ includeRevoked: options.all === true });
        const now = Date.now();
        const state = (r: ApiTokenRecord): string => (r.revokedAt ? 'revoked' : r.expiresAt && Date.parse(r.expiresAt) <= now ? 'expired' : 'active');
        ctx.out.result(
          list.map((r) => ({ ...recordJson(r), state: state(r) })),
          () =>
            list.length === 0
              ? 'No API tokens. Create one with `localagent token create --name me --role admin`.'
              : renderTable(
                  ['ID', 'NAME', 'ROLE', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'],
                  list.map((r) => [r.id, r.name, r.role, state(r), r.createdAt.slice(0, 16), r.expiresAt?.slice(0, 16) ?? '-', r.lastUsedAt?.slice(0, 16) ?? '-']),
                ),
        );
      }),
    );

  token
    .command('revoke <token>')
    .description('revoke a token by id or name; a running server refuses it within two seconds')
    .action(
      runtime.action(async (ctx, idOrName: string) => {
        const app = await ctx.app();
        const revoked = await (await app.tokens()).revoke(idOrName);
        await (await app.securityAudit()).append({ category: 'token', action: 'revoke', outcome: 'success', actor: operatorOf(ctx), subject: `token:${revoked.id}`, token_name: revoked.name, role: revoked.role });
        ctx.out.result(recordJson(revoked), () => `Revoked token "${revoked.name}" (${revoked.id}).`);
      }),
    );
}
