import type { PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';

/**
 * The context attributes a policy reads (`context.approved`, `context has mode`), from Cedar's
 * JSON form of it; `'all'` when it uses `context` as a whole value, which could read anything.
 */
export function contextAttributes(policy: PolicyJson): Set<string> | 'all' {
  const found = new Set<string>();
  let whole = false;
  const isContext = (node: unknown): boolean => typeof node === 'object' && node !== null && (node as { Var?: unknown }).Var === 'context';
  const visit = (node: unknown): void => {
    if (whole || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (isContext(node)) {
      whole = true;
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const access = key === '.' || key === 'has' ? (value as { left?: unknown; attr?: unknown }) : undefined;
      if (access && isContext(access.left)) {
        const attr = Array.isArray(access.attr) ? (access.attr[0] as unknown) : access.attr;
        if (typeof attr === 'string') found.add(attr);
        else whole = true;
      } else {
        visit(value);
      }
    }
  };
  visit(policy.conditions);
  return whole ? 'all' : found;
}

/** Whether a policy's conditions mention `principal`, `action`, `resource` or `context` at all. */
export function conditionsUse(policy: PolicyJson, variable: 'principal' | 'action' | 'resource' | 'context'): boolean {
  const visit = (node: unknown): boolean => {
    if (typeof node !== 'object' || node === null) return false;
    if (Array.isArray(node)) return node.some(visit);
    if ((node as { Var?: unknown }).Var === variable) return true;
    return Object.values(node).some(visit);
  };
  return visit(policy.conditions);
}
