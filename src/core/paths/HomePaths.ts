import { join } from 'node:path';

/** Where each kind of file lives under the LocalAgent home. One place, so nothing guesses. */
export class HomePaths {
  constructor(readonly root: string) {}

  get config(): string {
    return join(this.root, 'config.yaml');
  }
  get logs(): string {
    return join(this.root, 'logs');
  }
  get vault(): string {
    return join(this.root, 'vault.json');
  }
  get audit(): string {
    return join(this.root, 'audit');
  }
  get keyAuditLog(): string {
    return join(this.root, 'audit', 'keys.audit.jsonl');
  }
  /** Policy denials and approval requests, and who approved or denied what. */
  get securityAuditLog(): string {
    return join(this.root, 'audit', 'security.audit.jsonl');
  }
  get runs(): string {
    return join(this.root, 'runs');
  }
  get database(): string {
    return join(this.root, 'localagent.db');
  }
  /** The user's Cedar policies, `*.cedar`, added to (or replacing) the defaults. */
  get policies(): string {
    return join(this.root, 'policies');
  }
  /** The fingerprint of the policies last recorded in the audit log, to notice a change. */
  get loadedPolicyHash(): string {
    return join(this.root, 'policies', '.loaded-hash');
  }
}
