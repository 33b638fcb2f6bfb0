import type { AuditEvent } from '../audit/index.js';
import { buildPolicySet } from './buildPolicySet.js';
import { CedarPolicy } from './CedarPolicy.js';
import { readPolicyFiles } from './readPolicyFiles.js';
import { recordPolicyChange } from './recordPolicyChange.js';

export interface LoadCedarPolicyOptions {
  /** `<home>/policies`: the user's `*.cedar` files. */
  policiesDir: string;
  /** `security.allow_commands`. */
  allowCommands?: readonly string[];
  /** `security.allow_hosts`. */
  allowHosts?: readonly string[];
  /** For the `rm -rf ~` hazard. Default: `os.homedir()`. */
  homeDir?: string;
  /**
   * Record a change of the policies in force as `policy.changed` in the security audit log:
   * the fingerprint file, and how to append. Left out, nothing is recorded.
   */
  record?: { hashFile: string; audit: (event: AuditEvent) => Promise<unknown> };
}

/**
 * The policy engine the app uses: the defaults plus the user's files, validated, with the
 * config's allow lists as facts; a change since the last load is audited first.
 */
export async function loadCedarPolicy(options: LoadCedarPolicyOptions): Promise<CedarPolicy> {
  const policySet = buildPolicySet(await readPolicyFiles(options.policiesDir));
  const allowCommands = options.allowCommands ?? [];
  const allowHosts = options.allowHosts ?? [];
  if (options.record) await recordPolicyChange({ policySet, allowCommands, allowHosts, hashFile: options.record.hashFile, audit: options.record.audit });
  return new CedarPolicy({ policySet, allowCommands, allowHosts, ...(options.homeDir !== undefined ? { homeDir: options.homeDir } : {}) });
}
