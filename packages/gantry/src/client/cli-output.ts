/** Console output shared by the CLI's listing commands: compact tables, issue positions, times. */

/** Prints rows as columns padded to their widest cell; the last column is never padded. */
export function printTable(header: string[], rows: string[][], empty = '(none)'): void {
  if (rows.length === 0) return console.log(empty);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

export interface IssueJson { file: string; line: number; column: number; path: string; message: string }

/** `file:line:column path: message`, the way editors and terminals link to a position. */
export const formatIssue = (issue: IssueJson): string =>
  `${issue.file}:${issue.line}:${issue.column} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;

/** An ISO-8601 time as `YYYY-MM-DD HH:MM:SS` (UTC), or `-` when absent. */
export const shortTime = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '-');

/** The first characters of a commit id, as git shows it. */
export const shortCommit = (commitId: string | undefined): string => (commitId ? commitId.slice(0, 8) : '-');

/** Prints a value as JSON when asked to; tells the caller whether it did. */
export function printedAsJson(json: boolean | undefined, value: unknown): boolean {
  if (json) console.log(JSON.stringify(value));
  return Boolean(json);
}
