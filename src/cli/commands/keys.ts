import { Option, type Command } from 'commander';
import type { App } from '../../app.js';
import type { DataKeyStatus, DoctorReport, KeyStore, ProviderKind } from '../../keys/index.js';
import type { ShellSandboxStatus } from '../../security/sandbox/index.js';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';
import { renderTable } from '../table.js';

interface KeyInputOptions {
  stdin?: boolean;
  validate: boolean;
  force?: boolean;
  backend?: 'keyring' | 'file';
  masterPasswordFile?: string;
}

const backendOption = () => new Option('--backend <backend>', 'where to store it (default: config keys.backend, auto = keyring when usable)').choices(['keyring', 'file']);
const masterPasswordFileOption = () => new Option('--master-password-file <file>', "read the vault's master password from the first line of this file");

/** The key store, wired to this command's way of getting the master password. */
async function keyStore(ctx: CommandContext, masterPasswordFile: string | undefined): Promise<{ app: App; store: KeyStore }> {
  const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
  const store = await app.keys({ getMasterPassword: masterPasswordSource(ctx, { file: masterPasswordFile }) });
  return { app, store };
}

/** Reads a key from a pipe (`--stdin`) or a prompt without echo; never from the command line. */
async function readKey(ctx: CommandContext, provider: string, fromStdin: boolean | undefined): Promise<Buffer> {
  const [{ readSecretLine, promptSecret }, { UserInputError }] = await Promise.all([import('../secretInput.js'), import('../../core/errors/index.js')]);
  const stdin = ctx.io.stdin;
  if (fromStdin) {
    if (!stdin) throw new UserInputError({ code: 'LA_KEY_INPUT_REQUIRED', message: 'No standard input to read the key from.', suggestion: 'Pipe the key into the command.' });
    return readSecretLine(stdin);
  }
  if (stdin?.isTTY) return promptSecret(`API key for ${provider} (input hidden): `, stdin, ctx.io.stderr);
  throw new UserInputError({
    code: 'LA_KEY_INPUT_REQUIRED',
    message: 'No key was given: standard input is not a terminal, so LocalAgent cannot prompt for it.',
    suggestion: `Pipe it in with --stdin from a password manager or file, e.g. \`localagent config set-key ${provider} --stdin < key.txt\`. Keys are never taken as arguments, so they stay out of shell history.`,
  });
}

/** The provider's API kind: from config when it is configured there, else implied by its name. */
async function kindFor(app: App, provider: string): Promise<ProviderKind> {
  const { kindOf } = await import('../../keys/index.js');
  return app.config.providers[provider]?.type ?? kindOf(provider);
}

/** Format check always; live check against the provider unless --no-validate. */
async function checkKey(ctx: CommandContext, app: App, provider: string, key: Buffer, options: KeyInputOptions): Promise<string> {
  const { validateKeyFormat, validateKeyLive, isInconclusiveKeyCheck } = await import('../../keys/index.js');
  const kind = await kindFor(app, provider);
  validateKeyFormat(kind, key, provider);
  if (!options.validate) return 'not checked (--no-validate)';
  try {
    const baseUrl = app.config.providers[provider]?.base_url;
    const result = await validateKeyLive({ kind, key, provider, timeoutMs: app.config.keys.validate_timeout_ms, ...(baseUrl ? { baseUrl } : {}) });
    return `accepted by ${result.url}`;
  } catch (error) {
    if (!isInconclusiveKeyCheck(error)) throw error;
    // The check's own suggestion already offers --force.
    if (!options.force) throw error;
    ctx.out.warn(`The key could not be checked (${error.message}); storing it anyway because of --force.`);
    return 'not checked (provider unreachable, --force)';
  }
}

async function storeKey(ctx: CommandContext, provider: string, options: KeyInputOptions, rotate: boolean): Promise<number> {
  const { app, store } = await keyStore(ctx, options.masterPasswordFile);
  const key = await readKey(ctx, provider, options.stdin);
  try {
    const check = await checkKey(ctx, app, provider, key, options);
    const stored = rotate
      ? await store.rotate(provider, key, { kind: await kindFor(app, provider) })
      : await store.set(provider, key, { kind: await kindFor(app, provider), ...(options.backend ? { backend: options.backend } : {}) });
    ctx.out.result({ ...stored, check }, () =>
      [
        `${ctx.out.style('green', rotate ? 'Rotated' : 'Stored')} the key for ${stored.provider} in the ${stored.backend === 'file' ? 'encrypted vault file' : 'OS keyring'} (${stored.masked}, ${stored.fingerprint}).`,
        `  check: ${check}`,
        ...(stored.fallbackReason ? [`  the keyring was not usable (${stored.fallbackReason}), so the vault file was used`] : []),
      ].join('\n'),
    );
    if (stored.overriddenBy) ctx.out.warn(`${stored.overriddenBy} is set in the environment and takes precedence over the stored key while it is set.`);
    return 0;
  } finally {
    key.fill(0);
  }
}

function formatDate(value: string | null): string {
  return value === null ? '-' : value.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

const ISOLATION_REASONS: Record<NonNullable<ShellSandboxStatus['reason']>, string> = {
  disabled: 'disabled by config (security.sandbox: off)',
  'unsupported-platform': 'not available on this operating system',
  'not-installed': 'bubblewrap is not installed',
  'userns-unavailable': 'user namespaces are not available',
  broken: 'bubblewrap does not work',
};

/** The doctor's shell isolation line, and what to do when it is not active. */
function isolationLines(status: ShellSandboxStatus, ctx: CommandContext): string[] {
  const bwrap = status.bwrap;
  if (status.active && bwrap.available) {
    return [`shell isolation ${ctx.out.style('green', 'active')} bubblewrap ${bwrap.version} (${bwrap.path}), security.sandbox: ${status.mode}`];
  }
  const reason = status.reason ? ISOLATION_REASONS[status.reason] : 'not active';
  const wouldWork = status.reason === 'disabled' && bwrap.available ? `; bubblewrap ${bwrap.version} works here` : '';
  const detail = status.reason !== 'disabled' && status.detail ? ` (${status.detail})` : '';
  const colour = status.mode === 'bwrap' ? 'red' : 'yellow';
  const outcome = status.mode === 'bwrap' ? 'shell tasks are refused' : 'shell tasks run unisolated';
  return [`shell isolation ${ctx.out.style(colour, 'off')} ${reason}${detail}${wouldWork} — ${outcome}`, ...(status.suggestion ? [`  what to do: ${status.suggestion}`] : [])];
}

/** `security.encrypt_results` as the doctor reports it: on or off, where the data key is, and how to keep it safe. */
function resultsEncryption(app: App, report: DoctorReport): { enabled: boolean; data_key?: DataKeyStatus; backup?: string } {
  if (!app.config.security.encrypt_results) return { enabled: false };
  const key = report.dataKeys.find((k) => k.purpose === 'results');
  const where = key?.backend ?? (report.backend === 'auto' ? report.auto : report.backend);
  const backup =
    where === 'keyring'
      ? `the OS keyring entry "data-key:results" of service "localagent" (back up your keyring)`
      : `${report.file.path} together with its master password`;
  return { enabled: true, ...(key ? { data_key: { ...key } } : {}), backup: `Losing the data key loses every encrypted result: back up ${backup} (docs/security/encryption.md).` };
}

function encryptionLines(encryption: ReturnType<typeof resultsEncryption>, ctx: CommandContext): string[] {
  if (!encryption.enabled) return ['results         stored in plain text (security.encrypt_results: false)'];
  const key = encryption.data_key;
  const state = key?.reason
    ? ctx.out.style('red', `data key unreadable: ${key.reason}`)
    : key?.backend
      ? `data key ${key.fingerprint ?? ''} in the ${key.backend === 'keyring' ? 'OS keyring' : 'vault file'}${key.createdAt ? ` since ${key.createdAt.slice(0, 10)}` : ''}`
      : 'data key not created yet (the first run creates it)';
  return [`results         ${ctx.out.style('green', 'encrypted')} · ${state}`, `  ${encryption.backup ?? ''}`];
}

export function registerKeyCommands(config: Command, runtime: CliRuntime): void {
  const keyInput = (command: Command): Command =>
    command
      .option('--stdin', 'read the key from the first line of standard input instead of prompting')
      .option('--no-validate', 'skip the live check against the provider (the format is still checked)')
      .option('--force', 'store even when the provider cannot be reached for the live check')
      .addOption(masterPasswordFileOption());

  keyInput(config.command('set-key <provider>').description('store an API key (prompted without echo, or --stdin); checked before it is stored'))
    .addOption(backendOption())
    .action(runtime.action(async (ctx, provider: string, options: KeyInputOptions) => storeKey(ctx, provider, options, false)));

  keyInput(config.command('rotate-key <provider>').description('replace a stored key with a new one; no copy of the old key is kept')).action(
    runtime.action(async (ctx, provider: string, options: KeyInputOptions) => storeKey(ctx, provider, options, true)),
  );

  config
    .command('delete-key <provider>')
    .description('delete a stored key (from every backend, or one)')
    .addOption(backendOption())
    .addOption(masterPasswordFileOption())
    .action(
      runtime.action(async (ctx, provider: string, options: { backend?: 'keyring' | 'file'; masterPasswordFile?: string }) => {
        const { store } = await keyStore(ctx, options.masterPasswordFile);
        const deleted = await store.delete(provider, options.backend ? { backend: options.backend } : {});
        ctx.out.result(deleted, () =>
          deleted.removedFrom.length === 0
            ? `No stored key for ${deleted.provider}; nothing was deleted.`
            : `Deleted the key for ${deleted.provider} from the ${deleted.removedFrom.join(' and ')}.`,
        );
        if (deleted.overriddenBy) ctx.out.warn(`${deleted.overriddenBy} still provides a key for ${deleted.provider} from the environment.`);
        return deleted.removedFrom.length === 0 ? 1 : 0;
      }),
    );

  config
    .command('keys')
    .description('list the providers with a key: source, masked fingerprint, created and rotated dates')
    .addOption(masterPasswordFileOption())
    .action(
      runtime.action(async (ctx, options: { masterPasswordFile?: string }) => {
        const { app, store } = await keyStore(ctx, options.masterPasswordFile);
        const entries = await store.list({ providers: Object.keys(app.config.providers) });
        ctx.out.result(entries, () => {
          if (entries.length === 0) return 'No API keys yet. Store one with `localagent config set-key <provider>`.';
          const rows = entries.map((e) => [e.provider, e.envVar ? `env (${e.envVar})` : e.source, e.masked, e.fingerprint, formatDate(e.createdAt), formatDate(e.rotatedAt)]);
          return renderTable(['PROVIDER', 'SOURCE', 'KEY', 'FINGERPRINT', 'CREATED', 'ROTATED'], rows);
        });
      }),
    );

  config
    .command('rotate-master')
    .description('re-encrypt the key vault under a new master password and a new data key')
    .addOption(masterPasswordFileOption())
    .option('--new-master-password-file <file>', 'read the new master password from the first line of this file')
    .action(
      runtime.action(async (ctx, options: { masterPasswordFile?: string; newMasterPasswordFile?: string }) => {
        const { store } = await keyStore(ctx, options.masterPasswordFile);
        const { newMasterPassword } = await import('../masterPassword.js');
        // Unlock with the current password first, so a wrong one fails before a new one is asked for.
        await store.unlockVault();
        const password = await newMasterPassword(ctx, options.newMasterPasswordFile);
        const result = await store.rotateMaster(password);
        ctx.out.result(result, () => `Re-encrypted ${result.records} key${result.records === 1 ? '' : 's'} under the new master password (scrypt N=${result.kdf.N}, r=${result.kdf.r}, p=${result.kdf.p}).`);
      }),
    );

  config
    .command('doctor')
    .description('check this machine: config, home folder, which key backends work here and why not, and whether shell tasks run isolated')
    .addOption(masterPasswordFileOption())
    .action(
      runtime.action(async (ctx, options: { masterPasswordFile?: string }) => {
        const { app, store } = await keyStore(ctx, options.masterPasswordFile);
        const report = await store.doctor();
        const isolation = await (await app.sandbox()).status();
        // Only a required sandbox that cannot run makes the machine unhealthy; `auto` falls back by design.
        const healthy = report.auto !== null && report.audit.ok && (isolation.active || isolation.mode !== 'bwrap');
        const encryption = resultsEncryption(app, report);
        const result = { ok: healthy, home: app.paths.root, config: { ok: true, layers: app.configLayers }, keys: report, shell_isolation: isolation, results_encryption: encryption };
        ctx.out.result(result, () => {
          const yes = (ok: boolean) => (ok ? ctx.out.style('green', 'ok') : ctx.out.style('red', 'not usable'));
          return [
            `home            ${app.paths.root}`,
            `config          ${yes(true)} (${app.configLayers.length === 0 ? 'defaults only' : app.configLayers.map((l) => l.source).join(', ')})`,
            `env keys        ${report.env.variables.length === 0 ? 'none set' : report.env.variables.join(', ')}`,
            `OS keyring      ${yes(report.keyring.usable)} ${report.keyring.store}${report.keyring.reason ? ` — ${report.keyring.reason}` : ''}`,
            `vault file      ${yes(report.file.usable)} ${report.file.path}${report.file.exists ? '' : ' (not created yet)'}${report.file.kdf ? ` scrypt N=${report.file.kdf.N}` : ''}${report.file.reason ? ` — ${report.file.reason}` : ''}`,
            `new keys go to  ${report.backend === 'auto' ? (report.auto ?? 'nowhere: no backend works') : report.backend}${report.backend === 'auto' ? ' (auto)' : ''}`,
            `key audit log   ${report.audit.ok ? `${yes(true)} ${report.audit.entries ?? 0} entries` : ctx.out.style('red', `broken at line ${report.audit.line}: ${report.audit.reason}`)} (${report.audit.path})`,
            ...isolationLines(isolation, ctx),
            ...encryptionLines(encryption, ctx),
          ].join('\n');
        });
        return healthy ? 0 : 1;
      }),
    );
}
