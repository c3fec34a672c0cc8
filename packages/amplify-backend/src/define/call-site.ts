import { fileURLToPath } from 'node:url';

/** Where in the app's code a define* call (or an unsupported member access) happened. */
export interface CallSite {
  /** Absolute path of the app file. */
  file: string;
  line?: number;
  column?: number;
}

/** `at fn (LOCATION)` or `at LOCATION`, where LOCATION is `file:///...`, `/...` or `C:\...` with `:line:col`. */
const FRAME = /^at (?:.*?\()?((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?$/;

/**
 * The first stack frame that belongs to the app, i.e. not to this package, Node internals or node_modules.
 * `skipDirs` are directories whose frames are ours (the directory of this package's `src`).
 */
export function callSiteFromStack(stack: string | undefined, skipDirs: readonly string[]): CallSite | undefined {
  if (!stack) return undefined;
  for (const raw of stack.split('\n').slice(1)) {
    const match = FRAME.exec(raw.trim());
    if (!match) continue;
    let file = match[1]!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (skipDirs.some((dir) => file.startsWith(dir))) continue;
    if (file.includes('/node_modules/') || file.includes('\\node_modules\\')) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/** The directory holding this package's source, used to skip our own frames. */
export const OWN_SOURCE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The app call site of whoever called the function that calls this. */
export function captureCallSite(): CallSite | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  Error.captureStackTrace(holder);
  Error.stackTraceLimit = limit;
  return callSiteFromStack(holder.stack, [OWN_SOURCE_DIR]);
}
