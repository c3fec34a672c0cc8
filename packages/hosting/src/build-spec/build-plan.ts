/**
 * Turns a parsed spec into what one job runs: the phases in order with their commands and directories, the
 * environment the spec adds, what to publish and what to cache, all resolved against the repository root.
 *
 * Order (as Amplify runs them): backend preBuild → build → postBuild, frontend preBuild → build → postBuild,
 * test preTest → test → postTest. Phases with no commands are left out. Artifacts are collected after the last
 * phase.
 *
 * The runner starts one shell session in `workingDirectory` and runs every command in it, so a `cd` or an
 * `export` carries over from one command and phase to the next, as on Amplify. When a phase's
 * `workingDirectory` differs from the previous phase's (a frontend `buildPath`), the runner changes into it
 * before the phase's first command.
 */
import { GantryError } from '@gantry/core';
import {
  BUILD_PHASE_NAMES,
  TEST_PHASE_NAMES,
  type ArtifactSelection,
  type BuildPhaseName,
  type BuildSpec,
  type CachePath,
  type CustomHeaderRule,
  type TestPhaseName,
} from './build-spec-types.ts';
import { checkCachePaths } from './collect-artifacts.ts';
import { selectApplication, type SelectApplicationOptions } from './select-application.ts';
import { checkBaseDirectory, checkBuildPath, normaliseRelative, type PathCheck } from './spec-paths.ts';

export type PhaseSection = 'backend' | 'frontend' | 'test';
export type PhaseId = `${'backend' | 'frontend'}.${BuildPhaseName}` | `test.${TestPhaseName}`;

export interface PlanBuildOptions extends SelectApplicationOptions {
  /**
   * Leave out the test phases. Also turned on by `USER_DISABLE_TESTS=true` in `env` or in the spec's own
   * `env.variables`, as on Amplify.
   * @default false
   */
  skipTests?: boolean;
}

/** One phase as the job runs it. */
export interface PlannedPhase {
  /** @example "frontend.build" */
  id: PhaseId;
  section: PhaseSection;
  name: BuildPhaseName | TestPhaseName;
  /**
   * Directory the phase starts in, relative to the repository root (`.` is the root).
   * @example "apps/web"
   */
  workingDirectory: string;
  /** Shell commands, in order; never empty. */
  commands: string[];
}

/** What a job runs, publishes and caches. */
export interface BuildPlan {
  /** @example "amplify.yml" */
  file: string;
  version: number;
  /** True when the spec declares `applications`. */
  monorepo: boolean;
  /** The application built, relative to the repository root; `.` for single-app specs. */
  appRoot: string;
  /** Where the job's shell starts: the application root. */
  workingDirectory: string;
  /**
   * Variables from the spec's `env.variables` (top-level merged under the application's), applied over the
   * environment the job already has.
   */
  env: Record<string, string>;
  /** The phases in run order, only those with commands. */
  phases: PlannedPhase[];
  /** What to publish as the branch's site; absent when the spec declares no frontend artifacts. */
  artifacts?: ArtifactSelection;
  /** Test reports to keep; absent when the spec declares none or tests are skipped. */
  testArtifacts?: ArtifactSelection & { configFilePath?: string };
  /** Directories to restore before the first phase and save after the last. */
  cachePaths: CachePath[];
  /** Response header rules for the published site. */
  customHeaders: CustomHeaderRule[];
  /** Sections the spec declares that this job does not run, and why. */
  skipped: Array<{ section: PhaseSection; reason: string }>;
}

/**
 * Plans a job for the spec (for monorepo specs, the application selected by `appRoot` or
 * `AMPLIFY_MONOREPO_APP_ROOT`).
 * @throws GantryError `ValidationError` when no application can be selected or a path leaves the repository
 * @example
 * const plan = planBuild(spec, { env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/web' } });
 * for (const phase of plan.phases) await runner.run(phase.commands, phase.workingDirectory);
 */
export function planBuild(spec: BuildSpec, options: PlanBuildOptions = {}): BuildPlan {
  const application = selectApplication(spec, options);
  const appRoot = application.appRoot;
  const env = { ...application.env.variables };
  const phases: PlannedPhase[] = [];
  const skipped: BuildPlan['skipped'] = [];

  if (application.backend) {
    for (const name of BUILD_PHASE_NAMES) {
      addPhase(phases, 'backend', name, appRoot, application.backend.phases[name]?.commands);
    }
  }

  const frontend = application.frontend;
  const frontendRoot = frontend?.buildPath === undefined ? appRoot : must(checkBuildPath(frontend.buildPath), spec.file, 'frontend.buildPath');
  if (frontend) {
    for (const name of BUILD_PHASE_NAMES) addPhase(phases, 'frontend', name, frontendRoot, frontend.phases[name]?.commands);
  }

  const testsDisabled =
    options.skipTests === true || isTrue(options.env?.USER_DISABLE_TESTS) || isTrue(env.USER_DISABLE_TESTS);
  let testArtifacts: BuildPlan['testArtifacts'];
  if (application.test && testsDisabled) {
    skipped.push({
      section: 'test',
      reason: options.skipTests === true ? 'tests were skipped for this job' : 'USER_DISABLE_TESTS is true',
    });
  } else if (application.test) {
    for (const name of TEST_PHASE_NAMES) addPhase(phases, 'test', name, appRoot, application.test.phases[name]?.commands);
    const reports = application.test.artifacts;
    if (reports?.baseDirectory !== undefined) {
      testArtifacts = {
        baseDirectory: must(checkBaseDirectory(appRoot, reports.baseDirectory), spec.file, 'test.artifacts.baseDirectory'),
        files: reports.files,
        discardPaths: false,
      };
      if (reports.configFilePath !== undefined) testArtifacts.configFilePath = reports.configFilePath;
    }
  }

  const plan: BuildPlan = {
    file: spec.file,
    version: spec.version,
    monorepo: spec.applications !== undefined,
    appRoot,
    workingDirectory: appRoot,
    env,
    phases,
    cachePaths: frontend ? checkCachePaths(frontend.cache.paths, { base: frontendRoot }) : [],
    customHeaders: application.customHeaders,
    skipped,
  };

  if (frontend?.artifacts) {
    const written = frontend.artifacts.baseDirectory;
    const artifacts: ArtifactSelection = {
      baseDirectory: must(checkBaseDirectory(frontendRoot, written), spec.file, 'frontend.artifacts.baseDirectory'),
      files: frontend.artifacts.files,
      discardPaths: frontend.artifacts.discardPaths,
    };
    const alternate = alternateBaseDirectory(appRoot, written);
    if (alternate !== undefined && alternate !== artifacts.baseDirectory) artifacts.alternateBaseDirectory = alternate;
    if (frontend.artifacts.name !== undefined) artifacts.name = frontend.artifacts.name;
    plan.artifacts = artifacts;
  }
  if (testArtifacts) plan.testArtifacts = testArtifacts;
  return plan;
}

/**
 * What a job would run, phase by phase, for `gantry buildspec check FILE`.
 * @example
 * console.log(describePlan(planBuild(parseBuildSpec(text).spec)));
 */
export function describePlan(plan: BuildPlan): string {
  const lines: string[] = [];
  const where = (dir: string) => (dir === '.' ? 'the repository root' : dir);
  lines.push(
    plan.monorepo
      ? `${plan.file} (version ${plan.version}), monorepo application ${plan.appRoot}`
      : `${plan.file} (version ${plan.version})`,
  );
  lines.push(`Runs in ${where(plan.workingDirectory)}, in one shell session (cd and export carry over between commands and phases).`);

  const variables = Object.entries(plan.env);
  if (variables.length > 0) {
    lines.push('', 'Environment variables from the spec:');
    for (const [name, value] of variables) lines.push(`  ${name}=${value}`);
  }

  if (plan.cachePaths.length > 0) {
    lines.push('', 'Cache (restored before the first phase, saved after the last):');
    for (const cache of plan.cachePaths) {
      const directory = cache.root === 'home' ? (cache.directory === '.' ? '~' : `~/${cache.directory}`) : cache.directory;
      lines.push(`  ${cache.pattern}  → ${directory}`);
    }
  }

  lines.push('');
  if (plan.phases.length === 0) {
    lines.push('Phases: none (the spec declares no commands).');
  } else {
    lines.push('Phases:');
    let directory = plan.workingDirectory;
    plan.phases.forEach((phase, index) => {
      const moved = phase.workingDirectory !== directory ? ` (starts in ${where(phase.workingDirectory)})` : '';
      directory = phase.workingDirectory;
      lines.push(`  ${index + 1}. ${phase.id}${moved}`);
      for (const command of phase.commands) {
        const [first = '', ...rest] = command.replace(/\n$/, '').split('\n');
        lines.push(`       $ ${first}`);
        for (const line of rest) lines.push(`         ${line}`);
      }
    });
  }
  for (const skip of plan.skipped) lines.push(`  (skipped: ${skip.section}, ${skip.reason})`);

  lines.push('');
  if (plan.artifacts) {
    const artifacts = plan.artifacts;
    lines.push(`Publishes: ${artifacts.files.join(', ')} from ${where(artifacts.baseDirectory)}${artifacts.discardPaths ? ' (discard-paths: every file at the top level)' : ''}`);
    if (artifacts.alternateBaseDirectory) {
      lines.push(`  (if ${artifacts.baseDirectory} does not exist: ${artifacts.alternateBaseDirectory})`);
    }
  } else {
    lines.push('Publishes: nothing (no frontend artifacts).');
  }
  if (plan.testArtifacts) {
    lines.push(`Test reports: ${plan.testArtifacts.files.join(', ')} from ${where(plan.testArtifacts.baseDirectory)}`);
  }
  if (plan.customHeaders.length > 0) {
    lines.push('Custom headers:');
    for (const rule of plan.customHeaders) {
      lines.push(`  ${rule.pattern}`);
      for (const header of rule.headers) lines.push(`    ${header.key}: ${header.value}`);
    }
  }
  return lines.join('\n');
}

function addPhase(
  phases: PlannedPhase[],
  section: PhaseSection,
  name: BuildPhaseName | TestPhaseName,
  workingDirectory: string,
  commands: readonly string[] | undefined,
): void {
  if (!commands || commands.length === 0) return;
  phases.push({ id: `${section}.${name}` as PhaseId, section, name, workingDirectory, commands: [...commands] });
}

/** `appRoot: apps/web` with `baseDirectory: apps/web/.next`: the repository-relative reading `apps/web/.next`. */
function alternateBaseDirectory(appRoot: string, written: string): string | undefined {
  if (appRoot === '.') return undefined;
  const relative = normaliseRelative(written.replace(/^\/+/, ''));
  return relative === appRoot || relative.startsWith(`${appRoot}/`) ? relative : undefined;
}

function must(check: PathCheck, file: string, path: string): string {
  if (check.ok) return check.path;
  throw new GantryError('ValidationError', `${file}: ${path}: ${check.problem}`);
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}
