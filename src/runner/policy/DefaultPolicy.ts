import { homedir } from 'node:os';
import type { Policy, PolicyDecision, PolicyRequest } from '../types/index.js';
import { decideFile } from './fsRules.js';
import { DEFAULT_ALLOWED_HOSTS, decideUrl } from './networkRules.js';
import { decideCommand } from './shellRules.js';

export interface DefaultPolicyOptions {
  /**
   * Commands allowed without approval besides the built-in safe ones: a program name (`make`,
   * `node`) or a program and its subcommand (`git fetch`). The deny rules still apply to them.
   */
  allowCommands?: readonly string[];
  /** Program names always denied, besides the built-in deny rules. */
  denyCommands?: readonly string[];
  /** Hosts reachable without approval besides localhost, 127.0.0.1 and ::1; `*.example.com` covers subdomains. */
  allowHosts?: readonly string[];
  /** The user's home folder, for the `rm -rf ~` rule. Default: `os.homedir()`. */
  homeDir?: string;
}

/**
 * The rules LocalAgent applies when no policy file says otherwise (docs/security/policy-defaults.md):
 * files inside the workspace may be read and written, deleting needs approval; a short list of
 * read-only programs runs, destructive patterns are denied, anything else needs approval; network
 * to this machine (and configured hosts) is allowed, elsewhere needs approval; OS input and
 * screenshots need approval. Every decision names its rules. Stateless: one instance can serve
 * every run.
 */
export class DefaultPolicy implements Policy {
  private readonly allowCommands: readonly string[];
  private readonly denyCommands: readonly string[];
  private readonly allowHosts: readonly string[];
  private readonly homeDir: string;

  constructor(options: DefaultPolicyOptions = {}) {
    this.allowCommands = Object.freeze([...(options.allowCommands ?? [])]);
    this.denyCommands = Object.freeze([...(options.denyCommands ?? [])]);
    this.allowHosts = Object.freeze([...DEFAULT_ALLOWED_HOSTS, ...(options.allowHosts ?? [])]);
    this.homeDir = options.homeDir ?? homedir();
  }

  decide(request: PolicyRequest): Promise<PolicyDecision> {
    return Promise.resolve(this.decideNow(request));
  }

  /** The same decision, synchronously: the default rules never wait for anything. */
  decideNow(request: PolicyRequest): PolicyDecision {
    const { action, resource, context } = request;
    const workspace = typeof context.workspace === 'string' ? context.workspace : undefined;
    if (action.startsWith('fs.')) return decideFile(action, resource, workspace);
    switch (action) {
      case 'shell.exec': {
        const argv = Array.isArray(context.argv) && context.argv.length > 0 ? context.argv : [resource];
        const cwd = typeof context.cwd === 'string' ? context.cwd : undefined;
        return decideCommand(
          { argv, ...(workspace !== undefined ? { workspace } : {}), ...(cwd !== undefined ? { cwd } : {}) },
          { allowCommands: this.allowCommands, denyCommands: this.denyCommands, homeDir: this.homeDir },
        );
      }
      case 'http.request':
        return decideUrl(resource, this.allowHosts);
      case 'ai.generate':
        return { effect: 'allow', reason: 'Asking a configured model is allowed; budgets and model selection limit it.', rules: ['ai.allow.generate'] };
      case 'transform.evaluate':
        return { effect: 'allow', reason: 'A JSONata expression only computes a value from the run\'s data.', rules: ['transform.allow.evaluate'] };
      case 'approval.request':
        return { effect: 'allow', reason: 'Asking a person for approval is always allowed.', rules: ['approval.allow.request'] };
      case 'os.input':
        return { effect: 'approve', reason: 'Typing or clicking on the user\'s behalf needs approval.', rules: ['os.approve.input'] };
      case 'os.screenshot':
        return { effect: 'approve', reason: 'A screenshot can capture anything on the screen, so it needs approval.', rules: ['os.approve.screenshot'] };
      default:
        if (action.startsWith('os.')) {
          return { effect: 'approve', reason: `${action} acts on the operating system; the default policy asks first.`, rules: ['os.approve.default'] };
        }
        return { effect: 'approve', reason: `The default policy has no rule for ${action}, so a person decides.`, rules: ['default.approve.unknown-action'] };
    }
  }
}
