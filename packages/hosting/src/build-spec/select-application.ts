/**
 * Chooses the application a job builds. A single-app spec is its own application (rooted at the repository
 * root); a monorepo spec (`applications:`) is built for the application whose `appRoot` equals the job's
 * `AMPLIFY_MONOREPO_APP_ROOT`, as on Amplify.
 */
import { GantryError } from '@gantry/core';
import type { ApplicationSpec, BuildSpec } from './build-spec-types.ts';
import { normaliseRelative } from './spec-paths.ts';

/** The environment variable naming a monorepo application's root, as Amplify defines it. */
export const MONOREPO_APP_ROOT_VARIABLE = 'AMPLIFY_MONOREPO_APP_ROOT';

export interface SelectApplicationOptions {
  /**
   * The application root to build. Takes precedence over `env.AMPLIFY_MONOREPO_APP_ROOT`.
   * @example "apps/web"
   */
  appRoot?: string;
  /**
   * The job's environment (app and branch variables); `AMPLIFY_MONOREPO_APP_ROOT` is read from it.
   * @default {}
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The application a job builds.
 * @throws GantryError `ValidationError` when a monorepo spec gets no app root or one it does not declare (the
 *   message lists the declared app roots), or when an app root is given for a spec without `applications`.
 * @example selectApplication(spec, { env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/web' } }).appRoot // 'apps/web'
 */
export function selectApplication(spec: BuildSpec, options: SelectApplicationOptions = {}): ApplicationSpec {
  const fromArgument = options.appRoot !== undefined && options.appRoot.trim() !== '';
  const requested = fromArgument ? options.appRoot : options.env?.[MONOREPO_APP_ROOT_VARIABLE];
  const wanted = requested === undefined || requested.trim() === '' ? undefined : canonicalAppRoot(requested);
  const source = fromArgument ? 'the requested appRoot' : MONOREPO_APP_ROOT_VARIABLE;

  if (!spec.applications) {
    if (wanted !== undefined && wanted !== '.') {
      throw new GantryError(
        'ValidationError',
        `Monorepo spec provided without "applications" key: ${source} is "${requested}" but ${spec.file} declares no applications. ` +
          `Either list the app under applications (with appRoot: ${wanted}) or remove ${MONOREPO_APP_ROOT_VARIABLE} from the app's or branch's environment variables.`,
      );
    }
    const application: ApplicationSpec = { appRoot: '.', env: spec.env, customHeaders: spec.customHeaders };
    if (spec.backend) application.backend = spec.backend;
    if (spec.frontend) application.frontend = spec.frontend;
    if (spec.test) application.test = spec.test;
    return application;
  }

  const roots = spec.applications.map((application) => application.appRoot);
  const listed = roots.map((root) => `"${root}"`).join(', ');
  if (wanted === undefined) {
    throw new GantryError(
      'ValidationError',
      `${spec.file} is a monorepo spec with ${roots.length === 1 ? 'one application' : `${roots.length} applications`} (appRoot ${listed}) but no app root was given: ` +
        `set the environment variable ${MONOREPO_APP_ROOT_VARIABLE} of the app (or branch) to the appRoot to build, e.g. ${MONOREPO_APP_ROOT_VARIABLE}=${roots[0] ?? 'apps/web'}.`,
    );
  }
  const match = spec.applications.find((application) => application.appRoot === wanted);
  if (!match) {
    throw new GantryError(
      'ValidationError',
      `${spec.file} declares no application with appRoot "${wanted}" (${source}); it declares ${listed}. ` +
        `Set ${MONOREPO_APP_ROOT_VARIABLE} to one of these, or add an application with appRoot: ${wanted} to ${spec.file}.`,
    );
  }
  return match;
}

/** `./apps/web/` → `apps/web`, the form `appRoot` has in a parsed spec. */
export function canonicalAppRoot(appRoot: string): string {
  return normaliseRelative(appRoot.trim().replace(/^\/+/, ''));
}
