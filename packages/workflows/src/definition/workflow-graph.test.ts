import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionsToSkip, buildWorkflowGraph, findDependencyCycle, readyActions, topologicalOrder, upstreamOf } from './workflow-graph.ts';

//   Build ─┬─► Staging ─► Gate ─► Production
//   Lint  ─┘                         ▲
//   Docs ────────────────────────────┘ (Docs independent of the rest otherwise)
const NAMES = ['Production', 'Gate', 'Staging', 'Build', 'Lint', 'Docs'];
const DEPS = { Production: ['Gate', 'Docs'], Gate: ['Staging'], Staging: ['Build', 'Lint'], Build: [], Lint: [], Docs: [] };

describe('workflow graph', () => {
  const graph = buildWorkflowGraph(NAMES, DEPS);

  it('orders actions after their dependencies, ties in file order', () => {
    assert.deepEqual(graph.order, ['Build', 'Lint', 'Staging', 'Gate', 'Docs', 'Production']);
    assert.deepEqual(graph.dependants.Staging, ['Gate']);
    assert.deepEqual(graph.dependants.Build, ['Staging']);
  });

  it('gives the actions ready to start', () => {
    assert.deepEqual(readyActions(graph, []), ['Build', 'Lint', 'Docs']);
    assert.deepEqual(readyActions(graph, ['Build'], ['Build', 'Lint', 'Docs']), []);
    assert.deepEqual(readyActions(graph, ['Build', 'Lint'], ['Build', 'Lint', 'Docs']), ['Staging']);
    assert.deepEqual(readyActions(graph, ['Build', 'Lint', 'Staging', 'Gate', 'Docs'], ['Build', 'Lint', 'Staging', 'Gate', 'Docs']), ['Production']);
  });

  it('gives the dependants to skip after a failure, transitively', () => {
    assert.deepEqual(actionsToSkip(graph, 'Lint'), ['Staging', 'Gate', 'Production']);
    assert.deepEqual(actionsToSkip(graph, 'Docs'), ['Production']);
    assert.deepEqual(actionsToSkip(graph, 'Production'), []);
    assert.deepEqual(actionsToSkip(graph, ['Docs', 'Gate']), ['Production']);
  });

  it('gives everything upstream of an action', () => {
    assert.deepEqual([...upstreamOf(graph, 'Gate')].sort(), ['Build', 'Lint', 'Staging']);
  });

  it('finds and names cycles', () => {
    assert.equal(findDependencyCycle(NAMES, DEPS), undefined);
    assert.deepEqual(findDependencyCycle(['A', 'B', 'C'], { A: ['B'], B: ['C'], C: ['A'] }), ['A', 'B', 'C', 'A']);
    assert.deepEqual(findDependencyCycle(['A'], { A: ['A'] }), ['A', 'A']);
    assert.throws(() => buildWorkflowGraph(['A', 'B'], { A: ['B'], B: ['A'] }), /cycle: A → B → A/);
    assert.throws(() => topologicalOrder(['A', 'B'], { A: ['B'], B: ['A'] }), /cycle/);
  });
});
