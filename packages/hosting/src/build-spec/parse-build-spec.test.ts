import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GantryError } from '@gantry/core';
import {
  ANGULAR_TEMPLATE,
  BACKEND_WEBHOOK_SPEC,
  CUSTOM_PIPELINE_SPEC,
  MONOREPO_SPEC,
  NEXT_TEMPLATE,
  NEXT_TEMPLATE_PREVIEW,
  VITE_REACT_TEMPLATE,
} from './build-spec-fixtures.ts';
import type { BuildSpecIssue } from './build-spec-types.ts';
import { parseBuildSpec } from './parse-build-spec.ts';

const PIPELINE_DEPLOY = 'npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID';

/** Parses `text` expecting a ValidationError; returns the error. */
function rejects(text: string, file?: string): GantryError & { details: { issues: BuildSpecIssue[] } } {
  try {
    parseBuildSpec(text, file);
  } catch (error) {
    assert.ok(error instanceof GantryError, `expected a GantryError, got ${String(error)}`);
    assert.equal(error.code, 'ValidationError');
    assert.equal(error.status, 400);
    return error as GantryError & { details: { issues: BuildSpecIssue[] } };
  }
  assert.fail('expected the spec to be rejected');
}

describe('parseBuildSpec: official templates', () => {
  it('reads the Vite/React template', () => {
    const { spec, warnings } = parseBuildSpec(VITE_REACT_TEMPLATE);
    assert.deepEqual(warnings, []);
    assert.deepEqual(spec, {
      file: 'amplify.yml',
      version: 1,
      env: { variables: {} },
      customHeaders: [],
      backend: { phases: { build: { commands: ['npm ci --cache .npm --prefer-offline', PIPELINE_DEPLOY] } } },
      frontend: {
        phases: { build: { commands: ['npm run build'] } },
        artifacts: { baseDirectory: 'dist', files: ['**/*'], discardPaths: false },
        cache: { paths: ['.npm/**/*', 'node_modules/**/*'] },
      },
    });
  });

  it('reads the Next.js template', () => {
    const { spec, warnings } = parseBuildSpec(NEXT_TEMPLATE);
    assert.deepEqual(warnings, []);
    assert.deepEqual(spec.backend?.phases.build?.commands, ['npm ci --cache .npm --prefer-offline', PIPELINE_DEPLOY]);
    assert.deepEqual(spec.frontend?.phases, { build: { commands: ['npm run build'] } });
    assert.deepEqual(spec.frontend?.artifacts, { baseDirectory: '.next', files: ['**/*'], discardPaths: false });
    assert.deepEqual(spec.frontend?.cache.paths, ['.next/cache/**/*', '.npm/**/*', 'node_modules/**/*']);
  });

  it('reads the first Gen 2 preview of the Next.js template', () => {
    const { spec, warnings } = parseBuildSpec(NEXT_TEMPLATE_PREVIEW);
    assert.deepEqual(warnings, []);
    assert.deepEqual(spec.backend?.phases.build?.commands, [
      'nvm use 18',
      'npm ci',
      'npx amplify pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID',
    ]);
    assert.deepEqual(spec.frontend?.phases.preBuild?.commands, ['npm ci']);
  });

  it('reads the Angular template', () => {
    const { spec, warnings } = parseBuildSpec(ANGULAR_TEMPLATE);
    assert.deepEqual(warnings, []);
    assert.deepEqual(spec.frontend?.phases, {
      preBuild: { commands: ['npx ng version'] },
      build: { commands: ['npx ng build --configuration=production'] },
    });
    assert.equal(spec.frontend?.artifacts?.baseDirectory, 'dist/amplify-angular-template/browser');
  });

  it('reads the custom-pipeline spec (generate outputs, the pipeline-deploy line commented out)', () => {
    const { spec } = parseBuildSpec(CUSTOM_PIPELINE_SPEC);
    assert.deepEqual(spec.backend?.phases.build?.commands, [
      'npm ci --cache .npm --prefer-offline',
      'npx ampx generate outputs --branch $AWS_BRANCH --app-id $AWS_APP_ID',
    ]);
  });

  it('reads the documented backend-only spec with its unquoted webhook curl', () => {
    const { spec, warnings } = parseBuildSpec(BACKEND_WEBHOOK_SPEC);
    assert.deepEqual(warnings, []);
    assert.equal(
      spec.frontend?.phases.build?.commands[1],
      'curl -X POST -d {} "https://webhooks.amplify.ca-central-1.amazonaws.com/prod/webhooks?id=WEBHOOK-ID&token=TOKEN&operation=startbuild" -H "Content-Type:application/json"',
    );
  });

  it('reads a JSON build spec (as the Amplify API buildSpec field may hold)', () => {
    const json = JSON.stringify({
      version: '1.0',
      frontend: { phases: { build: { commands: ['yarn build'] } }, artifacts: { baseDirectory: '.next', files: ['**/*'] } },
    });
    const { spec } = parseBuildSpec(json, 'buildSpec');
    assert.equal(spec.version, 1);
    assert.deepEqual(spec.frontend?.phases.build?.commands, ['yarn build']);
  });
});

describe('parseBuildSpec: monorepo specs', () => {
  it('reads applications with their appRoot, merging top-level env under each', () => {
    const { spec, warnings } = parseBuildSpec(MONOREPO_SPEC);
    assert.deepEqual(warnings, []);
    assert.equal(spec.applications?.length, 2);
    const [web, admin] = spec.applications!;
    assert.equal(web!.appRoot, 'apps/web');
    assert.deepEqual(web!.env.variables, { NODE_OPTIONS: '--max-old-space-size=4096' });
    assert.deepEqual(web!.backend?.phases.build?.commands, ['npm ci --cache .npm --prefer-offline', PIPELINE_DEPLOY]);
    assert.equal(admin!.appRoot, 'apps/admin');
    assert.equal(admin!.frontend?.buildPath, '/');
    assert.deepEqual(admin!.env.variables, { NODE_OPTIONS: '--max-old-space-size=4096', NEXT_TELEMETRY_DISABLED: '1' });
    assert.equal(admin!.backend, undefined);
  });

  it('normalises appRoot and accepts the buildpath spelling', () => {
    const { spec } = parseBuildSpec(`version: 1
applications:
  - appRoot: ./apps/site/
    frontend:
      buildpath: /
      phases:
        build:
          commands: [npm run build]
      artifacts:
        baseDirectory: apps/site/out
        files: ['**/*']
`);
    assert.equal(spec.applications?.[0]?.appRoot, 'apps/site');
    assert.equal(spec.applications?.[0]?.frontend?.buildPath, '/');
  });

  it('rejects an application without appRoot, duplicate appRoots and sections left at the top level', () => {
    const error = rejects(`version: 1
frontend:
  phases:
    build:
      commands: [npm run build]
applications:
  - frontend:
      phases:
        build:
          commands: [npm run build]
  - appRoot: apps/a
    frontend: {}
  - appRoot: apps/a/
    frontend: {}
`);
    const paths = error.details.issues.map((issue) => issue.path);
    assert.deepEqual(paths, ['frontend', 'applications[0]', 'applications[2].appRoot']);
    assert.match(error.message, /amplify\.yml:2:1: frontend: a spec with applications declares frontend inside each application/);
    assert.match(error.message, /amplify\.yml:7:5: applications\[0\]: this application has no appRoot: add "appRoot: <directory of the app in the repository>"/);
    assert.match(error.message, /appRoot "apps\/a" is already used by applications\[1\]/);
  });

  it('rejects an appRoot outside the repository', () => {
    const error = rejects(`version: 1
applications:
  - appRoot: ../elsewhere
    frontend: {}
`);
    assert.match(error.message, /amplify\.yml:3:14: applications\[0\]\.appRoot: appRoot "\.\.\/elsewhere" leaves the repository/);
  });
});

describe('parseBuildSpec: YAML 1.1 quirks', () => {
  it('accepts discard-paths: yes, unquoted versions, and keeps env values as written', () => {
    const { spec, warnings } = parseBuildSpec(`version: 0.1
env:
  variables:
    UMASK: 0755
    AT: 12:30
    RATIO: 1.10
    ENABLED: yes
    QUOTED: "on"
frontend:
  phases:
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: build
    discard-paths: yes
    files:
      - '**/*'
`);
    assert.deepEqual(warnings, []);
    assert.equal(spec.version, 0.1);
    assert.equal(spec.frontend?.artifacts?.discardPaths, true);
    assert.deepEqual(spec.env.variables, { UMASK: '0755', AT: '12:30', RATIO: '1.10', ENABLED: 'yes', QUOTED: 'on' });
  });

  it('accepts discard-paths spelled as a quoted yes/no and version 1.0', () => {
    for (const [written, expected] of [['"yes"', true], ["'no'", false], ['off', false], ['true', true]] as const) {
      const { spec } = parseBuildSpec(`version: 1.0\nfrontend:\n  artifacts:\n    baseDirectory: dist\n    discard-paths: ${written}\n`);
      assert.equal(spec.version, 1);
      assert.equal(spec.frontend?.artifacts?.discardPaths, expected, written);
    }
  });

  it('follows anchors, aliases and << merge keys', () => {
    const { spec, warnings } = parseBuildSpec(`version: 1
x-install: &install
  commands:
    - npm ci
x-build: &build
  build:
    commands:
      - npm run build
backend:
  phases:
    preBuild: *install
frontend:
  phases:
    <<: *build
    preBuild: *install
  artifacts:
    baseDirectory: dist
`);
    assert.deepEqual(warnings, []);
    assert.deepEqual(spec.backend?.phases, { preBuild: { commands: ['npm ci'] } });
    assert.deepEqual(spec.frontend?.phases, { preBuild: { commands: ['npm ci'] }, build: { commands: ['npm run build'] } });
  });

  it('keeps block-scalar commands whole', () => {
    const { spec } = parseBuildSpec(`version: 1
frontend:
  phases:
    build:
      commands:
        - |
          if [ "$AWS_BRANCH" != "main" ]; then
            echo preview
          fi
        - npm run build
  artifacts:
    baseDirectory: dist
`);
    assert.deepEqual(spec.frontend?.phases.build?.commands, ['if [ "$AWS_BRANCH" != "main" ]; then\n  echo preview\nfi\n', 'npm run build']);
  });
});

describe('parseBuildSpec: warnings', () => {
  it('warns about secrets-manager, runtime-versions, unknown keys and absolute cache paths, and ignores them', () => {
    const { spec, warnings } = parseBuildSpec(`version: 1
env:
  variables:
    STAGE: prod
  secrets-manager:
    TOKEN: arn:aws:secretsmanager:us-east-1:123456789012:secret:token
frontend:
  phases:
    build:
      runtime-versions:
        nodejs: 20
      commands:
        - npm run build
  artifacts:
    baseDirectory: dist
  cache:
    paths:
      - /root/.pnpm-store/**/*
      - node_modules/**/*
buildTypes:
  - type: BUILD
`);
    assert.deepEqual(spec.env.variables, { STAGE: 'prod' });
    assert.deepEqual(spec.frontend?.cache.paths, ['node_modules/**/*']);
    assert.deepEqual(
      warnings.map((warning) => [warning.line, warning.path, warning.code]),
      [
        [5, 'env.secrets-manager', 'unsupported'],
        [10, 'frontend.phases.build.runtime-versions', 'unsupported'],
        [18, 'frontend.cache.paths[0]', 'ignored'],
        [20, 'buildTypes', 'unknown-key'],
      ],
    );
    assert.match(warnings[0]!.message, /secrets-manager is not supported/);
    assert.match(warnings[2]!.message, /Amplify does not cache absolute paths/);
  });

  it('warns when version is missing and when frontend has no artifacts', () => {
    const { spec, warnings } = parseBuildSpec('frontend:\n  phases:\n    build:\n      commands: [make]\n');
    assert.equal(spec.version, 1);
    assert.deepEqual(warnings.map((warning) => warning.path), ['version', 'frontend']);
    assert.match(warnings[1]!.message, /frontend has no artifacts: the job publishes nothing/);
  });

  it('accepts ~/ cache paths', () => {
    const { spec, warnings } = parseBuildSpec(`version: 1
frontend:
  artifacts:
    baseDirectory: dist
  cache:
    paths:
      - ~/.cache/**/*
      - node_modules/**/*
`);
    assert.deepEqual(warnings, []);
    assert.deepEqual(spec.frontend?.cache.paths, ['~/.cache/**/*', 'node_modules/**/*']);
  });
});

describe('parseBuildSpec: malformed specs', () => {
  it('reports bad YAML with its line and column', () => {
    const error = rejects(`version: 1
frontend:
  phases:
    build:
      commands:
        - npm ci
       - npm run build
`);
    assert.equal(error.details.issues.length, 1);
    assert.match(error.message, /^amplify\.yml:7:\d+: invalid YAML: /);
    assert.match(error.message, /Check the indentation/);
  });

  it('explains a command starting with [ and tabs', () => {
    const bracket = rejects('version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - [ -d dist ] || mkdir dist\n');
    assert.match(bracket.message, /^amplify\.yml:6:\d+: invalid YAML: .*quote the whole command, e\.g\. - '\[ -d dist \] \|\| mkdir dist'/);
    const tab = rejects('version: 1\nfrontend:\n\tphases: {}\n');
    assert.match(tab.message, /^amplify\.yml:3:1: invalid YAML: Tabs are not allowed as indentation\. Indent with spaces/);
  });

  it('rejects duplicate keys and multiple documents', () => {
    assert.match(rejects('version: 1\nversion: 1\n').message, /^amplify\.yml:2:1: invalid YAML: Map keys must be unique/);
    assert.match(rejects('version: 1\n---\nversion: 1\n').message, /remove the "---" separator/);
  });

  it('rejects empty files and non-mapping documents', () => {
    assert.match(rejects('').message, /the build spec is empty/);
    assert.match(rejects('# nothing here\n').message, /the build spec is empty/);
    assert.match(rejects('- npm ci\n').message, /^amplify\.yml:1:1: expected a build spec \(a mapping of "key: value" lines\), found a list/);
  });

  it('rejects a mapping, a number, a boolean and a list in commands, saying how to quote them', () => {
    const error = rejects(`version: 1
frontend:
  phases:
    build:
      commands:
        - npm ci
        - echo a: b
        - 42
        - true
        - [ -f .env ]
        -
  artifacts:
    baseDirectory: dist
`);
    const issues = error.details.issues;
    assert.deepEqual(
      issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}`),
      [
        '7:11 frontend.phases.build.commands[1]',
        '8:11 frontend.phases.build.commands[2]',
        '9:11 frontend.phases.build.commands[3]',
        '10:11 frontend.phases.build.commands[4]',
        '11:10 frontend.phases.build.commands[5]',
      ],
    );
    assert.match(error.message, /^amplify\.yml: 5 errors in the build spec:\n/);
    assert.match(
      error.message,
      /amplify\.yml:7:11: frontend\.phases\.build\.commands\[1\]: expected a string \(a shell command\), found a mapping: YAML reads "echo a: b" as "key: value" because of the ": " in it\. Quote the command: - 'echo a: b'/,
    );
    assert.match(error.message, /commands\[2\]: expected a string \(a shell command\), found a number \(42\)\. Quote the command: - '42'/);
    assert.match(error.message, /commands\[3\]: .*found a boolean \(true\)\. Quote the command: - 'true'/);
    assert.match(error.message, /commands\[4\]: .*found a list: YAML reads "\[ -f \.env \]" as a list because it starts with "\["/);
    assert.match(error.message, /commands\[5\]: empty list item/);
    assert.match(error.message, /\n {2}7 \| {9}- echo a: b\n {4}\| {11}\^/);
  });

  it('rejects commands written as one string', () => {
    const error = rejects('version: 1\nbackend:\n  phases:\n    build:\n      commands: npm ci\n');
    assert.match(error.message, /amplify\.yml:5:17: backend\.phases\.build\.commands: expected a list of commands, found the string "npm ci": write each command on its own "- " line/);
  });

  it('rejects misspelled and unknown phase names, naming the right key', () => {
    const error = rejects(`version: 1
backend:
  phases:
    prebuild:
      commands: [npm ci]
    Build:
      commands: [npm run deploy]
    install:
      commands: [npm ci]
frontend:
  phases:
    pre_build:
      commands: [npm ci]
    test:
      commands: [npm test]
    deploy:
      commands: [./deploy.sh]
  artifacts:
    basedirectory: dist
test:
  phases:
    build:
      commands: [npm test]
`);
    const byPath = new Map(error.details.issues.map((issue) => [issue.path, issue.message]));
    assert.match(byPath.get('backend.phases.prebuild')!, /unknown key "prebuild" in backend\.phases: did you mean "preBuild"\? Keys are case-sensitive\./);
    assert.match(byPath.get('backend.phases.Build')!, /did you mean "build"\?/);
    assert.match(byPath.get('backend.phases.install')!, /no install phase .* put install commands such as npm ci in backend\.phases\.preBuild/);
    assert.match(byPath.get('frontend.phases.pre_build')!, /did you mean "preBuild"\?/);
    assert.match(byPath.get('frontend.phases.test')!, /test is a test phase: put it under test\.phases/);
    assert.match(byPath.get('frontend.phases.deploy')!, /unknown key "deploy" in frontend\.phases: expected "preBuild", "build" or "postBuild"/);
    assert.match(byPath.get('frontend.artifacts.basedirectory')!, /did you mean "baseDirectory"\?/);
    assert.match(byPath.get('test.phases.build')!, /rename build to test/);
    assert.equal(error.details.issues.length, 8);
  });

  it('rejects misplaced sections', () => {
    const error = rejects(`version: 1
phases:
  build:
    commands: [npm run build]
frontend:
  build:
    commands: [npm run build]
  artifacts:
    baseDirectory: dist
`);
    assert.deepEqual(error.details.issues.map((issue) => issue.path), ['phases', 'frontend.build']);
    assert.match(error.message, /phases go under frontend\.phases: write frontend\.phases\.build/);
  });

  it('rejects wrong types', () => {
    const error = rejects(`version: one
env:
  variables:
    - A=1
frontend:
  phases: [build]
  artifacts:
    baseDirectory: [dist]
    files: '**/*'
    discard-paths: maybe
customHeaders:
  pattern: '**/*'
`);
    assert.deepEqual(
      error.details.issues.map((issue) => issue.path),
      ['version', 'env.variables', 'frontend.phases', 'frontend.artifacts.baseDirectory', 'frontend.artifacts.files', 'frontend.artifacts.discard-paths', 'customHeaders'],
    );
    assert.match(error.message, /version: expected a version number such as 1, found the string "one"/);
    assert.match(error.message, /env\.variables: expected environment variables \(a mapping of "key: value" lines\), found a list/);
    assert.match(error.message, /files: expected a list of file globs, found the string "\*\*\/\*": write one item per "- " line/);
    assert.match(error.message, /discard-paths: expected yes or no \(true or false\), found the string "maybe"/);
  });

  it('rejects an unquoted glob starting with * (a YAML alias)', () => {
    const error = rejects('version: 1\nfrontend:\n  artifacts:\n    baseDirectory: dist\n    files:\n      - **/*\n');
    assert.equal(error.details.issues.length, 1);
    assert.match(error.message, /amplify\.yml:6:9: frontend\.artifacts\.files\[0\]: YAML reads \*\*\/\* as an alias because it starts with "\*": quote it, e\.g\. '\*\*\/\*'/);
  });

  it('rejects path traversal in artifacts and cache', () => {
    const error = rejects(`version: 1
frontend:
  buildPath: ../..
  artifacts:
    baseDirectory: ../../etc
    files:
      - ../secrets/*
      - /etc/passwd
      - '!**/*.map'
  cache:
    paths:
      - ../../outside/**/*
      - ~root/.ssh/**/*
      - ~/../escape/**/*
`);
    assert.deepEqual(
      error.details.issues.map((issue) => `${issue.line} ${issue.path} ${issue.code}`),
      [
        '3 frontend.buildPath path-outside',
        '5 frontend.artifacts.baseDirectory path-outside',
        '7 frontend.artifacts.files[0] path-outside',
        '8 frontend.artifacts.files[1] path-outside',
        '9 frontend.artifacts.files[2] path-outside',
        '12 frontend.cache.paths[0] path-outside',
        '13 frontend.cache.paths[1] invalid-value',
        '14 frontend.cache.paths[2] path-outside',
      ],
    );
    assert.match(error.message, /amplify\.yml:5:20: frontend\.artifacts\.baseDirectory: baseDirectory "\.\.\/\.\.\/etc" leaves the repository/);
    assert.match(error.message, /"\/etc\/passwd" is absolute/);
    assert.match(error.message, /"!\*\*\/\*\.map" is an exclusion/);
  });

  it('rejects an absolute baseDirectory but accepts "/" as the build root', () => {
    assert.match(rejects('version: 1\nfrontend:\n  artifacts:\n    baseDirectory: /var/www\n').message, /baseDirectory "\/var\/www" is absolute/);
    assert.equal(parseBuildSpec('version: 1\nfrontend:\n  artifacts:\n    baseDirectory: /\n').spec.frontend?.artifacts?.baseDirectory, '/');
  });

  it('rejects invalid environment variable and header names', () => {
    const error = rejects(`version: 1
env:
  variables:
    MY-VAR: 1
customHeaders:
  - pattern: '**/*'
    headers:
      - key: 'Bad Header'
        value: x
  - headers:
      - key: X-Frame-Options
frontend:
  artifacts:
    baseDirectory: dist
`);
    assert.deepEqual(error.details.issues.map((issue) => issue.path), ['env.variables.MY-VAR', 'customHeaders[0].headers[0].key', 'customHeaders[1]', 'customHeaders[1].headers[0]']);
  });

  it('uses the given file name in messages', () => {
    assert.match(rejects('version: [1]\n', 'apps/web/amplify.yml').message, /^apps\/web\/amplify\.yml:1:10: version:/);
  });
});

describe('parseBuildSpec: custom headers', () => {
  it('reads top-level customHeaders and applies them to applications without their own', () => {
    const { spec } = parseBuildSpec(`version: 1
customHeaders:
  - pattern: '**/*'
    headers:
      - key: Strict-Transport-Security
        value: max-age=31536000; includeSubDomains
      - key: Cache-Control
        value: 0
applications:
  - appRoot: a
    frontend: { artifacts: { baseDirectory: dist } }
  - appRoot: b
    frontend: { artifacts: { baseDirectory: dist } }
    customHeaders:
      - pattern: /assets/*
        headers:
          - key: Cache-Control
            value: public, max-age=31536000, immutable
`);
    const rules = [
      { pattern: '**/*', headers: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }, { key: 'Cache-Control', value: '0' }] },
    ];
    assert.deepEqual(spec.customHeaders, rules);
    assert.deepEqual(spec.applications?.[0]?.customHeaders, rules);
    assert.deepEqual(spec.applications?.[1]?.customHeaders, [
      { pattern: '/assets/*', headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }] },
    ]);
  });

  it('warns that customHeaders under frontend is not read', () => {
    const { warnings } = parseBuildSpec(`version: 1
frontend:
  artifacts:
    baseDirectory: dist
  customHeaders:
    - pattern: '**/*'
      headers: [{ key: X-Frame-Options, value: DENY }]
`);
    assert.deepEqual(warnings.map((warning) => warning.path), ['frontend.customHeaders']);
    assert.match(warnings[0]!.message, /move it to the top level/);
  });
});
