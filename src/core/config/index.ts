export { loadConfig, validateConfigFile, configFileCandidates, type LoadConfigOptions, type LoadedConfig, type ConfigLayerInfo, type ConfigLayerKind } from './loadConfig.js';
export { configSchema, providerConfigSchema, providerNameSchema, providerTypeSchema, keysConfigSchema, type Config, type ProviderConfig } from './schema.js';
export { formatProblem, type ConfigProblem } from './describeProblems.js';
export { parseYaml, readLimitedFile, positionOf, MAX_YAML_BYTES, MAX_YAML_ALIASES, type YamlSource } from './readYamlFile.js';
