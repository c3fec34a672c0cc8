import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GantryError } from '@gantry/core';
import { describePlan, planBuild } from './build-plan.ts';
import { ANGULAR_TEMPLATE, CUSTOM_PIPELINE_SPEC, MONOREPO_SPEC, NEXT_TEMPLATE, VITE_REACT_TEMPLATE } from './build-spec-fixtures.ts';
import type { BuildSpec } from './build-spec-types.ts';
import { parseBuildSpec } from './parse-build-spec.ts';

const spec = (text: string): BuildSpec => parseBuildSpec(text).spec;

describe('planBuild', () => {
  it('plans the Vite/React template: backend build, then frontend build, publishing dist', () => {
    const plan = planBuild(spec(VITE_REACT_TEMPLATE));
    assert.deepEqual(plan, {
      file: 'amplify.yml',
      version: 1,
      monorepo: false,
      appRoot: '.',
      workingDirectory: '.',
      env: {},
      phases: [
        {
          id: 'backend.build',
          section: 'backend',
          name: 'build',
          workingDirectory: '.',
          commands: ['npm ci --cache .npm --prefer-offline', 'npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID'],
        },
        { id: 'frontend.build', section: 'frontend', name: 'build', workingDirectory: '.', commands: ['npm run build'] },
      ],
      artifacts: { baseDirectory: 'dist', files: ['**/*'], discardPaths: false },
      cachePaths: [
        { pattern: '.npm/**/*', root: 'repo', directory: '.npm', glob: '**/*' },
        { pattern: 'node_modules/**/*', root: 'repo', directory: 'node_modules', glob: '**/*' },
      ],
      customHeaders: [],
      skipped: [],
    });
  });

  it('plans the Next.js and Angular templates', () => {
    const next = planBuild(spec(NEXT_TEMPLATE));
    assert.deepEqual(next.phases.map((phase) => phase.id), ['backend.build', 'frontend.build']);
    assert.equal(next.artifacts?.baseDirectory, '.next');
    assert.deepEqual(next.cachePaths.map((cache) => cache.directory), ['.next/cache', '.npm', 'node_modules']);
    const angular = planBuild(spec(ANGULAR_TEMPLATE));
    assert.deepEqual(angular.phases.map((phase) => phase.id), ['backend.build', 'frontend.preBuild', 'frontend.build']);
    assert.equal(angular.artifacts?.baseDirectory, 'dist/amplify-angular-template/browser');
  });

  it('orders every phase backend → frontend → test and leaves out empty ones', () => {
    const plan = planBuild(
      spec(`version: 1
test:
  phases:
    postTest: { commands: [c9] }
    test: { commands: [c8] }
    preTest: { commands: [c7] }
frontend:
  phases:
    postBuild: { commands: [c6] }
    build: { commands: [c5] }
    preBuild: { commands: [c4] }
  artifacts: { baseDirectory: out }
backend:
  phases:
    postBuild: { commands: [c3] }
    build: { commands: [] }
    preBuild: { commands: [c1] }
`),
    );
    assert.deepEqual(
      plan.phases.map((phase) => `${phase.id}:${phase.commands.join(',')}`),
      [
        'backend.preBuild:c1',
        'backend.postBuild:c3',
        'frontend.preBuild:c4',
        'frontend.build:c5',
        'frontend.postBuild:c6',
        'test.preTest:c7',
        'test.test:c8',
        'test.postTest:c9',
      ],
    );
  });

  it('skips tests when USER_DISABLE_TESTS is true', () => {
    const text = `version: 1
frontend:
  phases: { build: { commands: [npm run build] } }
  artifacts: { baseDirectory: dist }
test:
  phases: { test: { commands: [npx cypress run] } }
  artifacts:
    baseDirectory: cypress
    configFilePath: '**/mochawesome.json'
    files: ['**/*.png', '**/*.mp4']
`;
    const withTests = planBuild(spec(text));
    assert.deepEqual(withTests.phases.map((phase) => phase.id), ['frontend.build', 'test.test']);
    assert.deepEqual(withTests.testArtifacts, {
      baseDirectory: 'cypress',
      files: ['**/*.png', '**/*.mp4'],
      discardPaths: false,
      configFilePath: '**/mochawesome.json',
    });
    const skipped = planBuild(spec(text), { env: { USER_DISABLE_TESTS: 'true' } });
    assert.deepEqual(skipped.phases.map((phase) => phase.id), ['frontend.build']);
    assert.deepEqual(skipped.skipped, [{ section: 'test', reason: 'USER_DISABLE_TESTS is true' }]);
    assert.equal(skipped.testArtifacts, undefined);
  });

  it('plans a monorepo application in its app root, resolving paths against it', () => {
    const plan = planBuild(spec(MONOREPO_SPEC), { env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/web' } });
    assert.equal(plan.monorepo, true);
    assert.equal(plan.workingDirectory, 'apps/web');
    assert.deepEqual(plan.env, { NODE_OPTIONS: '--max-old-space-size=4096' });
    assert.deepEqual(plan.phases.map((phase) => [phase.id, phase.workingDirectory]), [
      ['backend.build', 'apps/web'],
      ['frontend.build', 'apps/web'],
    ]);
    assert.deepEqual(plan.artifacts, { baseDirectory: 'apps/web/dist', files: ['**/*'], discardPaths: false });
    assert.deepEqual(plan.cachePaths.map((cache) => cache.directory), ['apps/web/.npm', 'apps/web/node_modules']);
  });

  it('runs frontend phases from buildPath and resolves artifacts and cache against it', () => {
    const plan = planBuild(spec(MONOREPO_SPEC), { appRoot: 'apps/admin' });
    assert.equal(plan.workingDirectory, 'apps/admin');
    assert.deepEqual(plan.phases.map((phase) => [phase.id, phase.workingDirectory]), [
      ['frontend.preBuild', '.'],
      ['frontend.build', '.'],
    ]);
    assert.deepEqual(plan.artifacts, { baseDirectory: 'apps/admin/.next', files: ['**/*'], discardPaths: false });
    assert.deepEqual(plan.cachePaths.map((cache) => cache.directory), ['node_modules']);
  });

  it('offers the repository-relative reading of a baseDirectory that repeats the app root', () => {
    const plan = planBuild(
      spec(`version: 1
applications:
  - appRoot: apps/web
    frontend:
      artifacts:
        baseDirectory: apps/web/.next
      cache:
        paths: [../shared/node_modules/**/*]
`),
      { appRoot: 'apps/web' },
    );
    assert.equal(plan.artifacts?.baseDirectory, 'apps/web/apps/web/.next');
    assert.equal(plan.artifacts?.alternateBaseDirectory, 'apps/web/.next');
    assert.deepEqual(plan.cachePaths[0], { pattern: '../shared/node_modules/**/*', root: 'repo', directory: 'apps/shared/node_modules', glob: '**/*' });
  });

  it('refuses a hand-built spec whose paths leave the repository', () => {
    const handBuilt: BuildSpec = {
      file: 'api',
      version: 1,
      env: { variables: {} },
      customHeaders: [],
      frontend: { phases: {}, artifacts: { baseDirectory: '../../etc', files: ['**/*'], discardPaths: false }, cache: { paths: ['/root/.npm'] } },
    };
    assert.throws(() => planBuild(handBuilt), (error: unknown) => error instanceof GantryError && /cache path "\/root\/\.npm" is absolute/.test(error.message));
    handBuilt.frontend!.cache.paths = [];
    assert.throws(() => planBuild(handBuilt), (error: unknown) => error instanceof GantryError && /frontend\.artifacts\.baseDirectory: baseDirectory "\.\.\/\.\.\/etc" leaves the repository/.test(error.message));
  });
});

describe('describePlan', () => {
  it('prints what the custom-pipeline job runs, phase by phase', () => {
    const text = describePlan(planBuild(spec(CUSTOM_PIPELINE_SPEC)));
    assert.equal(
      text,
      [
        'amplify.yml (version 1)',
        'Runs in the repository root, in one shell session (cd and export carry over between commands and phases).',
        '',
        'Cache (restored before the first phase, saved after the last):',
        '  .npm/**/*  → .npm',
        '  node_modules/**/*  → node_modules',
        '',
        'Phases:',
        '  1. backend.build',
        '       $ npm ci --cache .npm --prefer-offline',
        '       $ npx ampx generate outputs --branch $AWS_BRANCH --app-id $AWS_APP_ID',
        '  2. frontend.build',
        '       $ npm run build',
        '',
        'Publishes: **/* from dist',
      ].join('\n'),
    );
  });

  it('shows the application, env, directory changes, multi-line commands, skipped tests and headers', () => {
    const plan = planBuild(
      spec(`version: 1
env:
  variables:
    STAGE: preview
customHeaders:
  - pattern: '**/*'
    headers:
      - key: X-Frame-Options
        value: DENY
applications:
  - appRoot: apps/site
    frontend:
      buildPath: /
      phases:
        build:
          commands:
            - |
              if [ "$AWS_BRANCH" = main ]; then
                npm run build
              fi
      artifacts:
        baseDirectory: apps/site/dist
        discard-paths: yes
    test:
      phases:
        test: { commands: [npm test] }
`),
      { appRoot: 'apps/site', skipTests: true },
    );
    const text = describePlan(plan);
    assert.match(text, /^amplify\.yml \(version 1\), monorepo application apps\/site\nRuns in apps\/site,/);
    assert.match(text, /Environment variables from the spec:\n {2}STAGE=preview/);
    assert.match(text, /1\. frontend\.build \(starts in the repository root\)\n {7}\$ if \[ "\$AWS_BRANCH" = main \]; then\n {11}npm run build\n {9}fi\n/);
    assert.match(text, /\(skipped: test, tests were skipped for this job\)/);
    assert.match(text, /Publishes: \*\*\/\* from apps\/site\/dist \(discard-paths: every file at the top level\)/);
    assert.match(text, /Custom headers:\n {2}\*\*\/\*\n {4}X-Frame-Options: DENY/);
  });

  it('says when nothing runs or is published', () => {
    const text = describePlan(planBuild(spec('version: 1\nbackend:\n  phases: {}\n')));
    assert.match(text, /Phases: none \(the spec declares no commands\)\./);
    assert.match(text, /Publishes: nothing \(no frontend artifacts\)\./);
  });
});
