/**
 * Formatting of build-spec problems: one line per issue in the `file:line:column: path: message` form editors
 * and terminals link, followed by the offending source line with a caret under the column.
 */
import { GantryError } from '@gantry/core';
import type { BuildSpecIssue } from './build-spec-types.ts';

/**
 * `amplify.yml:7:11: frontend.phases.build.commands[1]: expected a string ...`, with the source line and a caret
 * below when `text` (the whole file) is given.
 */
export function formatBuildSpecIssue(issue: BuildSpecIssue, text?: string): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const head = issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
  const excerpt = text === undefined ? '' : sourceExcerpt(text, issue.line, issue.column);
  return excerpt === '' ? head : `${head}\n${excerpt}`;
}

/** The GantryError (`ValidationError`, 400) for a spec with errors; every error is in the message. */
export function buildSpecError(file: string, errors: readonly BuildSpecIssue[], text?: string): GantryError {
  const body = errors.map((issue) => formatBuildSpecIssue(issue, text)).join('\n');
  const message =
    errors.length === 1 ? body : `${file}: ${errors.length} errors in the build spec:\n${body}`;
  return new GantryError('ValidationError', message, { details: { file, issues: errors } });
}

function sourceExcerpt(text: string, line: number, column: number): string {
  const source = text.split(/\r?\n/)[line - 1];
  if (source === undefined || source.trim() === '') return '';
  const gutter = String(line);
  const flat = source.replace(/\t/g, ' ');
  const shown = flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
  const caretAt = Math.min(Math.max(column - 1, 0), shown.length);
  return `  ${gutter} | ${shown}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(caretAt)}^`;
}
