import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from 'esbuild';
import { GantryError } from '@gantry/core';
import { callSiteFromStack, OWN_SOURCE_DIR } from './define/call-site.ts';
import type { SerializedError } from './child/child-result.ts';

/** Why loading a backend failed: the `details.reason` of the GantryError loadBackend throws. */
export type BackendLoadFailure =
  /** There is no amplify/backend.ts. */
  | 'BackendNotFound'
  /** The app's code threw (at import time, or later from a callback). */
  | 'BackendThrew'
  /** A file under amplify/ does not parse. */
  | 'BackendSyntaxError'
  /** An import names a package or file that does not exist, or an export it does not have. */
  | 'ModuleNotFound'
  /** The code ran but the definition is wrong (no defineBackend, two data resources, bad schema, ...). */
  | 'InvalidBackendDefinition'
  /** The child process died without a result (killed, out of memory, process.exit in the app). */
  | 'BackendProcessFailed'
  /** The child did not finish in time. */
  | 'BackendTimeout';

export interface BackendLoadErrorDetails {
  reason: BackendLoadFailure;
  /** The app file at fault, relative to the app dir. */
  file?: string;
  line?: number;
  column?: number;
  /** The error's stack as the app's code produced it (frames inside Gantry removed). */
  stack?: string;
  /** The last lines the app's code wrote to stderr, for crashes. */
  stderr?: string;
}

export function backendLoadError(message: string, details: BackendLoadErrorDetails, cause?: unknown): GantryError {
  return new GantryError('ValidationError', message, { details: { ...details }, ...(cause !== undefined ? { cause } : {}) });
}

interface Location {
  file: string;
  line?: number;
  column?: number;
}

/** Turns what esbuild reported when compiling the app's code into a GantryError pointing at file:line:col. */
export function errorFromBuild(appDir: string, errors: readonly Message[]): GantryError {
  const first = errors[0]!;
  const location = first.location;
  const file = location ? toRelative(appDir, path.resolve(appDir, location.file)) : undefined;
  // esbuild counts columns from 0; editors and Node count from 1.
  const at = location ? { file: file!, line: location.line, column: location.column + 1 } : {};
  const where = location ? `${file}:${location.line}:${location.column + 1}` : 'amplify/';
  const missing = /^Could not resolve "([^"]+)"/.exec(first.text);
  if (missing) {
    const specifier = missing[1]!;
    const isPackage = !specifier.startsWith('.') && !specifier.startsWith('/');
    return backendLoadError(
      `${where} imports "${specifier}", which cannot be found${isPackage ? ': add it to the app\'s dependencies and run npm install' : ''}. (${first.text})`,
      { reason: 'ModuleNotFound', ...at },
    );
  }
  const unexported = /^No matching export in "([^"]+)" for import "([^"]+)"/.exec(first.text);
  if (unexported) {
    const from = toRelative(appDir, path.resolve(appDir, unexported[1]!));
    const source = from.startsWith(OWN_SOURCE_DIR) ? "@aws-amplify/backend (Gantry's)" : from;
    return backendLoadError(`${where}: "${unexported[2]}" is not exported by ${source}. Check the import against what it exports.`, { reason: 'ModuleNotFound', ...at });
  }
  return backendLoadError(`Syntax error in ${where}: ${first.text}`, { reason: 'BackendSyntaxError', ...at });
}

/** Turns the error the child reported into a GantryError pointing at the app's file:line(:col). */
export function errorFromChild(appDir: string, phase: 'import' | 'synth' | 'uncaught', error: SerializedError): GantryError {
  const relative = (file: string) => toRelative(appDir, file);
  const stack = appStack(error.stack);

  if (error.name === 'SyntaxError') {
    // Node's own link errors (an external package lacks an export) put "file:///...:LINE" on the first stack line.
    const first = /^((?:file:\/\/)?\/[^\n]*?):(\d+)\n/.exec(error.stack ?? '');
    const location: Location | undefined = first
      ? { file: fromUrl(first[1]!), line: Number(first[2]) }
      : callSiteFromStack(error.stack, [OWN_SOURCE_DIR]);
    const where = location ? `${relative(location.file)}:${location.line ?? '?'}` : 'amplify/';
    const isLink = /does not provide an export named|Named export .* not found/.test(error.message);
    return backendLoadError(
      isLink ? `${where}: ${error.message}. Check the import against what @aws-amplify/backend (Gantry's) exports.` : `Syntax error in ${where}: ${error.message}`,
      { reason: isLink ? 'ModuleNotFound' : 'BackendSyntaxError', ...(location ? { file: relative(location.file), line: location.line } : {}), stack },
    );
  }

  if (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_UNSUPPORTED_DIR_IMPORT') {
    // "Cannot find package 'x' imported from /abs/file.ts" / "Cannot find module '/abs/y' imported from /abs/file.ts"
    const match = /Cannot find (?:package|module) '([^']+)' imported from (.+?)\s*$/m.exec(error.message);
    const importer = match ? fromUrl(match[2]!) : callSiteFromStack(error.stack, [OWN_SOURCE_DIR])?.file;
    const specifier = match?.[1];
    const line = importer && specifier ? lineMentioning(importer, specifier) : undefined;
    const file = importer ? relative(importer) : undefined;
    const where = file ? `${file}${line ? `:${line}` : ''}` : 'amplify/';
    const what = specifier ? `"${specifier}"` : 'a module';
    return backendLoadError(
      `${where} imports ${what}, which cannot be found${specifier && !specifier.startsWith('.') && !specifier.startsWith('/') ? ': add it to the app\'s dependencies and run npm install' : ''}. (${error.message.split('\n')[0]})`,
      { reason: 'ModuleNotFound', ...(file ? { file } : {}), ...(line ? { line } : {}), stack },
    );
  }

  if (error.name === 'BackendDefinitionError') {
    return backendLoadError(error.message, { reason: 'InvalidBackendDefinition', ...(error.file ? { file: error.file } : {}), ...(error.line ? { line: error.line } : {}) });
  }

  const site = callSiteFromStack(error.stack, [OWN_SOURCE_DIR]);
  const location = site ? `${relative(site.file)}:${site.line}:${site.column}` : undefined;
  const reason: BackendLoadFailure = phase === 'synth' ? 'InvalidBackendDefinition' : 'BackendThrew';
  const lead = phase === 'synth' ? 'The backend definition is invalid' : phase === 'uncaught' ? 'The backend code failed asynchronously' : 'amplify/backend.ts threw while loading';
  return backendLoadError(
    `${lead}${location ? ` at ${location}` : ''}: ${error.name}: ${error.message}`,
    { reason, ...(site ? { file: relative(site.file), line: site.line, column: site.column } : {}), stack },
  );
}

/** The stack without Gantry's and Node's internal frames, so the app's frames stand out. */
function appStack(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  const kept = lines.filter((line) => {
    if (!/^\s+at /.test(line)) return true;
    return !line.includes(OWN_SOURCE_DIR) && !line.includes(pathToUrlPrefix(OWN_SOURCE_DIR)) && !line.includes('node:internal');
  });
  return kept.join('\n');
}

function pathToUrlPrefix(dir: string): string {
  return `file://${dir}`;
}

function fromUrl(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

function toRelative(appDir: string, file: string): string {
  const relative = path.relative(appDir, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

/** The first line of `file` that contains the quoted specifier (for "cannot find module" errors). */
function lineMentioning(file: string, specifier: string): number | undefined {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const index = lines.findIndex((line) => line.includes(`'${specifier}'`) || line.includes(`"${specifier}"`));
    return index >= 0 ? index + 1 : undefined;
  } catch {
    return undefined;
  }
}
