import { useEffect, useState } from 'preact/hooks';
import type { ActionStatus, GraphAction } from '../api/codecatalyst.ts';
import { ErrorMessage, Spinner } from '../components/ui.tsx';
import type { GraphLayout } from './graph-layout.ts';

const KIND_LABEL: Record<string, string> = { build: 'build', 'managed-test': 'test', approval: 'approval gate', unsupported: 'not runnable here' };

/**
 * The visual graph of a workflow's actions and their `DependsOn`, as SVG. With `statuses` (a run), each action
 * is coloured by its status. The layout library is fetched the first time a graph is drawn.
 */
export function WorkflowGraph({ actions, statuses, selected, onSelect }: {
  actions: GraphAction[];
  statuses?: Record<string, ActionStatus | undefined>;
  selected?: string;
  onSelect?: (name: string) => void;
}) {
  const [laid, setLaid] = useState<GraphLayout | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const key = JSON.stringify(actions.map((a) => [a.name, a.kind, a.dependsOn]));
  useEffect(() => {
    let current = true;
    import('./graph-layout.ts').then(
      ({ layoutGraph }) => current && setLaid(layoutGraph(actions.map((a) => ({ name: a.name, subtitle: subtitle(a), dependsOn: a.dependsOn })))),
      (thrown: Error) => current && setError(thrown),
    );
    return () => void (current = false);
  }, [key]);
  if (error) return <ErrorMessage error={`The graph could not be drawn: ${error.message}`} />;
  if (actions.length === 0) return <p class="muted">No actions to draw.</p>;
  if (!laid) return <div class="graph"><Spinner label="Drawing the graph" /></div>;
  const byName = new Map(actions.map((a) => [a.name, a]));
  return (
    <div class="graph" data-testid="workflow-graph">
      <svg viewBox={`0 0 ${laid.width} ${laid.height}`} width={laid.width} height={laid.height} role="img" aria-label={`Workflow graph: ${actions.map((a) => a.name).join(', ')}`}>
        <defs>
          <marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="graph-arrow" />
          </marker>
        </defs>
        {laid.edges.map((e) => (
          <path key={`${e.from}->${e.to}`} class="graph-edge" data-edge={`${e.from}->${e.to}`} marker-end="url(#graph-arrow)"
            d={e.points.map((p, i) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ')} />
        ))}
        {laid.nodes.map((n) => {
          const action = byName.get(n.name)!;
          const status = statuses?.[n.name];
          const cls = `graph-node${status ? ` status-${status.toLowerCase()}` : ''}${action.kind === 'approval' ? ' gate' : ''}${selected === n.name ? ' selected' : ''}`;
          const select = onSelect ? () => onSelect(n.name) : undefined;
          return (
            <g key={n.name} class={cls} transform={`translate(${n.x.toFixed(1)} ${n.y.toFixed(1)})`} data-testid={`graph-node-${n.name}`} data-status={status}
              {...(select ? {
                tabindex: 0, role: 'button', 'aria-label': `${n.name}${status ? `, ${status}` : ''}`, 'aria-pressed': selected === n.name,
                onClick: select, onKeyDown: (e: KeyboardEvent) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), select()),
              } : {})}>
              <rect width={n.width} height={n.height} rx="8" />
              <text x="12" y="22" class="graph-name">{n.name}</text>
              <text x="12" y="41" class="graph-sub">{status ? status.replace(/_/g, ' ').toLowerCase() : subtitle(action)}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

const subtitle = (a: GraphAction) => `${KIND_LABEL[a.kind] ?? a.kind}${a.environment ? ` · ${a.environment}` : ''}`;
