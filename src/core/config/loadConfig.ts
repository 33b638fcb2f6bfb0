import { ConfigurationError } from '../errors/index.js';
import { configSchema, type Config } from './schema.js';
import { deepMerge } from './deepMerge.js';
import { readEnvSettings, setPath, type EnvSetting } from './envLayer.js';
import { formatProblem, messagesFor, valueAt, type ConfigProblem } from './describeProblems.js';
import { parseYaml, positionOf, positionOfKey, readLimitedFile, type YamlSource } from './readYamlFile.js';

import { configFileCandidates, type ConfigLayerKind } from './configFiles.js';

export type { ConfigLayerKind };

/** Where one layer of the effective configuration came from. */
export interface ConfigLayerInfo {
  kind: ConfigLayerKind;
  /** A file path, or `environment`. */
  source: string;
  /** For the env layer: the variables that set something. */
  variables?: string[];
}

interface Layer extends ConfigLayerInfo {
  data: Record<string, unknown>;
  yaml?: YamlSource;
  env?: EnvSetting[];
}

export interface LoadConfigOptions {
  home: string;
  cwd: string;
  /** `--config <file>`: must exist. */
  configFile?: string | undefined;
  env: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  config: Config;
  /** The layers that exist, lowest precedence first. */
  layers: ConfigLayerInfo[];
}

async function readFileLayer(kind: ConfigLayerKind, path: string, required: boolean): Promise<Layer | undefined> {
  const text = await readLimitedFile(path);
  if (text === undefined) {
    if (!required) return undefined;
    throw new ConfigurationError({
      code: 'LA_CONFIG_NOT_FOUND',
      message: `The config file ${path} does not exist.`,
      suggestion: 'Check the path given to --config.',
      details: { file: path },
    });
  }
  const yaml = parseYaml(path, text);
  const data = yaml.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const pos = positionOf(yaml, []);
    throw new ConfigurationError({
      message: `${path}${pos ? `:${pos.line}:${pos.column}` : ''}: the file must be a mapping of settings (key: value lines), not ${Array.isArray(data) ? 'a list' : 'a single value'}.`,
      details: { file: path },
    });
  }
  return { kind, source: path, data: data as Record<string, unknown>, yaml };
}

function envLayer(env: NodeJS.ProcessEnv): Layer | undefined {
  const settings = readEnvSettings(env);
  if (settings.length === 0) return undefined;
  const data: Record<string, unknown> = {};
  for (const setting of settings) setPath(data, setting.path, setting.value);
  return { kind: 'env', source: 'environment', data, env: settings, variables: settings.map((s) => s.variable) };
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((segment, i) => String(path[i]) === String(segment));
}

function layerHas(layer: Layer, path: readonly PropertyKey[]): boolean {
  if (layer.env) return layer.env.some((s) => startsWith(path, s.path) || startsWith(s.path, path));
  return valueAt(layer.data, path) !== undefined;
}

/**
 * Finds the layer that supplied the value at `path` (highest precedence first) and the value's
 * position. A missing value is blamed on the layer holding its nearest parent.
 */
function locate(layers: Layer[], path: PropertyKey[], isUnknownKey: boolean): Omit<ConfigProblem, 'path' | 'message'> {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const probe = path.slice(0, depth);
    const layer = [...layers].reverse().find((candidate) => layerHas(candidate, probe));
    if (!layer) continue;
    if (layer.env) {
      const setting = layer.env.find((s) => startsWith(probe, s.path) || startsWith(s.path, probe));
      return { source: setting?.variable ?? layer.source };
    }
    if (!layer.yaml) return { source: layer.source };
    const segments = probe.map((p) => (typeof p === 'number' ? p : String(p)));
    const pos =
      isUnknownKey && depth === path.length
        ? positionOfKey(layer.yaml, segments.slice(0, -1), String(segments[segments.length - 1]))
        : positionOf(layer.yaml, segments);
    return { source: layer.source, ...(pos ? { line: pos.line, column: pos.column } : {}) };
  }
  return { source: 'defaults' };
}

/**
 * Loads the effective configuration: `<home>/config.yaml`, then `./localagent.yaml`, then
 * `--config <file>`, then `LOCALAGENT_*` variables; later layers win. Every problem is reported at
 * once, each with its file, line and column.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const layers: Layer[] = [];
  for (const candidate of configFileCandidates(options)) {
    const layer = await readFileLayer(candidate.kind, candidate.path, candidate.kind === 'file');
    if (layer) layers.push(layer);
  }
  const fromEnv = envLayer(options.env);
  if (fromEnv) layers.push(fromEnv);
  return validateLayers(layers);
}

/** Checks one config file on its own (defaults fill the rest), e.g. before copying it into place. */
export async function validateConfigFile(path: string): Promise<LoadedConfig> {
  const layer = await readFileLayer('file', path, true);
  return validateLayers(layer ? [layer] : []);
}

function validateLayers(layers: Layer[]): LoadedConfig {
  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => deepMerge(acc, layer.data), {});
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems: ConfigProblem[] = result.error.issues.flatMap((issue) =>
      messagesFor(issue, configSchema, merged).map(({ path, message }) => ({
        ...locate(layers, path, issue.code === 'unrecognized_keys' || issue.code === 'invalid_key'),
        path: path.map(String).join('.'),
        message,
      })),
    );
    throw new ConfigurationError({
      code: 'LA_CONFIG_INVALID',
      message: `The configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      suggestion: 'Fix the settings listed above, then run `localagent config validate`. Every setting and its default is in docs/config.md.',
      details: { problems },
    });
  }
  return { config: result.data, layers: layers.map(({ kind, source, variables }) => ({ kind, source, ...(variables ? { variables } : {}) })) };
}
