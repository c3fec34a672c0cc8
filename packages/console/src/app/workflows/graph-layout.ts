import { graphlib, layout } from '@dagrejs/dagre';

/** A laid-out workflow graph: node boxes and edge polylines, in SVG user units. */
export interface GraphLayout {
  width: number;
  height: number;
  nodes: Array<{ name: string; x: number; y: number; width: number; height: number }>;
  edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }> }>;
}

export const NODE_HEIGHT = 54;
const MARGIN = 16;

/** The box an action gets: wide enough for its name (and its kind underneath) in the graph's font. */
export const nodeWidth = (name: string, subtitle: string) => Math.max(150, Math.min(320, 24 + 8.2 * Math.max(name.length, subtitle.length * 0.85)));

/**
 * Lays out actions left to right by their dependencies (dagre's layered layout): every action after all it
 * waits for. Loaded only by the pages that draw a graph.
 */
export function layoutGraph(actions: Array<{ name: string; subtitle: string; dependsOn: string[] }>): GraphLayout {
  const g = new graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(actions.map((a) => a.name));
  for (const a of actions) g.setNode(a.name, { width: nodeWidth(a.name, a.subtitle), height: NODE_HEIGHT });
  for (const a of actions) for (const dep of a.dependsOn) if (names.has(dep)) g.setEdge(dep, a.name);
  layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: actions.map((a) => {
      const n = g.node(a.name);
      return { name: a.name, x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
    }),
    edges: g.edges().map((e: { v: string; w: string }) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] })),
  };
}
