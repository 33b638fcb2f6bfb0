import type { Command } from 'commander';
import type { CliRuntime } from '../runCli.js';

export function registerFeedbackCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('feedback <run>')
    .description("rate a finished run (or one task of it) from 1 to 5; the archive's statistics and model selection take it into account")
    .requiredOption('--rating <n>', '1 (useless) to 5 (exactly right)')
    .option('--comment <text>', 'what was good or wrong')
    .option('--task <id>', 'rate this task only, not the whole run')
    .action(
      runtime.action(async (ctx, runId: string, options: { rating: string; comment?: string; task?: string }) => {
        const { UsageError } = await import('../../core/errors/index.js');
        const rating = /^[1-5]$/.test(options.rating.trim()) ? Number(options.rating.trim()) : undefined;
        if (rating === undefined) throw new UsageError({ message: `--rating "${options.rating}" is not a whole number from 1 to 5.`, suggestion: 'Rate with --rating 1 (useless) to 5 (exactly right).' });
        const [app, { masterPasswordSource }] = await Promise.all([ctx.app(), import('../masterPassword.js')]);
        const archive = await app.archive({ getMasterPassword: masterPasswordSource(ctx) });
        const by = ctx.io.env.USER ?? ctx.io.env.USERNAME;
        const updated = await archive.feedback(runId, { rating, comment: options.comment, task: options.task, by });
        const ratings = updated.record.feedback.map((f) => f.rating);
        const mean = ratings.reduce((s, r) => s + r, 0) / ratings.length;
        ctx.out.result(updated, () => `Rated ${options.task ? `task ${options.task} of ` : ''}${runId}: ${rating}/5. The run has ${ratings.length} rating${ratings.length === 1 ? '' : 's'}, mean ${mean.toFixed(1)}.`);
      }),
    );
}
