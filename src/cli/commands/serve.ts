import type { Command } from 'commander';
import type { GetMasterPassword } from '../../keys/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

interface ServeOptions {
  host?: string;
  port?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  insecureListen?: boolean;
  workspace?: string;
  masterPasswordFile?: string;
}

/** The vault's master password for a server: a file or LOCALAGENT_MASTER_PASSWORD, never a prompt (nobody watches a server's terminal). */
async function serverMasterPassword(ctx: CommandContext, file: string | undefined): Promise<GetMasterPassword> {
  const { masterPasswordSource } = await import('../masterPassword.js');
  const source = masterPasswordSource(ctx, { file });
  const env = ctx.io.env.LOCALAGENT_MASTER_PASSWORD;
  return async (reason) => (file !== undefined || (env !== undefined && env !== '') ? source(reason) : undefined);
}

async function readPem(ctx: CommandContext, file: string, flag: string): Promise<Buffer> {
  const [{ readFile }, { resolve }, { UserInputError }] = await Promise.all([import('node:fs/promises'), import('node:path'), import('../../core/errors/index.js')]);
  const path = resolve(ctx.io.cwd, file);
  try {
    return await readFile(path);
  } catch (error) {
    throw new UserInputError({
      code: 'LA_TLS_FILE_UNREADABLE',
      message: `Cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      suggestion: 'Check the path; `localagent certs init` creates a CA, a server certificate and client certificates under <home>/certs.',
      details: { flag, file: path },
      cause: error,
    });
  }
}

/** Waits for Ctrl-C (the CLI's signal) or SIGTERM. */
function untilStopped(signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const onTerm = (): void => finish('SIGTERM');
    const finish = (why: string): void => {
      process.off('SIGTERM', onTerm);
      signal.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onAbort = (): void => finish('SIGINT');
    if (signal.aborted) return finish('SIGINT');
    signal.addEventListener('abort', onAbort, { once: true });
    process.once('SIGTERM', onTerm);
  });
}

export function registerServeCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('serve')
    .description('serve the HTTP API (runs, plans, models, keys, policies, an OpenAI-compatible endpoint) until Ctrl-C')
    .option('--host <host>', 'address to listen on (default: config server.host, 127.0.0.1); others need TLS or --insecure-listen')
    .option('--port <port>', 'TCP port (default: config server.port, 7878; 0 picks a free one)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', "the certificate's private key (PEM)")
    .option('--tls-client-ca <file>', 'require client certificates signed by this CA (mTLS); the certificate is the principal')
    .option('--insecure-listen', 'allow a non-loopback address without TLS (only behind a proxy that terminates TLS)')
    .option('--workspace <dir>', 'where runs started over the API work (default: config server.workspace, else the current folder)')
    .option('--master-password-file <file>', "read the vault's master password from this file (else LOCALAGENT_MASTER_PASSWORD)")
    .action(
      runtime.action(async (ctx, options: ServeOptions) => {
        const [{ UsageError, UserInputError }, { resolve }, { stat }] = await Promise.all([import('../../core/errors/index.js'), import('node:path'), import('node:fs/promises')]);
        const port = options.port === undefined ? undefined : /^\d{1,5}$/.test(options.port) && Number(options.port) <= 65_535 ? Number(options.port) : Number.NaN;
        if (Number.isNaN(port)) throw new UsageError({ message: `--port takes a whole number from 0 to 65535, not "${options.port ?? ''}".` });
        if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new UsageError({ message: '--tls-cert and --tls-key go together.', suggestion: 'Give both, or neither for plain HTTP on loopback.' });
        if (options.tlsClientCa !== undefined && options.tlsCert === undefined) throw new UsageError({ message: '--tls-client-ca needs --tls-cert and --tls-key.' });
        const app = await ctx.app();
        const workspace = resolve(ctx.io.cwd, options.workspace ?? app.config.server.workspace ?? '.');
        if (!(await stat(workspace).catch(() => undefined))?.isDirectory()) {
          throw new UserInputError({ code: 'LA_PATH_NOT_FOUND', message: `The workspace ${workspace} is not a folder.`, suggestion: 'Create it, or choose another with --workspace.' });
        }
        const tls =
          options.tlsCert !== undefined && options.tlsKey !== undefined
            ? {
                cert: await readPem(ctx, options.tlsCert, '--tls-cert'),
                key: await readPem(ctx, options.tlsKey, '--tls-key'),
                ...(options.tlsClientCa !== undefined ? { clientCa: await readPem(ctx, options.tlsClientCa, '--tls-client-ca') } : {}),
              }
            : undefined;
        const { createServer, isLoopback } = await import('../../gateway/index.js');
        const host = options.host ?? app.config.server.host;
        if (!isLoopback(host) && !tls && options.insecureListen) {
          ctx.out.warn(`Listening on ${host} without TLS: tokens and data cross the network in the clear. Only do this behind a proxy that terminates TLS.`);
        }
        const gateway = await createServer({
          app,
          host,
          port,
          tls,
          insecureListen: options.insecureListen === true,
          workspace,
          getMasterPassword: await serverMasterPassword(ctx, options.masterPasswordFile),
        });
        const tokens = await app.tokens();
        if (!tls?.clientCa && !(await tokens.hasActive())) {
          ctx.out.note('No API token exists yet, so every request except /healthz will get 401. Create one with:\n  localagent token create --name me --role admin');
        }
        ctx.out.result({ url: gateway.url, docs: `${gateway.url}/docs`, openapi: `${gateway.url}/openapi.json`, workspace, mtls: tls?.clientCa !== undefined }, () =>
          [`LocalAgent API listening on ${gateway.url} (docs: ${gateway.url}/docs)`, `runs work in ${workspace}`, 'Ctrl-C stops it.'].join('\n'),
        );
        const why = await untilStopped(ctx.signal);
        ctx.out.note(`Stopping (${why})…`);
        await gateway.close();
        return 0;
      }),
    );
}
