import type { PolicySource } from '../PolicySource.js';
import { API_POLICIES } from './apiPolicies.js';
import { FILE_POLICIES } from './filePolicies.js';
import { NETWORK_POLICIES } from './networkPolicies.js';
import { SHELL_POLICIES } from './shellPolicies.js';
import { TASK_POLICIES } from './taskPolicies.js';

/**
 * The policies LocalAgent ships, as Cedar text. They live in TypeScript modules rather than
 * `.cedar` files because the build is `tsc` alone, which copies nothing else into dist/;
 * `localagent policy show --text` prints them.
 */
export const DEFAULT_POLICY_SOURCES: readonly PolicySource[] = Object.freeze([FILE_POLICIES, SHELL_POLICIES, NETWORK_POLICIES, TASK_POLICIES, API_POLICIES]);
