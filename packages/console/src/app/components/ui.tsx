import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { JobStatus } from '../api/amplify.ts';

/** An indeterminate progress mark, announced to screen readers. */
export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span class="spinner" role="status" aria-label={label} />;
}

/** A button that shows progress and cannot be pressed twice while its action runs. */
export function Button({ busy, children, variant = 'primary', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; variant?: 'primary' | 'secondary' | 'danger' }) {
  return (
    <button {...props} class={`button ${variant}${props.class ? ` ${String(props.class)}` : ''}`} disabled={busy || props.disabled} aria-busy={busy ? 'true' : undefined}>
      {busy && <Spinner label="Working" />}
      {children}
    </button>
  );
}

/** An error as the API worded it, where it happened. */
export function ErrorMessage({ error }: { error: Error | string | undefined }) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : error.message;
  const code = typeof error === 'string' ? undefined : (error as { code?: string }).code;
  return (
    <p class="error" role="alert">
      {code && code !== 'Error' && <strong>{code}: </strong>}
      {message}
    </p>
  );
}

/** A labelled form field; the label and error are tied to the input for assistive technology. */
export function Field({ label, hint, error, id, children }: { label: string; hint?: string; error?: string; id: string; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && <small class="field-error" id={`${id}-error`} role="alert">{error}</small>}
    </div>
  );
}

/** What a list shows when it has nothing yet: what it is and what to do next. */
export function EmptyState({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function StatusBadge({ status }: { status: JobStatus | string }) {
  return <span class={`badge status-${status.toLowerCase()}`} data-status={status}>{status}</span>;
}

/** Copies text to the clipboard; the text itself stays visible and selectable for when the clipboard is refused. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(undefined), 2000);
  };
  return (
    <button type="button" class="button secondary small" onClick={copy} aria-live="polite">
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Select and copy' : label}
    </button>
  );
}

/** Epoch seconds (the Amplify API's times) or an ISO string, in the user's locale. */
export function Time({ value }: { value: number | string | undefined }) {
  if (value === undefined || value === '') return <span>—</span>;
  const date = typeof value === 'number' ? new Date(value < 1e11 ? value * 1000 : value) : new Date(value);
  return <time dateTime={date.toISOString()} title={date.toISOString()}>{date.toLocaleString()}</time>;
}
