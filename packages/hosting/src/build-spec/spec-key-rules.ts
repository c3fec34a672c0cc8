/**
 * Which keys amplify.yml allows at each level, and what to say about the others: accepted spellings, keys
 * recognised but ignored (warnings), keys that belong elsewhere (errors), and typo detection.
 */
import { BUILD_PHASE_NAMES, TEST_PHASE_NAMES } from './build-spec-types.ts';

export interface LevelRule {
  /** How messages name this level, e.g. `frontend`. */
  what: string;
  known: readonly string[];
  /** Other spellings accepted for a known key. */
  aliases?: Readonly<Record<string, string>>;
  /** Keys recognised but not acted on: a warning with this text. */
  ignored?: Readonly<Record<string, string>>;
  /** Keys that belong elsewhere: an error with this text. */
  misplaced?: Readonly<Record<string, string>>;
  /** What to do with any other key. */
  unknown: 'error' | 'warning';
}

const CODEBUILD_ONLY = 'is a CodeBuild buildspec feature that amplify.yml does not have; it is ignored';

export const TOP_LEVEL: LevelRule = {
  what: 'the build spec',
  known: ['version', 'env', 'backend', 'frontend', 'test', 'applications', 'appRoot', 'customHeaders'],
  misplaced: {
    phases: 'phases must be inside frontend, backend or test, e.g. frontend.phases.build.commands',
    artifacts: 'artifacts must be inside frontend: frontend.artifacts',
    cache: 'cache must be inside frontend: frontend.cache.paths',
    buildPath: 'buildPath must be inside frontend: frontend.buildPath',
    buildpath: 'buildpath must be inside frontend: frontend.buildPath',
    commands: 'commands must be inside a phase, e.g. frontend.phases.build.commands',
    preBuild: 'phases must be inside a section and its phases key, e.g. frontend.phases.preBuild',
    build: 'phases must be inside a section and its phases key, e.g. frontend.phases.build',
    postBuild: 'phases must be inside a section and its phases key, e.g. frontend.phases.postBuild',
  },
  unknown: 'warning',
};

export const APPLICATION: LevelRule = {
  what: 'an application',
  known: ['appRoot', 'env', 'backend', 'frontend', 'test', 'customHeaders'],
  aliases: { approot: 'appRoot' },
  misplaced: {
    ...TOP_LEVEL.misplaced,
    applications: 'applications cannot be nested: list every application in the top-level applications list',
    version: 'version belongs at the top of the file, not inside an application',
  },
  unknown: 'warning',
};

export const ENV: LevelRule = {
  what: 'env',
  known: ['variables'],
  ignored: {
    'secrets-manager':
      'env.secrets-manager is not supported: Gantry does not read AWS Secrets Manager. Store the value as a secret environment variable of the app or branch instead; it is ignored',
    'parameter-store':
      'env.parameter-store is not supported: Gantry does not read SSM Parameter Store. Store the value as an environment variable of the app or branch instead; it is ignored',
    'exported-variables': `env.exported-variables ${CODEBUILD_ONLY}`,
    'git-credential-helper': `env.git-credential-helper ${CODEBUILD_ONLY}`,
    shell: `env.shell ${CODEBUILD_ONLY} (jobs run bash)`,
  },
  unknown: 'warning',
};

const SECTION_PHASE_MISPLACED = (section: string): Record<string, string> => ({
  commands: `commands must be inside a phase: ${section}.phases.build.commands`,
  preBuild: `phases go under ${section}.phases: write ${section}.phases.preBuild`,
  build: `phases go under ${section}.phases: write ${section}.phases.build`,
  postBuild: `phases go under ${section}.phases: write ${section}.phases.postBuild`,
});

export const BACKEND: LevelRule = {
  what: 'backend',
  known: ['phases'],
  ignored: { cache: 'backend.cache is ignored: only frontend.cache.paths is cached; move the paths there' },
  misplaced: {
    ...SECTION_PHASE_MISPLACED('backend'),
    artifacts: 'the backend publishes no artifacts: artifacts belong in frontend.artifacts',
  },
  unknown: 'warning',
};

export const FRONTEND: LevelRule = {
  what: 'frontend',
  known: ['phases', 'artifacts', 'cache', 'buildPath'],
  aliases: { buildpath: 'buildPath' },
  ignored: {
    customHeaders: 'customHeaders inside frontend is not read: move it to the top level of the file (or of the application)',
  },
  misplaced: SECTION_PHASE_MISPLACED('frontend'),
  unknown: 'warning',
};

export const TEST: LevelRule = {
  what: 'test',
  known: ['phases', 'artifacts'],
  misplaced: {
    commands: 'commands must be inside a phase: test.phases.test.commands',
    preTest: 'phases go under test.phases: write test.phases.preTest',
    test: 'phases go under test.phases: write test.phases.test',
    postTest: 'phases go under test.phases: write test.phases.postTest',
    cache: 'cache belongs in frontend.cache.paths',
  },
  unknown: 'warning',
};

export const BUILD_PHASES = (section: 'backend' | 'frontend'): LevelRule => ({
  what: `${section}.phases`,
  known: BUILD_PHASE_NAMES,
  misplaced: {
    preTest: `preTest is a test phase: put it under test.phases (${section} phases are preBuild, build, postBuild)`,
    test: `test is a test phase: put it under test.phases (${section} phases are preBuild, build, postBuild)`,
    postTest: `postTest is a test phase: put it under test.phases (${section} phases are preBuild, build, postBuild)`,
    install: `amplify.yml has no install phase (that is CodeBuild): put install commands such as npm ci in ${section}.phases.preBuild`,
    commands: `commands must be inside a phase: ${section}.phases.build.commands`,
  },
  unknown: 'error',
});

export const TEST_PHASES: LevelRule = {
  what: 'test.phases',
  known: TEST_PHASE_NAMES,
  misplaced: {
    preBuild: 'test phases are named preTest, test and postTest: rename preBuild to preTest',
    build: 'test phases are named preTest, test and postTest: rename build to test',
    postBuild: 'test phases are named preTest, test and postTest: rename postBuild to postTest',
    commands: 'commands must be inside a phase: test.phases.test.commands',
  },
  unknown: 'error',
};

export const PHASE: LevelRule = {
  what: 'a phase',
  known: ['commands'],
  ignored: {
    'runtime-versions':
      'runtime-versions is not supported and is ignored: select tool versions with commands, e.g. nvm use 20',
    'on-failure': `on-failure ${CODEBUILD_ONLY} (a failing command always fails the job)`,
    finally: `finally ${CODEBUILD_ONLY}`,
    'run-as': `run-as ${CODEBUILD_ONLY}`,
  },
  unknown: 'error',
};

export const ARTIFACTS: LevelRule = {
  what: 'frontend.artifacts',
  known: ['baseDirectory', 'files', 'discard-paths', 'name'],
  aliases: { 'base-directory': 'baseDirectory' },
  ignored: {
    'exclude-paths': `exclude-paths ${CODEBUILD_ONLY}; list the files to publish in files`,
    'secondary-artifacts': `secondary-artifacts ${CODEBUILD_ONLY}`,
    'enable-symlinks': `enable-symlinks ${CODEBUILD_ONLY}`,
  },
  unknown: 'warning',
};

export const TEST_ARTIFACTS: LevelRule = {
  what: 'test.artifacts',
  known: ['baseDirectory', 'files', 'configFilePath'],
  aliases: { 'base-directory': 'baseDirectory' },
  unknown: 'warning',
};

export const CACHE: LevelRule = { what: 'frontend.cache', known: ['paths'], unknown: 'warning' };
export const HEADER_RULE: LevelRule = { what: 'a customHeaders rule', known: ['pattern', 'headers'], unknown: 'warning' };
export const HEADER: LevelRule = { what: 'a header', known: ['key', 'value'], unknown: 'warning' };

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const YAML_11_BOOLEANS: Readonly<Record<string, boolean>> = {
  yes: true, y: true, true: true, on: true,
  no: false, n: false, false: false, off: false,
};

export function listOf(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The closest known key when `key` looks like a typo of it (case, `-`/`_`, or one or two letters off). */
export function nearMiss(key: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const exact = known.find((candidate) => squash(candidate) === squash(key));
  if (exact !== undefined) return exact;
  const limit = key.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(squash(key), squash(candidate));
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance with adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
