import { useState } from 'preact/hooks';
import { dataGraphql } from '../api/backends.ts';
import { Button, ErrorMessage, Field } from '../components/ui.tsx';
import { createMutation, editableFields, inputFrom, keyOf, keyText, textOf, updateMutation, type Item, type Model, type ModelField } from './model-fields.ts';

/**
 * Creates an item, or edits one (its key stays as it is). Each field is checked as its type before anything is
 * sent, and the message is shown at the field; the data API's own refusal is shown above the buttons.
 */
export function ItemForm({ target, model, item, onDone, onCancel }: {
  target: { apiId: string; stackName: string };
  model: Model;
  item?: Item;
  onDone(message: string): Promise<void>;
  onCancel(): void;
}) {
  const fields = editableFields(model, !!item);
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, item ? textOf(f, item[f.name]) : ''])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const title = item ? `Edit ${model.name} ${keyText(model, item)}` : `New ${model.name}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const read = inputFrom(fields, texts, !item);
    setErrors(read.errors);
    setError(undefined);
    const first = Object.keys(read.errors)[0];
    if (first) return void document.getElementById(`item-${first}`)?.focus();
    setBusy(true);
    try {
      if (item) {
        await dataGraphql(target, updateMutation(model), { input: { ...keyOf(model, item), ...read.input } });
        await onDone(`Saved ${keyText(model, item)}.`);
      } else {
        const data = await dataGraphql<Record<string, Item>>(target, createMutation(model), { input: read.input });
        await onDone(`Created ${keyText(model, data[`create${model.name}`] ?? {})}.`);
      }
    } catch (thrown) {
      setError(thrown as Error);
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-label={title} noValidate
      onKeyDown={(e) => { if (e.key === 'Escape') onCancel(); }}>
      <h3>{title}</h3>
      {fields.map((field, i) => (
        <Field key={field.name} id={`item-${field.name}`} label={`${field.name}${field.isRequired ? ' (required)' : ''}`} hint={hintOf(field)} error={errors[field.name]}>
          <FieldInput field={field} value={texts[field.name] ?? ''} invalid={!!errors[field.name]} autoFocus={i === 0}
            onInput={(value) => setTexts((t) => ({ ...t, [field.name]: value }))} />
        </Field>
      ))}
      <ErrorMessage error={error} />
      <div class="actions">
        <Button type="submit" busy={busy}>{item ? 'Save' : 'Create'}</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

function hintOf(field: ModelField): string {
  const type = field.enumValues ? `one of ${field.enumValues.join(', ')}` : field.type;
  return field.isArray ? `A JSON array of ${type}` : type;
}

function FieldInput({ field, value, invalid, autoFocus, onInput }: { field: ModelField; value: string; invalid: boolean; autoFocus: boolean; onInput(value: string): void }) {
  const id = `item-${field.name}`;
  const common = {
    id, autoFocus, 'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': invalid ? `${id}-error ${id}-hint` : `${id}-hint`, 'aria-required': field.isRequired ? ('true' as const) : undefined,
  };
  if (!field.isArray && (field.type === 'Boolean' || field.enumValues)) {
    const options = field.type === 'Boolean' ? ['true', 'false'] : field.enumValues!;
    return (
      <select {...common} value={value} onChange={(e) => onInput((e.target as HTMLSelectElement).value)}>
        <option value="">{field.isRequired ? 'Choose…' : '(none)'}</option>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  }
  if (field.isArray || field.type === 'AWSJSON') {
    return <textarea {...common} rows={3} spellcheck={false} value={value} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />;
  }
  const numeric = ['Int', 'Float', 'AWSTimestamp'].includes(field.type);
  return <input {...common} inputMode={numeric ? 'decimal' : undefined} spellcheck={false} autoComplete="off" value={value} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />;
}
