import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { withFileLock, writeFileAtomic } from '../../core/fs/index.js';
import { canonicalJson } from '../../core/json/index.js';
import { ensurePrivateDir } from '../../core/paths/index.js';
import { policyChangedAuditEvent, type AuditEvent } from '../audit/index.js';
import { sha256Hex, type LoadedPolicySet } from './buildPolicySet.js';
import { policyUnreadableError } from './policyErrors.js';

export interface RecordPolicyChangeOptions {
  policySet: LoadedPolicySet;
  /** The config's allow lists: they change decisions as much as a policy file does. */
  allowCommands: readonly string[];
  allowHosts: readonly string[];
  /** Where the fingerprint of the last recorded set is kept (`<home>/policies/.loaded-hash`). */
  hashFile: string;
  /** Appends to the security audit log. */
  audit: (event: AuditEvent) => Promise<unknown>;
}

/**
 * A change of policy is a security event: when the set in force (schema, default and user files,
 * allow lists) differs from the one recorded last, appends `policy.changed` to the audit log with
 * every file's SHA-256, then records the new fingerprint. The first load in a home counts as a
 * change, so the log always says which policies were in force. Returns whether it appended.
 */
export async function recordPolicyChange(options: RecordPolicyChangeOptions): Promise<boolean> {
  const allowCommands = [...options.allowCommands];
  const allowHosts = [...options.allowHosts];
  const fingerprint = sha256Hex(canonicalJson({ policies: options.policySet.sha256, allow_commands: allowCommands, allow_hosts: allowHosts }));
  await ensurePrivateDir(dirname(options.hashFile));
  // Two processes starting together must not both record the same change.
  return withFileLock(options.hashFile, async () => {
    const previous = await readFile(options.hashFile, 'utf8').then(
      (text) => text.trim(),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw policyUnreadableError(options.hashFile, error);
      },
    );
    if (previous === fingerprint) return false;
    await options.audit(
      policyChangedAuditEvent({ sha256: fingerprint, previous: previous === '' ? undefined : previous, files: options.policySet.sources, allowCommands, allowHosts }),
    );
    await writeFileAtomic(options.hashFile, `${fingerprint}\n`, { mode: 0o600 });
    return true;
  });
}
