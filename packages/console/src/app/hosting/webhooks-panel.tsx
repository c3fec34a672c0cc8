import { useState } from 'preact/hooks';
import { amplify, webhookCurl, type App, type Branch, type Webhook } from '../api/amplify.ts';
import { Button, CopyButton, EmptyState, ErrorMessage, Field, Spinner } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';

/** Incoming webhooks: a URL that starts a build of one branch, for pipelines and scripts (`curl`). */
export function WebhooksPanel({ app, branches }: { app: App; branches: Branch[] }) {
  const webhooks = useLoad(() => amplify.listWebhooks(app.appId), [app.appId]);
  const [branchName, setBranchName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const chosen = branchName || branches[0]?.branchName || '';
  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await amplify.createWebhook(app.appId, { branchName: chosen, description: description.trim() || undefined });
      setDescription('');
      await webhooks.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Incoming webhooks</h2>
      {webhooks.loading && !webhooks.data && <Spinner label="Loading webhooks" />}
      <ErrorMessage error={webhooks.error} />
      {webhooks.data?.length === 0 && (
        <EmptyState title="No webhooks">
          <p>A webhook starts a build of its branch when called, e.g. from a pipeline after the backend deployed.</p>
        </EmptyState>
      )}
      <ul class="webhooks">
        {webhooks.data?.map((webhook) => <WebhookItem key={webhook.webhookId} webhook={webhook} onDeleted={webhooks.reload} />)}
      </ul>
      {branches.length === 0 ? (
        <p class="muted">Connect a branch first: a webhook builds one branch.</p>
      ) : (
        <form class="inline-form" onSubmit={create} aria-label="Create a webhook">
          <Field id="webhook-branch" label="Branch">
            <select id="webhook-branch" value={chosen} onChange={(e) => setBranchName((e.target as HTMLSelectElement).value)}>
              {branches.map((b) => <option key={b.branchName} value={b.branchName}>{b.branchName}</option>)}
            </select>
          </Field>
          <Field id="webhook-description" label="Description (optional)">
            <input id="webhook-description" value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
          </Field>
          <Button type="submit" busy={busy}>Create webhook</Button>
        </form>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}

function WebhookItem({ webhook, onDeleted }: { webhook: Webhook; onDeleted(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const curl = webhookCurl(webhook);
  const remove = async () => {
    if (!confirm(`Delete the webhook for ${webhook.branchName}? Anything calling its URL will stop starting builds.`)) return;
    setBusy(true);
    setError(undefined);
    try {
      await amplify.deleteWebhook(webhook.webhookId);
      await onDeleted();
    } catch (thrown) {
      setError(thrown as Error);
      setBusy(false);
    }
  };
  return (
    <li class="card webhook" data-webhook-id={webhook.webhookId}>
      <div class="webhook-head">
        <strong>{webhook.branchName}</strong> <span class="muted">{webhook.description}</span>
        <span class="spacer" />
        <CopyButton text={curl} label="Copy curl" />
        <Button variant="danger" busy={busy} onClick={remove}>Delete</Button>
      </div>
      <code class="curl" data-testid="webhook-curl">{curl}</code>
      <ErrorMessage error={error} />
    </li>
  );
}
