/** Short names people expect to work, mapped to their config path. */
const ENV_ALIASES: Record<string, string[]> = {
  LOCALAGENT_LOG_LEVEL: ['log', 'level'],
  LOCALAGENT_LOG_FORMAT: ['log', 'format'],
  LOCALAGENT_KEYS_BACKEND: ['keys', 'backend'],
};

export interface EnvSetting {
  /** The variable's name, shown as the "file" of any problem it causes. */
  variable: string;
  path: string[];
  value: unknown;
}

/**
 * Config values from `LOCALAGENT_*` variables. Besides the aliases above, any path can be set with
 * `__` between levels: `LOCALAGENT_LOG__FILE__KEEP=3` sets `log.file.keep`. Variables without `__`
 * (LOCALAGENT_HOME, LOCALAGENT_MASTER_PASSWORD, LOCALAGENT_<NAME>_API_KEY…) are not config and are ignored here.
 */
export function readEnvSettings(env: NodeJS.ProcessEnv): EnvSetting[] {
  const settings: EnvSetting[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (raw === undefined || !variable.startsWith('LOCALAGENT_')) continue;
    const alias = ENV_ALIASES[variable];
    let path: string[] | undefined;
    if (alias) path = alias;
    else if (variable.includes('__')) {
      path = variable
        .slice('LOCALAGENT_'.length)
        .split('__')
        .map((segment) => segment.toLowerCase());
    }
    if (!path || path.some((segment) => segment === '')) continue;
    settings.push({ variable, path, value: scalarFrom(raw) });
  }
  return settings.sort((a, b) => a.variable.localeCompare(b.variable));
}

/** `3` → 3, `true` → true, anything else stays text (so a URL or a name is never mangled). */
function scalarFrom(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed !== '' && /^[-+]?[0-9.]+$/.test(trimmed) && Number.isFinite(Number(trimmed))) return Number(trimmed);
  return raw;
}

/** Sets `value` at `path` in a nested plain object, creating levels as needed. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  });
}
