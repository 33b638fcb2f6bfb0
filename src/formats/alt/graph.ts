/**
 * The task graph: tasks are numbered by their place in the file, and `needs[i]` lists the tasks
 * task `i` needs. Everything here is iterative and linear (or n log n), so a 10,000-task plan,
 * deep or wide, costs milliseconds and never overflows the call stack.
 */
import { PlanError } from '../../core/errors/index.js';
import type { AltPlan } from './schema.js';
import { IndexHeap } from '../../core/collections/index.js';

/** For each task, the tasks it needs (by index), without duplicates or self-references. */
export type NeedsGraph = readonly (readonly number[])[];

/**
 * The strongly connected components with more than one task (Tarjan's algorithm with an explicit
 * stack). Every cycle lies inside one of them; each is listed in file order.
 */
export function cyclicComponents(graph: NeedsGraph): number[][] {
  const n = graph.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const nextEdge = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const calls: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    calls.push(v);
  };
  for (let root = 0; root < n; root += 1) {
    if (index[root] !== -1) continue;
    visit(root);
    while (calls.length > 0) {
      const v = calls[calls.length - 1] as number;
      const edges = graph[v] ?? [];
      const e = nextEdge[v] as number;
      if (e < edges.length) {
        nextEdge[v] = e + 1;
        const w = edges[e] as number;
        if (index[w] === -1) visit(w);
        else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      calls.pop();
      const parent = calls[calls.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[v] as number);
      if (low[v] === index[v]) {
        const component: number[] = [];
        for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
          onStack[w] = 0;
          component.push(w);
          if (w === v) break;
        }
        if (component.length > 1) components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components.sort((a, b) => (a[0] as number) - (b[0] as number));
}

/**
 * One shortest cycle through the first task of a component: `[a, b, c]` means a needs b, b needs c
 * and c needs a. Breadth-first within the component, so the cycle printed is as short as it gets.
 */
export function cycleThrough(graph: NeedsGraph, component: readonly number[]): number[] {
  const start = component[0] as number;
  const inComponent = new Set(component);
  const parent = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const v = queue[head] as number;
    for (const w of graph[v] ?? []) {
      if (w === start) {
        const cycle: number[] = [];
        for (let at = v; at !== -1; at = parent.get(at) ?? -1) cycle.push(at);
        return cycle.reverse();
      }
      if (inComponent.has(w) && !parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  // Unreachable for a real component (every member reaches every other); kept total for safety.
  return [start];
}

/**
 * Kahn's algorithm with a ready-queue ordered by priority (highest first) then file order, so the
 * order is stable and matches what the scheduler prefers. `undefined` when there is a cycle.
 * `depth` is the number of tasks on the longest chain of needs.
 */
export function topologicalOrder(graph: NeedsGraph, priorities: readonly number[]): { order: number[]; depth: number } | undefined {
  const n = graph.length;
  const waiting = new Int32Array(n);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  graph.forEach((needs, v) => {
    waiting[v] = needs.length;
    for (const u of needs) dependents[u]?.push(v);
  });
  const before = (a: number, b: number): boolean => {
    const pa = priorities[a] ?? 0;
    const pb = priorities[b] ?? 0;
    return pa === pb ? a < b : pa > pb;
  };
  const heap = new IndexHeap(before);
  for (let v = 0; v < n; v += 1) if (waiting[v] === 0) heap.push(v);
  const order: number[] = [];
  const level = new Int32Array(n);
  let depth = 0;
  for (let v = heap.pop(); v !== undefined; v = heap.pop()) {
    order.push(v);
    const mine = (level[v] as number) + 1;
    depth = Math.max(depth, mine);
    for (const w of dependents[v] ?? []) {
      level[w] = Math.max(level[w] as number, mine);
      waiting[w] = (waiting[w] as number) - 1;
      if (waiting[w] === 0) heap.push(w);
    }
  }
  return order.length === n ? { order, depth } : undefined;
}

/** The graph of a validated plan; throws when it is not a DAG (a plan built in code, not parsed). */
function graphOf(plan: AltPlan): { graph: number[][]; priorities: number[] } {
  const indexById = new Map<string, number>();
  plan.tasks.forEach((task, i) => {
    if (!indexById.has(task.id)) indexById.set(task.id, i);
  });
  const graph = plan.tasks.map((task) => {
    const needs = new Set<number>();
    for (const id of task.needs ?? []) {
      const u = indexById.get(id);
      if (u === undefined || id === task.id) {
        throw new PlanError({
          message: `Task "${task.id}" needs ${u === undefined ? `"${id}", which is not in the plan` : 'itself'}.`,
          details: { task: task.id, need: id },
        });
      }
      needs.add(u);
    }
    return [...needs];
  });
  return { graph, priorities: plan.tasks.map((task) => task.priority ?? 0) };
}

function orderOf(plan: AltPlan): { order: number[]; depth: number } {
  const { graph, priorities } = graphOf(plan);
  const sorted = topologicalOrder(graph, priorities);
  if (sorted) return sorted;
  const cycle = cycleThrough(graph, cyclicComponents(graph)[0] ?? [0]).map((i) => plan.tasks[i]?.id ?? String(i));
  throw new PlanError({
    message: `The plan's needs form a cycle: ${[...cycle, cycle[0]].join(' → ')}.`,
    details: { cycle },
  });
}

/**
 * The task ids in an order they can run one after another: every task after all it needs; among
 * tasks ready together, higher `priority` first, then file order. Deterministic for a given plan.
 */
export function planOrder(plan: AltPlan): string[] {
  return orderOf(plan).order.map((i) => plan.tasks[i]?.id ?? '');
}

/** The number of tasks on the plan's longest chain of needs: how many waves a fully parallel run takes. */
export function planDepth(plan: AltPlan): number {
  return orderOf(plan).depth;
}
