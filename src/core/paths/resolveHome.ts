import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface HomeSource {
  /** `--home` from the command line. */
  flag?: string | undefined;
  /** The process environment (for `LOCALAGENT_HOME`). */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. */
  cwd?: string;
}

/** The LocalAgent home: `--home`, else `$LOCALAGENT_HOME`, else `~/.localagent`. */
export function resolveHome(source: HomeSource = {}): string {
  const cwd = source.cwd ?? process.cwd();
  const chosen = source.flag ?? source.env?.LOCALAGENT_HOME;
  if (chosen !== undefined && chosen !== '') {
    const expanded = chosen.startsWith('~/') ? join(homedir(), chosen.slice(2)) : chosen;
    return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
  }
  return join(homedir(), '.localagent');
}
