import type { Command } from 'commander';
import type { CliRuntime } from '../runCli.js';

export function registerValidateCommand(program: Command, runtime: CliRuntime): Command {
  return program
    .command('validate <file>')
    .description('check a plan (.alt, YAML or JSON): prints "ok" and a summary, or every problem with file:line:column')
    .action(
      runtime.action(async (ctx, file: string) => {
        const [{ loadPlanFile, planOrder, planDepth }, { resolve }] = await Promise.all([import('../../formats/index.js'), import('node:path')]);
        // Problems are a PlanError, printed (with details.problems under --json) by the normal error path.
        const { plan, hash, id } = await loadPlanFile(resolve(ctx.io.cwd, file), { name: file });
        const order = planOrder(plan);
        const depth = planDepth(plan);
        const kinds: Record<string, number> = {};
        for (const task of plan.tasks) kinds[task.kind] = (kinds[task.kind] ?? 0) + 1;
        const count = plan.tasks.length;
        ctx.out.result({ ok: true, id, hash, tasks: count, kinds, depth, order }, () => {
          const kindList = Object.entries(kinds)
            .map(([kind, n]) => `${n} ${kind}`)
            .join(', ');
          return `${ctx.out.style('green', 'ok')} ${file}: ${count} task${count === 1 ? '' : 's'} (${kindList}), depth ${depth}, hash ${hash.slice(0, 12)}`;
        });
      }),
    );
}
