export { loadConfig, validateConfigFile, type LoadConfigOptions, type LoadedConfig, type ConfigLayerInfo } from './loadConfig.js';
export { configFileCandidates, type ConfigLayerKind } from './configFiles.js';
export {
  configSchema,
  providerConfigSchema,
  providerNameSchema,
  providerTypeSchema,
  keysConfigSchema,
  modelConfigSchema,
  modelIdSchema,
  orchestratorConfigSchema,
  runnerConfigSchema,
  securityConfigSchema,
  type Config,
  type ProviderConfig,
  type ModelConfig,
  type OrchestratorConfig,
  type RunnerConfig,
  type SecurityConfig,
} from './schema.js';
export { formatProblem, type ConfigProblem } from './describeProblems.js';
export { parseYaml, readLimitedFile, positionOf, MAX_YAML_BYTES, MAX_YAML_ALIASES, type YamlSource } from './readYamlFile.js';
