import path from 'node:path';
import type { CallSite } from '../define/call-site.ts';
import type { UnsupportedConstruct } from '../backend-manifest.ts';

/** Paths in the manifest are relative to the app dir, with `/` separators. */
export function appRelative(appDir: string, file: string | undefined): string {
  if (!file) return 'amplify/backend.ts';
  const relative = path.relative(appDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}

export function unsupportedAt(appDir: string, construct: string, callSite: CallSite | undefined, hint: string): UnsupportedConstruct {
  return {
    construct,
    file: appRelative(appDir, callSite?.file),
    ...(callSite?.line !== undefined ? { line: callSite.line } : {}),
    hint,
  };
}
