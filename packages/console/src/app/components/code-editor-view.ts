import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';

/** An issue to show in the editor, at its 1-based line and column. */
export interface EditorIssue {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface CodeEditorHandle {
  text(): string;
  setText(text: string): void;
  /** Replaces the issues shown (underlined at their position, marked in the gutter). */
  showIssues(issues: EditorIssue[]): void;
  /** Puts the cursor at a line and column and scrolls there. */
  goTo(line: number, column: number): void;
  destroy(): void;
}

/** Colours from the console's own variables, so the editor follows the light and dark themes. */
const consoleTheme = EditorView.theme({
  '&': { backgroundColor: 'var(--surface)', color: 'var(--text)', fontSize: '13px' },
  '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent) 7%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 14%, transparent)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'color-mix(in srgb, var(--accent) 25%, transparent) !important' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)' },
});

export type EditorLanguage = 'yaml' | 'json';

/**
 * CodeMirror 6 with YAML (workflows) or JSON (policies) highlighting and a lint gutter. Issues come from the
 * server's own validation (the same every client gets), not from a second validator in the page. Loaded only
 * by the pages with an editor.
 */
export function createCodeEditor(parent: HTMLElement, options: { text: string; label: string; language: EditorLanguage; onChange(text: string): void }): CodeEditorHandle {
  const view = new EditorView({
    parent,
    doc: options.text,
    extensions: [
      basicSetup, options.language === 'json' ? json() : yaml(), lintGutter(), consoleTheme, EditorView.lineWrapping,
      // The page's Content-Security-Policy admits style elements carrying this nonce only.
      EditorView.cspNonce.of(document.querySelector<HTMLMetaElement>('meta[name="gantry-style-nonce"]')?.content ?? ''),
      EditorView.contentAttributes.of({ 'aria-label': options.label }),
      EditorView.updateListener.of((update) => update.docChanged && options.onChange(update.state.doc.toString())),
    ],
  });
  const position = (line: number, column: number) => {
    const doc = view.state.doc;
    const l = doc.line(Math.min(Math.max(1, line), doc.lines));
    return { from: Math.min(l.from + Math.max(0, column - 1), l.to), line: l };
  };
  return {
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    showIssues(issues) {
      const diagnostics: Diagnostic[] = issues.map((issue) => {
        const { from, line } = position(issue.line, issue.column);
        // From the column to the end of its line: at least one character, so the mark is visible.
        const to = Math.max(line.to, Math.min(from + 1, view.state.doc.length));
        return { from, to, severity: issue.severity, message: issue.message, source: 'Gantry' };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    goTo(line, column) {
      const { from } = position(line, column);
      view.dispatch({ selection: { anchor: from }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
