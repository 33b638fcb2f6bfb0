import { resolve } from 'node:path';
import { HomePaths } from '../paths/index.js';

export type ConfigLayerKind = 'home' | 'project' | 'file' | 'env';

/** The files that may hold configuration, lowest precedence first. */
export function configFileCandidates(options: { home: string; cwd: string; configFile?: string | undefined }): { kind: ConfigLayerKind; path: string }[] {
  const candidates: { kind: ConfigLayerKind; path: string }[] = [
    { kind: 'home', path: new HomePaths(options.home).config },
    { kind: 'project', path: resolve(options.cwd, 'localagent.yaml') },
  ];
  if (options.configFile) candidates.push({ kind: 'file', path: resolve(options.cwd, options.configFile) });
  // The same file reached twice (cwd is the home) counts once, at its highest precedence.
  return candidates.filter((c, i) => !candidates.slice(i + 1).some((later) => later.path === c.path));
}

