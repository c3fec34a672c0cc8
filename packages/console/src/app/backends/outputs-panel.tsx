import { backends, type Stack } from '../api/backends.ts';
import { CopyButton, ErrorMessage, Spinner } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';

/** The stack's amplify_outputs.json (GetOutputs), to read, copy or download for an app's frontend. */
export function OutputsPanel({ stack }: { stack: Stack }) {
  const outputs = useLoad(() => backends.getOutputs(stack.stackName), [stack.stackName, stack.lastDeploymentId]);
  const text = outputs.data ? `${JSON.stringify(outputs.data, null, 2)}\n` : '';
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: 'amplify_outputs.json' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section aria-labelledby="outputs-heading">
      <div class="page-head">
        <h2 id="outputs-heading">amplify_outputs.json</h2>
        {outputs.data && (
          <span class="actions">
            <CopyButton text={text} />
            <button type="button" class="button primary" onClick={download}>Download amplify_outputs.json</button>
          </span>
        )}
      </div>
      <p class="muted">What <code>npx ampx generate outputs</code> writes for this backend: the frontend's <code>Amplify.configure()</code> reads it.</p>
      {outputs.loading && !outputs.data && <Spinner label="Loading outputs" />}
      <ErrorMessage error={outputs.error} />
      {outputs.data && <pre class="log-text" data-testid="outputs-json" tabIndex={0}>{text}</pre>}
    </section>
  );
}
