export { DefaultPolicy, type DefaultPolicyOptions } from './DefaultPolicy.js';
export { decideCommand, SAFE_PROGRAMS, SAFE_GIT_SUBCOMMANDS, INTERPRETERS, type CommandFacts, type CommandRuleOptions } from './shellRules.js';
export { decideUrl, hostMatches, normalizeHost, DEFAULT_ALLOWED_HOSTS } from './networkRules.js';
export { decideFile } from './fsRules.js';
