/**
 * The dependency graph between a workflow's actions: building it, finding cycles, ordering, and the questions a
 * run asks while it executes (which actions can start now, which ones to skip after a failure).
 *
 * Actions are named by their (workflow-unique) names. An action waits for the success of every action it depends
 * on; when one fails, every action downstream of it is skipped.
 */
import type { WorkflowGraph } from './workflow-types.ts';

/**
 * Builds the graph from each action's dependencies. `names` gives the file order, used to break ties so the
 * order is stable. Dependencies on names not in `names` are ignored (the parser reports them).
 * @throws Error when the dependencies have a cycle (`findDependencyCycle` first to report it nicely)
 */
export function buildWorkflowGraph(names: readonly string[], dependencies: Readonly<Record<string, readonly string[]>>): WorkflowGraph {
  const known = new Set(names);
  const deps: Record<string, string[]> = {};
  const dependants: Record<string, string[]> = {};
  for (const name of names) {
    deps[name] = [...new Set(dependencies[name] ?? [])].filter((d) => known.has(d)).sort();
    dependants[name] = [];
  }
  for (const name of names) for (const dep of deps[name]!) dependants[dep]!.push(name);
  const cycle = findDependencyCycle(names, deps);
  if (cycle) throw new Error(`the actions depend on each other in a cycle: ${cycle.join(' → ')}`);
  return { order: topologicalOrder(names, deps), dependencies: deps, dependants };
}

/**
 * A cycle in the dependencies, as the list of actions around it with the first repeated at the end
 * (`['A', 'B', 'A']`), or `undefined` when there is none. Checks actions in the order of `names`.
 */
export function findDependencyCycle(names: readonly string[], dependencies: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const seen = state.get(name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of dependencies[name] ?? []) {
      if (!names.includes(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Every action with its dependencies before it; among actions free at the same time, file order. Assumes no cycle.
 */
export function topologicalOrder(names: readonly string[], dependencies: Readonly<Record<string, readonly string[]>>): string[] {
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((name) => !placed.has(name) && (dependencies[name] ?? []).every((d) => placed.has(d) || !names.includes(d)));
    if (next === undefined) throw new Error('the dependencies have a cycle');
    placed.add(next);
    order.push(next);
  }
  return order;
}

/**
 * The actions that can start now: not succeeded, not already started (in any state), and every dependency
 * succeeded. In the graph's topological order.
 * @param succeeded the actions that finished successfully
 * @param started the actions already started or finished in any state (running, failed, skipped, stopped…)
 * @example readyActions(graph, ['DeployStaging'], ['DeployStaging']) // ['DeployProduction']
 */
export function readyActions(graph: WorkflowGraph, succeeded: Iterable<string>, started: Iterable<string> = []): string[] {
  const ok = new Set(succeeded);
  const taken = new Set(started);
  return graph.order.filter(
    (name) => !ok.has(name) && !taken.has(name) && (graph.dependencies[name] ?? []).every((dep) => ok.has(dep)),
  );
}

/**
 * The actions to skip because `failed` did not succeed: everything downstream of it, directly or not, in
 * topological order.
 */
export function actionsToSkip(graph: WorkflowGraph, failed: string | Iterable<string>): string[] {
  const seeds = typeof failed === 'string' ? [failed] : [...failed];
  const reached = new Set<string>();
  const queue = [...seeds];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const dependant of graph.dependants[current] ?? []) {
      if (!reached.has(dependant)) {
        reached.add(dependant);
        queue.push(dependant);
      }
    }
  }
  for (const seed of seeds) reached.delete(seed);
  return graph.order.filter((name) => reached.has(name));
}

/** Every action `name` waits for, directly or not. */
export function upstreamOf(graph: WorkflowGraph, name: string): Set<string> {
  const reached = new Set<string>();
  const queue = [...(graph.dependencies[name] ?? [])];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (reached.has(current)) continue;
    reached.add(current);
    queue.push(...(graph.dependencies[current] ?? []));
  }
  return reached;
}
