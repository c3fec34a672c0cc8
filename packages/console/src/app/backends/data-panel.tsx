import { useMemo, useState } from 'preact/hooks';
import { dataGraphql, type Stack } from '../api/backends.ts';
import { Pager } from '../components/pager.tsx';
import { Button, EmptyState, ErrorMessage, Field, Spinner } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { ItemForm } from './item-form.tsx';
import { deleteMutation, filterFrom, filterOperators, keyOf, keyText, listQuery, modelsOf, textOf, type Item, type Model, type ModelIntrospection } from './model-fields.ts';
import { backendPaths } from './paths.ts';

const PAGE_SIZE = 20;
const GRAPHQL_OUTPUT_KEY = 'AWS::Amplify::GraphQL';

/** The stack's data API: its models (from the deployed model introspection), and the items of one of them. */
export function DataPanel({ stack, modelName }: { stack: Stack; modelName?: string }) {
  const payload = stack.outputs[GRAPHQL_OUTPUT_KEY]?.payload;
  const models = useMemo(() => {
    try {
      return modelsOf(payload?.amplifyApiModelIntrospection ? (JSON.parse(payload.amplifyApiModelIntrospection) as ModelIntrospection) : undefined);
    } catch {
      return [];
    }
  }, [payload?.amplifyApiModelIntrospection]);
  if (!payload?.awsAppsyncApiId) {
    return (
      <EmptyState title="No data API">
        <p>This backend has no data resource. Add <code>defineData</code> to <code>amplify/data/resource.ts</code> and deploy again.</p>
      </EmptyState>
    );
  }
  const target = { apiId: payload.awsAppsyncApiId, stackName: stack.stackName };
  const model = models.find((m) => m.name === modelName) ?? models[0];
  return (
    <section aria-labelledby="data-heading">
      <h2 id="data-heading">Data <small class="muted mono">{target.apiId}</small></h2>
      {models.length === 0 && <p class="muted">The data API has no models.</p>}
      <nav class="tabs" aria-label="Models">
        {models.map((m) => (
          <a key={m.name} href={backendPaths.model(stack.stackName, m.name)} class={`tab${m === model ? ' active' : ''}`} aria-current={m === model ? 'page' : undefined}>{m.name}</a>
        ))}
      </nav>
      {model && <ModelItems key={`${target.apiId}/${model.name}`} target={target} model={model} />}
    </section>
  );
}

type Editing = { mode: 'create' } | { mode: 'edit'; item: Item } | undefined;

function ModelItems({ target, model }: { target: { apiId: string; stackName: string }; model: Model }) {
  const [filter, setFilter] = useState<Item | undefined>();
  const [editing, setEditing] = useState<Editing>();
  const [saved, setSaved] = useState<string | undefined>();
  const paged = useTokenPages(async (token) => {
    const data = await dataGraphql<Record<string, { items: Item[]; nextToken?: string | null }>>(target, listQuery(model), { filter: filter ?? null, limit: PAGE_SIZE, nextToken: token ?? null });
    const list = data[`list${model.pluralName}`]!;
    return { items: list.items, next: list.nextToken ?? undefined };
  }, [target.apiId, model.name, JSON.stringify(filter ?? null)]);
  const { page } = paged;
  const shown = model.fields;
  const done = async (message: string) => {
    setEditing(undefined);
    setSaved(message);
    await page.reload();
  };
  return (
    <div>
      <FilterForm model={model} onApply={(f) => { setSaved(undefined); setFilter(f); }} />
      <div class="actions">
        <Button onClick={() => { setSaved(undefined); setEditing({ mode: 'create' }); }} disabled={editing?.mode === 'create'}>Create {model.name}</Button>
        {page.loading && page.data && <Spinner label="Refreshing items" />}
        {saved && <span class="success" role="status">{saved}</span>}
      </div>
      {editing && (
        <ItemForm key={editing.mode === 'edit' ? keyText(model, editing.item) : 'new'} target={target} model={model} item={editing.mode === 'edit' ? editing.item : undefined}
          onDone={done} onCancel={() => setEditing(undefined)} />
      )}
      {page.loading && !page.data && <Spinner label={`Loading ${model.pluralName}`} />}
      <ErrorMessage error={page.error} />
      {page.data && page.data.items.length === 0 && (
        <EmptyState title={filter ? `No ${model.pluralName} match the filter on this page` : `No ${model.pluralName} yet`}>
          <p>{filter ? 'Change the filter, clear it, or look at the next page.' : `Create one here, or from the app with client.models.${model.name}.create().`}</p>
        </EmptyState>
      )}
      {page.data && page.data.items.length > 0 && (
        <table class="table" aria-label={`${model.name} items`}>
          <thead><tr>{shown.map((f) => <th key={f.name}>{f.name}</th>)}<th>Actions</th></tr></thead>
          <tbody>
            {page.data.items.map((item) => (
              <ItemRow key={keyText(model, item)} target={target} model={model} item={item} onEdit={() => { setSaved(undefined); setEditing({ mode: 'edit', item }); }} onDeleted={() => done(`Deleted ${keyText(model, item)}.`)} />
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
    </div>
  );
}

function ItemRow({ target, model, item, onEdit, onDeleted }: { target: { apiId: string; stackName: string }; model: Model; item: Item; onEdit(): void; onDeleted(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const name = keyText(model, item);
  const remove = async () => {
    if (!confirm(`Delete ${model.name} ${name}? This cannot be undone.`)) return;
    setBusy(true);
    setError(undefined);
    try {
      await dataGraphql(target, deleteMutation(model), { input: keyOf(model, item) });
      await onDeleted();
    } catch (thrown) {
      setError(thrown as Error);
      setBusy(false);
    }
  };
  return (
    <tr data-item={name}>
      {model.fields.map((f) => <td key={f.name} class={model.key.includes(f.name) || f.readOnly ? 'mono small' : undefined}>{textOf(f, item[f.name])}</td>)}
      <td>
        <span class="actions">
          <Button variant="secondary" class="small" onClick={onEdit} aria-label={`Edit ${name}`}>Edit</Button>
          <Button variant="danger" class="small" busy={busy} onClick={remove} aria-label={`Delete ${name}`}>Delete</Button>
        </span>
        <ErrorMessage error={error} />
      </td>
    </tr>
  );
}

/** One condition on one field, applied to the list (`filter` of list<Plural>); the value is checked as the field's type. */
function FilterForm({ model, onApply }: { model: Model; onApply(filter: Item | undefined): void }) {
  const [fieldName, setFieldName] = useState(model.fields.find((f) => !model.key.includes(f.name))?.name ?? model.fields[0]?.name ?? '');
  const field = model.fields.find((f) => f.name === fieldName);
  const operators = filterOperators(field);
  const [operator, setOperator] = useState('eq');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const chosen = operators.includes(operator) ? operator : operators[0]!;
  const apply = (event: Event) => {
    event.preventDefault();
    if (!field) return;
    const result = filterFrom(field, chosen, value);
    if ('error' in result) return setError(result.error);
    setError(undefined);
    onApply(result.filter);
  };
  return (
    <form class="inline-form filters" onSubmit={apply} aria-label="Filter items">
      <Field id="filter-field" label="Field">
        <select id="filter-field" value={fieldName} onChange={(e) => setFieldName((e.target as HTMLSelectElement).value)}>
          {model.fields.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
        </select>
      </Field>
      <Field id="filter-operator" label="Condition">
        <select id="filter-operator" value={chosen} onChange={(e) => setOperator((e.target as HTMLSelectElement).value)}>
          {operators.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      </Field>
      <Field id="filter-value" label="Value" error={error}>
        <input id="filter-value" value={value} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'filter-value-error' : undefined}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      </Field>
      <Button type="submit" variant="secondary">Apply filter</Button>
      <Button type="button" variant="secondary" onClick={() => { setValue(''); setError(undefined); onApply(undefined); }}>Clear</Button>
    </form>
  );
}
