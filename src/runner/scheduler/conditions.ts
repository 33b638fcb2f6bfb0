import jsonata from 'jsonata';
import { PlanError } from '../../core/errors/index.js';

type Expression = ReturnType<typeof jsonata>;

/**
 * `when` conditions: JSONata over `{ inputs, tasks }`, cast with JSONata's own `$boolean` (false,
 * 0, "", null, an empty list and no result are false), each expression compiled once per run.
 */
export class Conditions {
  private readonly compiled = new Map<string, Expression>();
  private readonly cast = jsonata('$boolean($v)');

  async holds(taskId: string, expr: string, scope: { inputs: Record<string, unknown>; tasks: Record<string, { output: unknown }> }): Promise<boolean> {
    try {
      let compiled = this.compiled.get(expr);
      if (!compiled) {
        compiled = jsonata(expr);
        this.compiled.set(expr, compiled);
      }
      const value: unknown = await compiled.evaluate(scope);
      return (await this.cast.evaluate({}, { v: value })) === true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PlanError({
        code: 'LA_CONDITION_FAILED',
        category: 'permanent',
        message: `The condition (when) of task "${taskId}" could not be evaluated: ${reason}.`,
        suggestion: 'Fix the expression; `localagent validate` checks its syntax, but values of the wrong type only show when it runs.',
        details: { task: taskId },
        cause: error,
      });
    }
  }
}
