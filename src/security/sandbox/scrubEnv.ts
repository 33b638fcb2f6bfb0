import { isAbsolute } from 'node:path';
import { PolicyDeniedError, UserInputError } from '../../core/errors/index.js';
import { SANDBOX_ERROR_CODES } from './pathErrors.js';

/**
 * The variables a child process inherits from LocalAgent's own environment. Entries ending in `*`
 * are prefixes. What is here lets ordinary programs find each other (`PATH`), their home and
 * temporary folder, and print in the user's language and time zone; nothing here carries a
 * credential.
 */
export const DEFAULT_ENV_ALLOWLIST: readonly string[] = Object.freeze([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TERM',
  'TZ',
  'TMPDIR',
  'TMP',
  'TEMP',
  'NO_COLOR',
  // Windows programs fail in odd ways without these; they hold no secrets.
  'SYSTEMROOT',
  'COMSPEC',
  'PATHEXT',
  'WINDIR',
]);

/**
 * Names that look like credentials. They are dropped from the inherited environment even when an
 * allowlist would let them through, and a task's own `env` may not set them: secrets do not
 * belong in a plan (it is stored, shown and shared), and the runner supplies credentials itself.
 */
const SECRET_NAME =
  /(?:^|_)(?:API_?KEY|TOKEN|SECRET|SECRET_?KEY|SECRET_ACCESS_KEY|ACCESS_?KEY|ACCESS_KEY_ID|PRIVATE_?KEY|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|AUTH|SESSION_TOKEN)$/i;

/** LocalAgent's own settings (the master password, the database URL…) never reach a child. */
const LOCALAGENT_PREFIX = /^LOCALAGENT_/i;

/**
 * Names a task may not set because they change which code a program runs or which configuration
 * it trusts: `PATH` would turn an allowlisted `echo` into any file named `echo`; `LD_PRELOAD`,
 * `NODE_OPTIONS`, `BASH_ENV` and friends inject code; `HOME`, `XDG_*` and `GIT_*` redirect git to a
 * configuration that can run commands (`core.fsmonitor`). The inherited values, from LocalAgent's
 * own environment, are kept.
 */
const CODE_CHANGING_NAME =
  /^(?:PATH|HOME|XDG_.*|LD_.*|DYLD_.*|NODE_OPTIONS|NODE_PATH|PYTHON.*|PERL5.*|PERLLIB|RUBYOPT|RUBYLIB|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|IFS|GIT_.*|GCONV_PATH|LOCPATH|HOSTALIASES|PAGER|EDITOR|VISUAL|LESSOPEN|LESSCLOSE|SSH_ASKPASS|SUDO_ASKPASS|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS)$/i;

/** True for names that are never passed to a child process, whatever the allowlist says. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name) || LOCALAGENT_PREFIX.test(name);
}

/**
 * The environment for a child process: the allowlisted names from `env` (minus anything
 * secret-looking), then the task's own `taskEnv` on top.
 *
 * A task's `env` naming a secret-looking, `LOCALAGENT_*` or code-changing variable is refused with
 * `LA_ENV_FORBIDDEN` (every offending name at once) rather than silently dropped, so the plan's
 * author learns why the program did not see it.
 *
 * `PATH` is cleaned: empty and relative entries are removed, because they would be looked up from
 * the task's working folder — inside the workspace, where a task may have written a program.
 */
export function scrubEnv(
  env: NodeJS.ProcessEnv,
  allowlist: readonly string[] = DEFAULT_ENV_ALLOWLIST,
  taskEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  checkTaskEnv(taskEnv);
  const exact = new Set(allowlist.filter((entry) => !entry.endsWith('*')));
  const prefixes = allowlist.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isSecretEnvName(name)) continue;
    if (!exact.has(name) && !prefixes.some((prefix) => name.startsWith(prefix))) continue;
    result[name] = name === 'PATH' ? cleanSearchPath(value) : value;
  }
  return { ...result, ...taskEnv };
}

/** Keeps only absolute entries of a `PATH`-style list, in order. */
export function cleanSearchPath(value: string, delimiter = process.platform === 'win32' ? ';' : ':'): string {
  return value
    .split(delimiter)
    .filter((entry) => entry.length > 0 && isAbsolute(entry))
    .join(delimiter);
}

function checkTaskEnv(taskEnv: Readonly<Record<string, string>>): void {
  const secret: string[] = [];
  const codeChanging: string[] = [];
  for (const [name, value] of Object.entries(taskEnv)) {
    if (isSecretEnvName(name)) secret.push(name);
    else if (CODE_CHANGING_NAME.test(name)) codeChanging.push(name);
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new UserInputError({
        message: `The environment variable ${name} must be text without NUL bytes.`,
        details: { name },
      });
    }
  }
  if (secret.length === 0 && codeChanging.length === 0) return;
  const reasons: string[] = [];
  if (secret.length > 0) {
    reasons.push(
      `${secret.join(', ')} look${secret.length === 1 ? 's' : ''} like ${secret.length === 1 ? 'a secret' : 'secrets'} (names ending in _API_KEY, _TOKEN, _SECRET, _PASSWORD…, and LOCALAGENT_*), which are never passed to programs and do not belong in a plan`,
    );
  }
  if (codeChanging.length > 0) {
    reasons.push(`${codeChanging.join(', ')} would change which program or code runs, so a task may not set ${codeChanging.length === 1 ? 'it' : 'them'}`);
  }
  throw new PolicyDeniedError({
    code: SANDBOX_ERROR_CODES.envForbidden,
    message: `The task's env is refused: ${reasons.join('; ')}.`,
    suggestion: 'Remove these names from the task\'s env. Credentials are supplied by LocalAgent from its key store, never through a plan.',
    details: { names: [...secret, ...codeChanging], ...(secret.length > 0 ? { secret } : {}), ...(codeChanging.length > 0 ? { code_changing: codeChanging } : {}) },
  });
}
