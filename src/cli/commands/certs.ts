import type { Command } from 'commander';
import type { ApiRole } from '../../gateway/auth/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

interface CertsOptions {
  dir?: string;
  host?: string[];
  client?: string[];
  days: string;
  force?: boolean;
}

async function certsDir(ctx: CommandContext, dir: string | undefined): Promise<string> {
  const { resolve, join } = await import('node:path');
  return dir === undefined ? join(ctx.home, 'certs') : resolve(ctx.io.cwd, dir);
}

async function days(value: string): Promise<number> {
  const { UsageError } = await import('../../core/errors/index.js');
  const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= 3650)) throw new UsageError({ message: `--days takes a whole number from 1 to 3650, not "${value}".` });
  return n;
}

async function parseClient(spec: string): Promise<{ name: string; role: ApiRole }> {
  const [{ UsageError }, { isApiRole }] = await Promise.all([import('../../core/errors/index.js'), import('../../gateway/auth/index.js')]);
  const at = spec.lastIndexOf(':');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const role = at > 0 ? spec.slice(at + 1) : 'viewer';
  if (!isApiRole(role)) throw new UsageError({ message: `--client "${spec}": "${role}" is not a role.`, suggestion: 'Write name:role with role viewer, operator or admin, e.g. --client ci:operator.' });
  return { name, role };
}

export function registerCertsCommands(program: Command, runtime: CliRuntime): void {
  const certs = program.command('certs').description('a local certificate authority for mTLS (`serve --tls-client-ca`)');

  certs
    .command('init')
    .description('create a CA, a server certificate for this machine and client certificates (their CN is the principal, their OU the role)')
    .option('--dir <dir>', 'where the files go (default: <home>/certs)')
    .option('--host <name...>', 'more names or addresses for the server certificate (localhost, 127.0.0.1 and ::1 are always in)')
    .option('--client <name:role...>', 'client certificates to issue, e.g. ci:operator (role default viewer)')
    .option('--days <n>', 'validity of server and client certificates (the CA lasts ten times as long)', '365')
    .option('--force', 'replace existing files (certificates of the old CA stop working)')
    .action(
      runtime.action(async (ctx, options: CertsOptions) => {
        const dir = await certsDir(ctx, options.dir);
        const clients = await Promise.all((options.client ?? []).map(parseClient));
        const { createCertificates } = await import('../../gateway/tls/index.js');
        const set = await createCertificates({ dir, hosts: options.host ?? [], clients, days: await days(options.days), force: options.force === true });
        ctx.out.result({ dir, ...set }, () =>
          [
            `Created a local CA and certificates in ${dir}:`,
            `  CA:      ${set.ca.certFile} (key ${set.ca.keyFile}; keep it private)`,
            `  server:  ${set.server.certFile}, ${set.server.keyFile} (valid until ${set.server.notAfter.slice(0, 10)})`,
            ...set.clients.map((c) => `  client:  ${c.name} (${c.role}) ${c.certFile}, ${c.keyFile}`),
            '',
            `Serve with mTLS: localagent serve --tls-cert ${set.server.certFile} --tls-key ${set.server.keyFile} --tls-client-ca ${set.ca.certFile}`,
          ].join('\n'),
        );
      }),
    );

  certs
    .command('client <name>')
    .description('issue one more client certificate from the CA made by `certs init`')
    .option('--role <role>', 'viewer, operator or admin', 'viewer')
    .option('--dir <dir>', 'where the CA is (default: <home>/certs)')
    .option('--days <n>', 'validity', '365')
    .option('--force', 'replace an existing certificate of that name')
    .action(
      runtime.action(async (ctx, name: string, options: { role: string; dir?: string; days: string; force?: boolean }) => {
        const dir = await certsDir(ctx, options.dir);
        const client = await parseClient(`${name}:${options.role}`);
        const { createClientCertificate } = await import('../../gateway/tls/index.js');
        const issued = await createClientCertificate(dir, client, { days: await days(options.days), force: options.force === true });
        ctx.out.result(issued, () => `Issued a ${issued.role} client certificate for "${issued.name}": ${issued.certFile}, ${issued.keyFile} (valid until ${issued.notAfter.slice(0, 10)}).`);
      }),
    );
}
