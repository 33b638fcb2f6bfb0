import type { Command } from 'commander';
import type { CommandContext } from '../CommandContext.js';
import type { CliRuntime } from '../runCli.js';

/** Exit codes of a decision: 0 allow, 3 deny, 4 needs approval (the CLI's policy codes). */
const EXIT_CODES = { allow: 0, deny: 3, approve: 4 } as const;

interface CheckOptions {
  action: string;
  resource: string;
  principal?: string;
  role?: string[];
  context?: string[];
  approved?: boolean;
  workspace?: string;
}

interface TestResult {
  name: string;
  line: number;
  pass: boolean;
  expect: string;
  effect: string;
  expect_rules?: string[];
  rules: string[];
  reason: string;
}

interface ShowOptions {
  text?: boolean;
  schema?: boolean;
}

/** The folder tasks may touch: `--workspace`, or the current folder, as `run` does. */
async function workspaceOf(ctx: CommandContext, option: string | undefined): Promise<string> {
  const { resolve } = await import('node:path');
  return resolve(ctx.io.cwd, option ?? '.');
}

/** `--context mode=chaos --context dry_run=true`: strings, and true/false as booleans. */
async function parseContext(pairs: readonly string[]): Promise<Record<string, string | boolean>> {
  const [{ UsageError }, { DESCRIBABLE_CONTEXT_KEYS }, { didYouMean }] = await Promise.all([
    import('../../core/errors/index.js'),
    import('../../security/policy/index.js'),
    import('../../core/text/index.js'),
  ]);
  const context: Record<string, string | boolean> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at) : pair;
    if (at <= 0) throw new UsageError({ message: `--context "${pair}" is not key=value.`, suggestion: 'Write each fact as --context key=value, e.g. --context mode=chaos.' });
    if (!DESCRIBABLE_CONTEXT_KEYS.includes(key)) {
      throw new UsageError({
        message: `--context cannot set "${key}".${didYouMean(key, DESCRIBABLE_CONTEXT_KEYS)}`,
        suggestion: `Use one of ${DESCRIBABLE_CONTEXT_KEYS.join(', ')}; the facts (hazards, inside_workspace, host, …) are computed from the action and resource.`,
      });
    }
    const value = pair.slice(at + 1);
    context[key] = value === 'true' ? true : value === 'false' ? false : value;
  }
  return context;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerPolicyCommands(program: Command, runtime: CliRuntime): Command {
  const policy = program.command('policy').description('show, check and test the Cedar policies that decide what tasks may do');

  policy
    .command('show')
    .description('the policies in force: the defaults and your <home>/policies/*.cedar, with id, effect, file and reason')
    .option('--text', 'print the Cedar text of every policy in force, with the file and line it comes from')
    .option('--schema', 'print the Cedar schema: principals, actions, resources and the context facts')
    .action(
      runtime.action(async (ctx, options: ShowOptions) => {
        const [app, { CEDAR_SCHEMA, locationOf }, { renderTable }] = await Promise.all([ctx.app(), import('../../security/policy/index.js'), import('../table.js')]);
        if (options.schema) {
          ctx.out.result({ schema: CEDAR_SCHEMA }, () => CEDAR_SCHEMA.trimEnd());
          return 0;
        }
        const set = (await app.policy()).policySet;
        const policies = set.policies.map((p) => ({
          id: p.id,
          effect: p.effect,
          origin: p.origin,
          source: p.source,
          line: p.position.line,
          column: p.position.column,
          reason: p.reason ?? null,
          ...(p.replaces ? { replaces: p.replaces } : {}),
          ...(options.text ? { text: p.text.trim() } : {}),
        }));
        ctx.out.result({ sha256: set.sha256, files: set.sources, policies, warnings: set.warnings }, () => {
          if (options.text) {
            return set.policies.map((p) => `// ${locationOf(p)}${p.replaces ? ` (replaces the default at ${p.replaces})` : ''}\n${p.text.trim()}`).join('\n\n');
          }
          const users = set.sources.filter((s) => s.origin === 'user');
          const lines = [
            renderTable(
              ['ID', 'EFFECT', 'FROM', 'REASON'],
              set.policies.map((p) => [p.id, p.effect, `${p.origin === 'default' ? p.source : p.source.split(/[\\/]/).pop() ?? p.source}:${p.position.line}`, p.reason ?? '']),
            ),
            '',
            `${set.policies.length} policies · ${users.length === 0 ? `no files of your own in ${app.paths.policies}` : `your files: ${users.map((u) => u.file).join(', ')}`}`,
          ];
          for (const p of set.policies) if (p.replaces) lines.push(`${p.id} (${locationOf(p)}) replaces the default at ${p.replaces}`);
          for (const warning of set.warnings) lines.push(`${ctx.out.style('yellow', 'warning:')} ${warning}`);
          return lines.join('\n');
        });
        return 0;
      }),
    );

  policy
    .command('check')
    .description('decide one request as a run would; exit 0 allow, 3 deny, 4 needs approval')
    .requiredOption('--action <action>', 'fs.read, fs.write, fs.delete, shell.exec, shell.network, http.request, ai.generate, os.input, api.runs.get, …')
    .requiredOption('--resource <resource>', 'shell: the command line ("rm -rf build"); fs: a path; http: the URL; api: Run::"run-1"')
    .option('--principal <principal>', 'who acts: User::"alice", Token::"t1" or Agent::"run-1" (default: the agent, as in a run)')
    .option('--role <role>', 'a role of the principal, for api.* actions (viewer, operator, admin); repeatable', collect)
    .option('--context <key=value>', 'a fact of the request: run_id, plan_id, task_id, mode, persona, dry_run, cwd, method, op; repeatable', collect)
    .option('--approved', 'decide as if a person had approved the task')
    .option('--workspace <dir>', 'the folder tasks may touch (default: the current folder)')
    .action(
      runtime.action(async (ctx, options: CheckOptions) => {
        const [app, { describedRequest, parsePrincipal, KNOWN_ACTIONS, formatLocation }, { UsageError }, { closestMatch }] = await Promise.all([
          ctx.app(),
          import('../../security/policy/index.js'),
          import('../../core/errors/index.js'),
          import('../../core/text/index.js'),
        ]);
        const principal = options.principal === undefined ? undefined : parsePrincipal(options.principal);
        if (options.principal !== undefined && principal === undefined) {
          throw new UsageError({ message: `--principal "${options.principal}" is not a principal.`, suggestion: 'Write the type, two colons and the id: User::"alice", Token::"t1" or Agent::"run-1".' });
        }
        if (options.role && !principal) throw new UsageError({ message: '--role needs a --principal to belong to.', suggestion: 'Add --principal User::"alice" (roles apply to users and API tokens).' });
        if (!KNOWN_ACTIONS.has(options.action)) {
          const near = closestMatch(options.action, KNOWN_ACTIONS.keys());
          ctx.out.warn(`"${options.action}" is not an action the schema knows; it is decided as Action::"unknown".${near ? ` Did you mean "${near}"?` : ''}`);
        }
        const request = await describedRequest({
          action: options.action,
          resource: options.resource,
          workspace: await workspaceOf(ctx, options.workspace),
          context: await parseContext(options.context ?? []),
          approved: options.approved === true,
          ...(principal ? { principal: { ...principal, ...(options.role ? { roles: options.role } : {}) } } : {}),
        });
        const engine = await app.policy();
        const { decision, cedar, policies } = engine.explain(request);
        const decidedBy = policies.map((p) => ({ id: p.id, effect: p.effect, origin: p.origin, source: p.source, line: p.position.line, column: p.position.column }));
        ctx.out.result({ effect: decision.effect, reason: decision.reason, rules: decision.rules ?? [], policies: decidedBy, request: cedar }, () => {
          const color = decision.effect === 'allow' ? 'green' : decision.effect === 'deny' ? 'red' : 'yellow';
          const label = decision.effect === 'approve' ? 'needs approval' : decision.effect;
          return [
            `${ctx.out.style(color, label)}  ${options.action}  ${cedar.resource}`,
            `  reason:     ${decision.reason}`,
            `  decided by: ${policies.length === 0 ? '(no policy permits it: denied by default)' : policies.map((p) => `${p.id} (${formatLocation(p.source, p.position)})`).join(', ')}`,
          ].join('\n');
        });
        return EXIT_CODES[decision.effect];
      }),
    );

  policy
    .command('test <file>')
    .description('run a YAML list of requests against the policies, each with its expected decision; exit 1 if any fails')
    .option('--workspace <dir>', 'the workspace the requests use (default: the current folder)')
    .action(
      runtime.action(async (ctx, file: string, options: { workspace?: string }) => {
        const [app, { describedRequest, parsePolicyTests, policyTestInvalidError }, { resolve }, { readFile }] = await Promise.all([
          ctx.app(),
          import('../../security/policy/index.js'),
          import('node:path'),
          import('node:fs/promises'),
        ]);
        const path = resolve(ctx.io.cwd, file);
        const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw policyTestInvalidError(file, undefined, error.code === 'ENOENT' ? 'the file does not exist.' : `the file cannot be read (${error.message}).`);
        });
        const cases = parsePolicyTests(file, text);
        const workspace = await workspaceOf(ctx, options.workspace);
        const engine = await app.policy();
        const results: TestResult[] = [];
        for (const testCase of cases) {
          const decision = await engine.decide(await describedRequest({ ...testCase.request, workspace }));
          const rules = decision.rules ?? [];
          const rulesMatch = testCase.rules === undefined || (testCase.rules.length === rules.length && testCase.rules.every((id) => rules.includes(id)));
          results.push({
            name: testCase.name,
            line: testCase.line,
            pass: decision.effect === testCase.expect && rulesMatch,
            expect: testCase.expect,
            effect: decision.effect,
            ...(testCase.rules ? { expect_rules: testCase.rules } : {}),
            rules,
            reason: decision.reason,
          });
        }
        const failed = results.filter((r) => !r.pass).length;
        ctx.out.result({ ok: failed === 0, passed: results.length - failed, failed, cases: results }, () =>
          [
            ...results.map((r) =>
              r.pass
                ? `${ctx.out.style('green', 'pass')}  ${r.name} → ${r.effect}`
                : `${ctx.out.style('red', 'FAIL')}  ${r.name} (${file}:${r.line}): expected ${r.expect}${r.expect_rules ? ` by ${r.expect_rules.join(', ')}` : ''}, got ${r.effect} by ${r.rules.length > 0 ? r.rules.join(', ') : 'no policy'}: ${r.reason}`,
            ),
            '',
            `${results.length - failed} passed, ${failed} failed`,
          ].join('\n'),
        );
        return failed === 0 ? 0 : 1;
      }),
    );

  return policy;
}
