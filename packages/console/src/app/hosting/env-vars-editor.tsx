import { Button } from '../components/ui.tsx';

export type EnvRow = { name: string; value: string };

export const toRows = (vars: Record<string, string> | undefined): EnvRow[] => Object.entries(vars ?? {}).map(([name, value]) => ({ name, value }));
export const toVars = (rows: EnvRow[]): Record<string, string> => Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.value]));

/** Environment variables as editable rows; the API checks names and reserved variables when saving. */
export function EnvVarsEditor({ rows, onChange }: { rows: EnvRow[]; onChange(rows: EnvRow[]): void }) {
  const set = (i: number, patch: Partial<EnvRow>) => onChange(rows.map((r, j) => (i === j ? { ...r, ...patch } : r)));
  return (
    <fieldset class="env-vars">
      <legend>Environment variables</legend>
      {rows.length === 0 && <p class="muted">None. Builds and compute servers see the variables set here.</p>}
      {rows.map((row, i) => (
        <div class="env-row" key={i}>
          <input aria-label={`Variable ${i + 1} name`} placeholder="NAME" value={row.name} spellcheck={false} onInput={(e) => set(i, { name: (e.target as HTMLInputElement).value })} />
          <input aria-label={`Variable ${i + 1} value`} placeholder="value" value={row.value} spellcheck={false} onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })} />
          <Button type="button" variant="secondary" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove variable ${i + 1}`}>Remove</Button>
        </div>
      ))}
      <Button type="button" variant="secondary" onClick={() => onChange([...rows, { name: '', value: '' }])}>Add variable</Button>
    </fieldset>
  );
}
