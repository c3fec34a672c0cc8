/**
 * Formatting of workflow problems: one `file:line:column: path: message` line per issue (the form editors and
 * terminals turn into links), followed by the offending source line with a caret under the column.
 */
import { GantryError } from '@gantry/core';
import type { WorkflowIssue } from './workflow-types.ts';

/**
 * `.codecatalyst/workflows/main.yaml:12:9: Actions.Deploy.DependsOn[0]: DependsOn names "Bild", ...`, with the
 * source line and a caret below when `text` (the whole file) is given.
 */
export function formatWorkflowIssue(issue: WorkflowIssue, text?: string): string {
  const at = `${issue.file}:${issue.line}:${issue.column}`;
  const head = issue.path === '' ? `${at}: ${issue.message}` : `${at}: ${issue.path}: ${issue.message}`;
  const excerpt = text === undefined ? '' : excerptAt(text, issue.line, issue.column);
  return excerpt === '' ? head : `${head}\n${excerpt}`;
}

/** The GantryError (`ValidationError`, 400) for a workflow with errors; every error is in the message. */
export function workflowValidationError(file: string, errors: readonly WorkflowIssue[], text?: string): GantryError {
  const body = errors.map((issue) => formatWorkflowIssue(issue, text)).join('\n');
  const message = errors.length === 1 ? body : `${file}: ${errors.length} errors in the workflow:\n${body}`;
  return new GantryError('ValidationError', message, { details: { file, issues: errors } });
}

/** The issues a `ValidationError` from `parseWorkflow` carries (`[]` for any other error). */
export function workflowIssuesOf(error: unknown): WorkflowIssue[] {
  const details = (error as { details?: { issues?: unknown } } | undefined)?.details;
  return Array.isArray(details?.issues) ? (details.issues as WorkflowIssue[]) : [];
}

function excerptAt(text: string, line: number, column: number): string {
  const source = text.split(/\r?\n/)[line - 1];
  if (source === undefined || source.trim() === '') return '';
  const gutter = String(line);
  const flat = source.replace(/\t/g, ' ');
  const shown = flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
  const caret = Math.min(Math.max(column - 1, 0), shown.length);
  return `  ${gutter} | ${shown}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(caret)}^`;
}
