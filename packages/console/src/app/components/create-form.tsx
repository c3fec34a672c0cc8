import { useState } from 'preact/hooks';
import { Button, ErrorMessage, Field } from './ui.tsx';

/**
 * A one-field create form (a space, a project, a repository): the API's refusal is shown at the field, and
 * the field keeps what was typed so it can be corrected.
 */
export function CreateForm({ id, label, button, hint, onCreate }: {
  id: string;
  label: string;
  button: string;
  hint?: string;
  onCreate: (name: string) => Promise<unknown>;
}) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onCreate(name.trim());
      setName('');
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={button}>
      <Field id={id} label={label} hint={hint}>
        <input id={id} required value={name} maxLength={100} spellcheck={false} autoComplete="off" aria-invalid={error ? 'true' : undefined}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <ErrorMessage error={error} />
      </Field>
      <Button type="submit" busy={busy}>{button}</Button>
    </form>
  );
}
