import { useEffect, useRef, useState } from 'preact/hooks';
import type { CodeEditorHandle, EditorIssue, EditorLanguage } from './code-editor-view.ts';
import { ErrorMessage, Spinner } from './ui.tsx';

export type { CodeEditorHandle, EditorIssue } from './code-editor-view.ts';

/**
 * The code editor as a component. CodeMirror is fetched the first time an editor is shown; until then (and if
 * it cannot load) a plain text area holds the text, so the page is usable at once.
 */
export function CodeEditor({ text, label, language, issues, onChange, onReady, testId }: {
  text: string;
  language: EditorLanguage;
  testId?: string;
  label: string;
  issues: EditorIssue[];
  onChange(text: string): void;
  onReady?(handle: CodeEditorHandle): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<CodeEditorHandle | undefined>(undefined);
  const [state, setState] = useState<'loading' | 'ready' | Error>('loading');
  const latest = useRef({ text, onChange });
  latest.current = { text, onChange };
  useEffect(() => {
    let live = true;
    import('./code-editor-view.ts').then(({ createCodeEditor }) => {
      if (!live || !host.current) return;
      handle.current = createCodeEditor(host.current, { text: latest.current.text, label, language, onChange: (t) => latest.current.onChange(t) });
      setState('ready');
      onReady?.(handle.current);
    }, (error: Error) => live && setState(error));
    return () => {
      live = false;
      handle.current?.destroy();
      handle.current = undefined;
    };
  }, []);
  // Text set from outside (a reload) replaces the editor's; the editor's own edits come back equal.
  useEffect(() => {
    if (handle.current && handle.current.text() !== text) handle.current.setText(text);
  }, [text]);
  useEffect(() => handle.current?.showIssues(issues), [issues, state]);
  return (
    <div class="code-editor" data-testid={testId}>
      {state === 'loading' && <Spinner label="Loading the editor" />}
      {state instanceof Error && (
        <>
          <ErrorMessage error={`The editor could not load (${state.message}): edit the text here instead.`} />
          <textarea class="code-fallback" aria-label={label} value={text} spellcheck={false} onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)} />
        </>
      )}
      <div ref={host} class="code-editor-host" />
    </div>
  );
}
