import { useState } from 'preact/hooks';
import { iam, pretty, type ManagedPolicy } from '../api/iam.ts';
import { Pager } from '../components/pager.tsx';
import { Button, EmptyState, ErrorMessage, Spinner } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { IamTabs } from './iam-tabs.tsx';

type Scope = 'All' | 'AWS' | 'Local';

/** Managed policies (ListPolicies with Scope, OnlyAttached and Marker), each one's document on request. */
export function PoliciesPage() {
  const [scope, setScope] = useState<Scope>('All');
  const [onlyAttached, setOnlyAttached] = useState(false);
  const paged = useTokenPages(async (marker) => {
    const page = await iam.listPolicies({ scope, onlyAttached, marker, maxItems: 50 });
    return { items: page.items, next: page.marker };
  }, [scope, onlyAttached]);
  const policies = paged.page;
  return (
    <main class="page">
      <div class="page-head"><h1>IAM</h1></div>
      <IamTabs current="policies" />
      <div class="inline-form filters" role="group" aria-label="Filters">
        <label class="field">
          <span>Type</span>
          <select value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value as Scope)}>
            <option value="All">All</option>
            <option value="AWS">AWS managed</option>
            <option value="Local">Customer managed</option>
          </select>
        </label>
        <label class="checkbox"><input type="checkbox" checked={onlyAttached} onChange={(e) => setOnlyAttached((e.target as HTMLInputElement).checked)} /> Only attached ones</label>
      </div>
      {policies.loading && !policies.data && <Spinner label="Loading policies" />}
      <ErrorMessage error={policies.error} />
      {policies.data?.items.length === 0 && paged.index === 0 && (
        <EmptyState title="No policies match">
          <p>Customer managed policies are created with <code>aws iam create-policy</code>; attach them, or AWS's, from a role's page.</p>
        </EmptyState>
      )}
      {policies.data && policies.data.items.length > 0 && (
        <table class="table" aria-label="Policies">
          <thead><tr><th>Policy</th><th>Attachments</th><th /></tr></thead>
          <tbody>{policies.data.items.map((p) => <PolicyRow key={p.arn} policy={p} />)}</tbody>
        </table>
      )}
      <Pager paged={paged} />
    </main>
  );
}

function PolicyRow({ policy }: { policy: ManagedPolicy }) {
  const [document, setDocument] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const toggle = async () => {
    if (document !== undefined) return setDocument(undefined);
    setBusy(true);
    setError(undefined);
    try {
      setDocument(pretty((await iam.getPolicyDocument(policy.arn)).document));
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>
        <strong>{policy.policyName}</strong>
        <div class="mono small muted">{policy.arn}</div>
        {policy.description && <div class="small">{policy.description}</div>}
        {document !== undefined && <pre class="policy-document">{document}</pre>}
        <ErrorMessage error={error} />
      </td>
      <td>{policy.attachmentCount}</td>
      <td><Button class="small" variant="secondary" busy={busy} aria-expanded={document !== undefined} onClick={toggle}>{document === undefined ? 'Show document' : 'Hide document'}</Button></td>
    </tr>
  );
}
