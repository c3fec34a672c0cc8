/**
 * The typed, normalised form of an `amplify.yml` build spec, as `parseBuildSpec` returns it.
 *
 * The YAML keys map onto these fields one to one, except where noted (`discard-paths` → `discardPaths`,
 * `buildpath`/`buildPath` → `buildPath`, `base-directory`/`baseDirectory` → `baseDirectory`). Every list and map
 * is present even when the file leaves it out, so consumers never test for `undefined` where "none" is meant.
 *
 * Paths are kept as written (POSIX separators); `build-plan.ts` resolves them against the application root.
 */

/** The three phases of `backend` and `frontend`, in the order a job runs them. */
export const BUILD_PHASE_NAMES = ['preBuild', 'build', 'postBuild'] as const;
export type BuildPhaseName = (typeof BUILD_PHASE_NAMES)[number];

/** The three phases of `test`, in the order a job runs them. */
export const TEST_PHASE_NAMES = ['preTest', 'test', 'postTest'] as const;
export type TestPhaseName = (typeof TEST_PHASE_NAMES)[number];

/** One phase: shell commands run one after another in the job's single shell session. */
export interface BuildPhase {
  /**
   * Shell commands, in order. The shell session persists across commands and phases (a `cd` or an `export`
   * carries over), and the first command that exits non-zero fails the job.
   * @default []
   * @example ["npm ci --cache .npm --prefer-offline", "npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID"]
   */
  commands: string[];
}

/** `backend.phases` / `frontend.phases`. A phase left out of the file is absent here. */
export type BuildPhases = Partial<Record<BuildPhaseName, BuildPhase>>;

/** `test.phases`. A phase left out of the file is absent here. */
export type TestPhases = Partial<Record<TestPhaseName, BuildPhase>>;

/** `env`. */
export interface EnvSpec {
  /**
   * Environment variables the job's shell starts with (after the ones Gantry sets, such as `AWS_APP_ID` and
   * `AWS_BRANCH`, and the app's and branch's environment variables, which these override).
   *
   * Values are the text as written: `PORT: 0755` is `"0755"` and `FLAG: yes` is `"yes"`, not YAML 1.1's number
   * and boolean. `env.secrets-manager` and `env.parameter-store` (CodeBuild features) are not supported: the parser
   * reports them as warnings and they are not read.
   * @default {}
   * @example { "NODE_OPTIONS": "--max-old-space-size=4096" }
   */
  variables: Record<string, string>;
}

/** `backend`: commands that deploy the app's backend (Gen 2: `npx ampx pipeline-deploy`). */
export interface BackendSpec {
  /** @default {} */
  phases: BuildPhases;
}

/** `frontend.artifacts`: what the build publishes as the branch's site. */
export interface ArtifactsSpec {
  /**
   * Directory holding the build output, relative to the frontend's build path (`buildPath`, else the application
   * root). `/` means that directory itself. Must stay inside the repository.
   * @default "/"
   * @example "dist"
   * @example ".next"
   */
  baseDirectory: string;
  /**
   * Globs, relative to `baseDirectory`, of the files to publish. `**\/*` is every file (dotfiles included).
   * A plain directory name (no glob characters) publishes that whole directory.
   * @default ["**\/*"]
   */
  files: string[];
  /**
   * YAML `discard-paths`: publish every matched file at the top level of the site (its directory dropped).
   * Accepts YAML 1.1 booleans (`yes`, `no`, `on`, `off`) as well as `true`/`false`.
   * @default false
   */
  discardPaths: boolean;
  /**
   * Artifact name (a CodeBuild field); informational only.
   * @example "site"
   */
  name?: string;
}

/** `frontend.cache`. */
export interface CacheSpec {
  /**
   * Paths (globs) restored before the build and saved after it, relative to the frontend's build path.
   * `~/...` names a path in the job's home directory. Absolute paths are dropped with a warning (Amplify
   * documents that they are silently not cached); paths leaving the repository are errors.
   * @default []
   * @example [".npm/**\/*", "node_modules/**\/*"]
   */
  paths: string[];
}

/** `frontend`: commands that build the site, and what to publish. */
export interface FrontendSpec {
  /**
   * `buildPath` (also spelled `buildpath`): the directory, relative to the repository root, to run the frontend
   * phases in and to resolve `artifacts.baseDirectory` and `cache.paths` against. `/` is the repository root.
   * When absent, the application root is used.
   * @example "/"
   */
  buildPath?: string;
  /** @default {} */
  phases: BuildPhases;
  /** Absent when the file declares none: the job then publishes nothing. */
  artifacts?: ArtifactsSpec;
  /** @default { paths: [] } */
  cache: CacheSpec;
}

/** `test.artifacts`: test reports kept with the job. */
export interface TestArtifactsSpec {
  /**
   * @example "cypress"
   */
  baseDirectory?: string;
  /**
   * @default ["**\/*"]
   * @example ["**\/*.png", "**\/*.mp4"]
   */
  files: string[];
  /**
   * Glob of the test report file.
   * @example "**\/mochawesome.json"
   */
  configFilePath?: string;
}

/** `test`: commands run after the frontend build; a failing test fails the job. */
export interface TestSpec {
  /** @default {} */
  phases: TestPhases;
  artifacts?: TestArtifactsSpec;
}

/** One `customHeaders` rule: headers added to responses whose path matches `pattern`. */
export interface CustomHeaderRule {
  /**
   * Path pattern of the requests the headers apply to.
   * @example "**\/*"
   * @example "/assets/*"
   */
  pattern: string;
  /** @example [{ "key": "Strict-Transport-Security", "value": "max-age=31536000" }] */
  headers: CustomHeader[];
}

export interface CustomHeader {
  /** @example "Cache-Control" */
  key: string;
  /** @example "public, max-age=31536000, immutable" */
  value: string;
}

/** One application: the whole file for a single-app repository, or one entry of `applications` in a monorepo. */
export interface ApplicationSpec {
  /**
   * Directory of the application inside the repository, POSIX, without `./` or a trailing `/`; `.` is the
   * repository root (single-app specs). In a monorepo it must equal `AMPLIFY_MONOREPO_APP_ROOT`.
   * @example "apps/web"
   */
  appRoot: string;
  /** Top-level `env` merged under the application's own `env` (monorepo specs). */
  env: EnvSpec;
  backend?: BackendSpec;
  frontend?: FrontendSpec;
  test?: TestSpec;
  /** The application's `customHeaders`, else the top-level ones. @default [] */
  customHeaders: CustomHeaderRule[];
}

/** A parsed `amplify.yml`. */
export interface BuildSpec {
  /** The file name used in messages. @example "amplify.yml" */
  file: string;
  /**
   * The `version` key. Amplify documents `1`; `0.1` (older consoles) and `1.0` are read the same way.
   * @default 1
   */
  version: number;
  /** Single-app specs: the file's top-level sections. Monorepo specs: the defaults merged into each application. */
  env: EnvSpec;
  backend?: BackendSpec;
  frontend?: FrontendSpec;
  test?: TestSpec;
  /** @default [] */
  customHeaders: CustomHeaderRule[];
  /**
   * Monorepo specs: the `applications` list, each with its `appRoot`, with top-level `env` and `customHeaders`
   * already merged in. Absent for single-app specs.
   */
  applications?: ApplicationSpec[];
}

/** A problem found in a build spec, located in the file. */
export interface BuildSpecIssue {
  severity: 'error' | 'warning';
  /**
   * Stable machine-readable kind.
   * @example "wrong-type"
   */
  code: BuildSpecIssueCode;
  /** @example "amplify.yml" */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /**
   * Where in the document, as a YAML path; empty for problems of the YAML text itself.
   * @example "frontend.phases.build.commands[1]"
   */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export type BuildSpecIssueCode =
  | 'yaml-syntax'
  | 'yaml-warning'
  | 'empty'
  | 'wrong-type'
  | 'missing-key'
  | 'unknown-key'
  | 'misplaced-key'
  | 'unsupported'
  | 'ignored'
  | 'invalid-value'
  | 'path-outside'
  | 'duplicate';

/** An artifact selection resolved against the repository: what `collectArtifacts` copies. */
export interface ArtifactSelection {
  /**
   * Directory holding the output, relative to the repository root (POSIX, normalised, `.` for the root).
   * @example "apps/web/dist"
   */
  baseDirectory: string;
  /**
   * A second reading of `baseDirectory`, relative to the repository root, tried when the first does not exist:
   * some monorepo specs repeat the app root in `baseDirectory` (`appRoot: apps/web`, `baseDirectory: apps/web/.next`).
   */
  alternateBaseDirectory?: string;
  /** Globs relative to the base directory. @default ["**\/*"] */
  files: string[];
  /** @default false */
  discardPaths: boolean;
  name?: string;
}

/** A cache path resolved for the cache store. */
export interface CachePath {
  /** As written in the spec. @example "node_modules/**\/*" */
  pattern: string;
  /** `repo`: relative to the repository root; `home`: relative to the job's home directory (`~/...`). */
  root: 'repo' | 'home';
  /**
   * The directory to save and restore: the pattern's leading non-glob part, resolved under `root`
   * (`.` for the root itself).
   * @example "apps/web/node_modules"
   */
  directory: string;
  /** The glob part below `directory`, `""` when the pattern has none. @example "**\/*" */
  glob: string;
}
