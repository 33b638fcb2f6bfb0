import jsonata from 'jsonata';

/** A task output or input that an expression reads by a plain path from the root (`tasks.build.output…`). */
export interface ExpressionRef {
  root: 'inputs' | 'tasks';
  /** The input's name or the task's id. */
  name: string;
  /** Character offset in the expression, as JSONata reports it. */
  position: number;
}

export interface ExpressionCheck {
  /** Set when the expression does not parse. */
  error?: { message: string; position?: number };
  refs: ExpressionRef[];
}

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  expressions?: AstNode[];
  arguments?: AstNode[];
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  expression?: AstNode;
}

/**
 * Parses a JSONata expression (`when`, `transform.expr`) without evaluating it, and lists the
 * `inputs.<name>` and `tasks.<id>` it reads at the top level. Paths inside predicates, lambdas and
 * later steps are relative to another context, so they are left alone rather than guessed at.
 */
export function checkExpression(expr: string): ExpressionCheck {
  let ast: AstNode;
  try {
    ast = jsonata(expr).ast() as AstNode;
  } catch (error) {
    const { message, position } = error as { message?: string; position?: number };
    return { error: { message: message ?? String(error), ...(typeof position === 'number' ? { position } : {}) }, refs: [] };
  }
  const refs: ExpressionRef[] = [];
  // An explicit stack: expressions are at most 2,000 characters, but a deep one must not blow the call stack.
  const stack: AstNode[] = [ast];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    switch (node.type) {
      case 'path': {
        const [first, second] = node.steps ?? [];
        if (first?.type === 'name' && second?.type === 'name' && (first.value === 'inputs' || first.value === 'tasks')) {
          refs.push({ root: first.value, name: String(second.value), position: second.position ?? 0 });
        }
        break;
      }
      case 'binary':
      case 'apply':
        if (node.lhs && !Array.isArray(node.lhs)) stack.push(node.lhs);
        if (node.rhs) stack.push(node.rhs);
        break;
      case 'bind':
        if (node.rhs) stack.push(node.rhs);
        break;
      case 'condition':
        for (const child of [node.condition, node.then, node.else]) if (child) stack.push(child);
        break;
      case 'function':
      case 'partial':
        stack.push(...(node.arguments ?? []));
        break;
      case 'block':
        stack.push(...(node.expressions ?? []));
        break;
      case 'unary':
        if (node.value === '[') stack.push(...(node.expressions ?? []));
        else if (node.value === '{' && Array.isArray(node.lhs)) for (const pair of node.lhs) stack.push(...pair);
        else if (node.expression) stack.push(node.expression);
        break;
      default:
        break;
    }
  }
  // The stack visits right to left; report in the order they are written.
  return { refs: refs.sort((a, b) => a.position - b.position) };
}
