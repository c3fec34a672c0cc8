import { useMemo } from 'preact/hooks';
import { policyErrorPosition } from '../api/iam.ts';
import { CodeEditor, type EditorIssue } from '../components/code-editor.tsx';
import { ErrorMessage } from '../components/ui.tsx';

/**
 * A policy document in the JSON editor. It is checked where IAM checks it, when it is saved: a
 * `MalformedPolicyDocument` refusal names a line and column, and the editor marks that place with IAM's words.
 */
export function PolicyEditor({ label, text, error, onChange, testId }: { label: string; text: string; error?: Error; onChange(text: string): void; testId?: string }) {
  const issues = useMemo<EditorIssue[]>(() => {
    const at = policyErrorPosition(error);
    return at && error ? [{ ...at, message: error.message, severity: 'error' }] : [];
  }, [error]);
  const at = policyErrorPosition(error);
  return (
    <div class="policy-editor">
      <CodeEditor text={text} language="json" label={label} issues={issues} onChange={onChange} testId={testId} />
      {at && <p class="muted small" data-testid="policy-error-at">IAM refused the document at line {at.line}, column {at.column}.</p>}
      <ErrorMessage error={error} />
    </div>
  );
}

/** A trust policy letting principals of an account (its root, so its IAM policies decide) assume the role. */
export const accountTrustPolicy = (account: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
}, null, 2);

/** A starting point for an inline permission policy. */
export const STARTER_PERMISSIONS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
}, null, 2);
