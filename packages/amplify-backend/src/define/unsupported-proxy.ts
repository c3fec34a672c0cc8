import { captureCallSite } from './call-site.ts';
import { recordUnsupported } from './registry.ts';

/**
 * A stand-in for a CDK object Gantry does not have (`backend.data.resources`, `backend.createStack(...)`).
 * Reading through it never throws, so the rest of the app's backend.ts still runs; every assignment or call
 * made through it is recorded as unsupported, by its full path and the app file:line that did it.
 */
// The escape hatches are untyped on purpose: apps reach arbitrarily deep into CDK objects through them.
export type Unsupported = any;

export function unsupportedMember(path: string, hint: string): Unsupported {
  recordUnsupported({ construct: path, callSite: captureCallSite(), hint });
  return chain(path, hint);
}

function chain(path: string, hint: string): Unsupported {
  const target = function unsupported() {};
  return new Proxy(target, {
    get(_target, property) {
      if (typeof property === 'symbol') {
        if (property === Symbol.toPrimitive) return () => `[unsupported ${path}]`;
        return undefined;
      }
      // Not a promise, not JSON-serialisable, not a CDK token: keep `await x` and `JSON.stringify(x)` sane.
      if (property === 'then' || property === 'toJSON') return undefined;
      if (property === 'toString') return () => `[unsupported ${path}]`;
      return chain(`${path}.${property}`, hint);
    },
    set(_target, property) {
      recordUnsupported({ construct: `${path}.${String(property)}`, callSite: captureCallSite(), hint });
      return true;
    },
    deleteProperty(_target, property) {
      recordUnsupported({ construct: `delete ${path}.${String(property)}`, callSite: captureCallSite(), hint });
      return true;
    },
    apply() {
      recordUnsupported({ construct: `${path}()`, callSite: captureCallSite(), hint });
      return chain(`${path}()`, hint);
    },
    construct() {
      recordUnsupported({ construct: `new ${path}()`, callSite: captureCallSite(), hint });
      return chain(`new ${path}()`, hint) as object;
    },
  });
}
