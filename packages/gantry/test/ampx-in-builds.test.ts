// `ampx` inside hosting builds and workflow actions is Gantry's, whatever the app installed. An app with the real
// `@aws-amplify/backend-cli` installed from the registry runs every usual form of `ampx …` with the environment
// prepareBuildTools gives builds (PATH, npm's settings, NODE_OPTIONS with the handover preload), and each must
// print exactly what Gantry's ampx prints for the same arguments. Other Node programs of the build, and an app's
// own NODE_OPTIONS, are unaffected. Real processes throughout: the installed package, npm, npx, the front.
//
// The real package is installed once per version into node_modules/.cache/gantry-fixtures/ (about 600 MB and half
// a minute: its dependencies, without `aws-cdk-lib` and the other peers, and without install scripts); later runs
// reuse it offline.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appendNodeOptions } from '@gantry/runner';
import { nodeOptionsWord } from '../src/server/ampx-handover.ts';
import { prepareBuildTools, type BuildTools } from '../src/server/build-tools.ts';
import { findRealNpx } from '../src/server/npx-front.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
/** The version of the real CLI the app installs: pinned, so the fixture (and its cache) stays the same. */
const BACKEND_CLI_VERSION = '1.10.0';
const scratch = mkdtempSync(join(tmpdir(), 'gantry-ampx-in-builds-'));
let tools: BuildTools;
let fixture: string;
let app: string;
let realNpx: string;

after(() => rmSync(scratch, { recursive: true, force: true }));

function dir(name: string): string {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  return path;
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Result {
  const out = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(out.error, undefined, String(out.error));
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

const sh = (script: string, cwd: string, env: Record<string, string>) => run('/bin/sh', ['-c', script], cwd, env);

/** A build's environment: what Gantry gives build steps (CI, PATH, the tools' variables), nothing of the server's. */
function buildEnv(from: BuildTools = tools, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [from.bin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: dir('home'),
    LANG: 'C.UTF-8',
    CI: 'true',
    AWS_CONFIG_FILE: join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-aws-credentials'),
    ...from.environment,
    ...extra,
  };
}

/**
 * `npm install @aws-amplify/backend-cli@<version>` into `node_modules/.cache/gantry-fixtures/backend-cli-<version>`,
 * once: installed under a temporary name and renamed into place when complete, so a killed install or another
 * test process installing at the same time never leaves a half-installed fixture behind.
 */
function backendCliFixture(version: string): string {
  const cache = join(ROOT, 'node_modules', '.cache', 'gantry-fixtures');
  const target = join(cache, `backend-cli-${version}`);
  const done = join(target, 'node_modules', '@aws-amplify', 'backend-cli', 'lib', 'ampx.js');
  if (existsSync(done)) return target;
  mkdirSync(cache, { recursive: true });
  const temp = join(cache, `.backend-cli-${version}.${process.pid}.tmp`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  writeFileSync(join(temp, 'package.json'), JSON.stringify({ name: 'backend-cli-fixture', private: true }));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|NODE_OPTIONS$|NODE_TEST_CONTEXT$)/i.test(name)));
  const install = spawnSync('npm', [
    'install', `@aws-amplify/backend-cli@${version}`,
    '--no-package-lock', '--ignore-scripts', '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error',
  ], { cwd: temp, env: { ...env, CI: 'true' } as Record<string, string>, encoding: 'utf8', timeout: 15 * 60_000 });
  try {
    assert.equal(install.status, 0, `npm install @aws-amplify/backend-cli@${version} failed: ${install.error ?? install.stderr}`);
    assert.ok(existsSync(join(temp, 'node_modules', '@aws-amplify', 'backend-cli', 'lib', 'ampx.js')), 'the real bin is lib/ampx.js');
    try {
      renameSync(temp, target);
    } catch (error) {
      // Another process renamed its own install into place first.
      if (!existsSync(done)) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return target;
}

/** Gantry's ampx, run directly: what every form must print. */
const gantry = (args: string[], cwd = app, env = buildEnv()) => run(tools.ampx, args, cwd, env);

/** The two argument lists every form runs: a subcommand's help (Gantry's flags), and words with spaces and quotes. */
const ARGUMENTS = [
  ['generate', 'outputs', '--help'],
  ['generate', 'outputs', 'two words', "it's", '--branch', 'a "b"'],
];
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
const words = (args: string[]) => args.map(quote).join(' ');

before(() => {
  fixture = backendCliFixture(BACKEND_CLI_VERSION);
  tools = prepareBuildTools(dir('data'));
  realNpx = findRealNpx(tools.bin)!;
  assert.ok(realNpx, 'a real npx');
  // The app: its package.json, and the node_modules `npm ci` would have made (the fixture's).
  app = dir('app');
  symlinkSync(join(fixture, 'node_modules'), join(app, 'node_modules'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'amplify-gen2-app',
    private: true,
    scripts: { 'generate-outputs': 'ampx generate outputs', deploy: 'ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID' },
    devDependencies: { '@aws-amplify/backend-cli': BACKEND_CLI_VERSION },
  }));
  mkdirSync(join(app, 'amplify'));
});

describe('the app\'s installed @aws-amplify/backend-cli', () => {
  test('is the real one: without the tools\' NODE_OPTIONS its bin runs the real CLI', () => {
    const { NODE_OPTIONS: _, ...env } = buildEnv();
    const real = run(join(app, 'node_modules', '.bin', 'ampx'), ['--help'], app, env);
    assert.notDeepEqual(real, gantry(['--help']));
    // Its own modules load (and stop at `aws-cdk-lib`, a peer the fixture leaves out).
    assert.match(real.stderr, /@aws-amplify\/backend-cli\/lib\/|aws-cdk-lib/);
    assert.equal(realpathSync(join(app, 'node_modules', '.bin', 'ampx')), join(fixture, 'node_modules', '@aws-amplify', 'backend-cli', 'lib', 'ampx.js'));
  });
});

describe('every form of ampx in a build runs Gantry\'s ampx with the same arguments', () => {
  const forms: [string, (args: string[]) => string, string?][] = [
    ['node_modules/.bin/ampx …', (args) => `node_modules/.bin/ampx ${words(args)}`],
    ['node_modules/.bin/amplify …', (args) => `node_modules/.bin/amplify ${words(args)}`],
    ['ampx … with node_modules/.bin on PATH', (args) => `PATH="$PWD/node_modules/.bin:$PATH" ampx ${words(args)}`],
    // What the bin shims of pnpm and Yarn run.
    ['node …/@aws-amplify/backend-cli/lib/ampx.js …', (args) => `node node_modules/@aws-amplify/backend-cli/lib/ampx.js ${words(args)}`],
    ['npx ampx … (the front)', (args) => `npx ampx ${words(args)}`],
    ['npx ampx … from a subdirectory', (args) => `cd amplify && npx ampx ${words(args)}`],
    ['npx @aws-amplify/backend-cli … (the front)', (args) => `npx @aws-amplify/backend-cli ${words(args)}`],
    [`npx @aws-amplify/backend-cli@${BACKEND_CLI_VERSION} … (the front)`, (args) => `npx @aws-amplify/backend-cli@${BACKEND_CLI_VERSION} ${words(args)}`],
    ['npx ampx … (npm\'s own npx)', (args) => `"$REAL_NPX" ampx ${words(args)}`],
    ['npx @aws-amplify/backend-cli … (npm\'s own npx)', (args) => `"$REAL_NPX" @aws-amplify/backend-cli ${words(args)}`],
    ['npx --yes ampx …', (args) => `npx --yes ampx ${words(args)}`],
    ['npm exec ampx -- …', (args) => `npm exec ampx -- ${words(args)}`],
    ['npm exec -- ampx …', (args) => `npm exec -- ampx ${words(args)}`],
    ['npm run <script> -- … (script: ampx generate outputs)', (args) => `npm run --silent generate-outputs -- ${words(args.slice(2))}`],
  ];
  for (const [what, command] of forms) {
    test(what, () => {
      for (const args of ARGUMENTS) {
        const out = sh(command(args), app, buildEnv(tools, { REAL_NPX: realNpx }));
        assert.deepEqual(out, gantry(args), `${what}: ${args.join(' ')}`);
      }
    });
  }

  test('npm run <script> prints npm\'s header, then Gantry\'s ampx', () => {
    const out = sh('npm run generate-outputs -- --help', app, buildEnv());
    const expected = gantry(['generate', 'outputs', '--help']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^\n> generate-outputs\n> ampx generate outputs --help\n\n/);
    assert.ok(out.stdout.endsWith(expected.stdout), out.stdout);
  });

  test('amplify.yml\'s `npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID`, and the same as an npm script', () => {
    // No endpoint: Gantry's ampx stops at its own first step, with its own error.
    const env = buildEnv(tools, { AWS_BRANCH: 'main', AWS_APP_ID: 'd1example' });
    const expected = gantry(['pipeline-deploy', '--branch', 'main', '--app-id', 'd1example'], app, env);
    assert.equal(expected.status, 1);
    assert.doesNotMatch(expected.stderr, /backend-cli|aws-cdk/);
    assert.deepEqual(sh('npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID', app, env), expected);
    assert.deepEqual(sh('"$REAL_NPX" ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID', app, { ...env, REAL_NPX: realNpx }), expected);
    const script = sh('npm run --silent deploy', app, env);
    assert.equal(script.status, 1);
    assert.equal(script.stdout, expected.stdout);
    assert.ok(script.stderr.startsWith(expected.stderr), script.stderr);
  });

  for (const manager of ['yarn', 'pnpm'] as const) {
    const found = spawnSync('sh', ['-c', `command -v ${manager}`], { encoding: 'utf8' }).stdout.trim();
    test(`${manager} ${manager === 'yarn' ? 'ampx' : 'exec ampx'} …`, { skip: found ? false : `no ${manager} on this machine` }, () => {
      const args = ARGUMENTS[0]!;
      const out = sh(`${manager} ${manager === 'yarn' ? '--silent ampx' : 'exec ampx'} ${words(args)}`, app, buildEnv());
      assert.equal(out.stdout, gantry(args).stdout);
    });
  }
});

describe('everything else in a build', () => {
  test('other Node programs run as they would without the preload', () => {
    const { NODE_OPTIONS: _, ...without } = buildEnv();
    const programs: string[] = [
      'node -e "console.log(process.argv.length, typeof require(\'module\').runMain)"',
      'node -p "require.main === undefined"',
      'node_modules/.bin/browserslist --version',
      'node node_modules/semver/bin/semver.js 1.2.3 -r ">=1"',
      'npm --version',
      'npx --version',
      'npm pkg get name',
      // A worker thread, which gets the preload too.
      'node -e "new (require(\'worker_threads\').Worker)(\'console.log(42)\', { eval: true })"',
      // An ES module main script, and a CommonJS one, both named like the real bin but not it.
      'mkdir -p mine/lib && echo "console.log(\'my own ampx\', process.argv.slice(2).join(\' \'))" > mine/lib/ampx.js && node mine/lib/ampx.js a b',
      'echo "export {}; console.log(\'my own ampx.mjs\', import.meta.url.endsWith(\'ampx.mjs\'))" > mine/ampx.mjs && node mine/ampx.mjs',
    ];
    const cwd = dir('app-programs');
    symlinkSync(join(fixture, 'node_modules'), join(cwd, 'node_modules'));
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'programs', private: true }));
    for (const program of programs) {
      const expected = sh(program, cwd, without);
      assert.equal(expected.status, 0, `${program}: ${expected.stderr}`);
      assert.deepEqual(sh(program, cwd, buildEnv()), expected, program);
    }
  });

  test('another package\'s node_modules/.bin/ampx stays the app\'s', () => {
    const other = dir('other-ampx');
    mkdirSync(join(other, 'node_modules', 'ampx', 'bin'), { recursive: true });
    writeFileSync(join(other, 'node_modules', 'ampx', 'package.json'), JSON.stringify({ name: 'ampx', version: '1.0.0', bin: { ampx: 'bin/ampx' } }));
    writeFileSync(join(other, 'node_modules', 'ampx', 'bin', 'ampx'), '#!/usr/bin/env node\nconsole.log("the ampx package:", process.argv.slice(2).join(" "));\n', { mode: 0o755 });
    mkdirSync(join(other, 'node_modules', '.bin'));
    symlinkSync('../ampx/bin/ampx', join(other, 'node_modules', '.bin', 'ampx'));
    for (const command of ['node_modules/.bin/ampx generate outputs', 'npx ampx generate outputs', 'npm exec -- ampx generate outputs']) {
      const out = sh(command, other, buildEnv());
      assert.equal(out.stdout, 'the ampx package: generate outputs\n', command);
    }
  });

  test('an app\'s own NODE_OPTIONS keeps working beside the tools\' (appendNodeOptions)', () => {
    const cwd = app;
    writeFileSync(join(dir('preload'), 'app-preload.cjs'), 'process.env.APP_PRELOAD_RAN = "yes";\n');
    const own = `--max-old-space-size=1234 --require ${join(scratch, 'preload', 'app-preload.cjs')}`;
    const env = buildEnv(tools, { NODE_OPTIONS: appendNodeOptions(own, tools.nodeOptions) });
    assert.equal(env.NODE_OPTIONS, `${own} ${tools.nodeOptions}`);
    const probe = sh('node -p "Math.round(require(\'v8\').getHeapStatistics().heap_size_limit / 2 ** 20) + \' \' + process.env.APP_PRELOAD_RAN"', cwd, env);
    const [heapMiB, preloaded] = probe.stdout.trim().split(' ');
    assert.ok(Number(heapMiB) >= 1234 && Number(heapMiB) < 1300, `the app's --max-old-space-size=1234: ${probe.stdout}${probe.stderr}`);
    assert.equal(preloaded, 'yes', "the app's own --require");
    for (const command of ['node_modules/.bin/ampx --help', 'npm exec -- ampx --help', 'npx ampx --help']) {
      assert.deepEqual(sh(command, cwd, env), gantry(['--help']), command);
    }
    // A step that extends NODE_OPTIONS, as apps do, keeps the preload; one that replaces it still gets Gantry's
    // ampx from `npx ampx` (the front needs no preload).
    assert.deepEqual(sh('export NODE_OPTIONS="$NODE_OPTIONS --max-old-space-size=2048"; node_modules/.bin/ampx --help', cwd, buildEnv()), gantry(['--help']));
    assert.deepEqual(sh('export NODE_OPTIONS=--max-old-space-size=2048; npx ampx --help', cwd, buildEnv()), gantry(['--help']));
  });

  test('appendNodeOptions appends, once', () => {
    const mine = '--require /t/gantry/ampx-handover.cjs';
    assert.equal(appendNodeOptions(undefined, mine), mine);
    assert.equal(appendNodeOptions('  ', mine), mine);
    assert.equal(appendNodeOptions('--max-old-space-size=4096', mine), `--max-old-space-size=4096 ${mine}`);
    assert.equal(appendNodeOptions(`--max-old-space-size=4096 ${mine}`, mine), `--max-old-space-size=4096 ${mine}`);
    assert.equal(appendNodeOptions('--inspect', ''), '--inspect');
    assert.equal(nodeOptionsWord('/plain/path.cjs'), '/plain/path.cjs');
    assert.equal(nodeOptionsWord('/a b/"c"\\d.cjs'), '"/a b/\\"c\\"\\\\d.cjs"');
  });

  test('a tools prefix with spaces in its path is quoted in NODE_OPTIONS', () => {
    const spaced = prepareBuildTools(dir('data with "spaces"'));
    assert.match(spaced.nodeOptions, /^--require "/);
    assert.deepEqual(sh('node_modules/.bin/ampx --help', app, buildEnv(spaced)), gantry(['--help']));
    assert.equal(sh('node -e "console.log(1)"', app, buildEnv(spaced)).stdout, '1\n');
  });

  test('the preload is rewritten only when it changes', () => {
    const data = dir('data-again');
    const first = prepareBuildTools(data);
    const file = join(first.prefix, 'gantry', 'ampx-handover.cjs');
    const stat = statSync(file);
    const second = prepareBuildTools(data);
    assert.equal(second.nodeOptions, first.nodeOptions);
    assert.equal(statSync(file).ino, stat.ino);
    assert.equal(second.environment.NODE_OPTIONS, first.nodeOptions);
    assert.deepEqual(second.environment, { ...second.npmEnvironment, NODE_OPTIONS: second.nodeOptions });
  });

  test('never breaks a build: without Gantry\'s ampx the app\'s own runs, after one warning line', () => {
    const broken = prepareBuildTools(dir('data-broken'));
    rmSync(join(broken.bin, 'ampx'));
    const { NODE_OPTIONS: _, ...without } = buildEnv(broken);
    const real = sh('node_modules/.bin/ampx --help', app, without);
    const out = sh('node_modules/.bin/ampx --help', app, buildEnv(broken));
    const [first, ...rest] = out.stderr.split('\n');
    assert.match(first!, /^gantry: warning: running the app's own @aws-amplify\/backend-cli \(.*lib\/ampx\.js\), not Gantry's ampx: /);
    assert.deepEqual({ ...out, stderr: rest.join('\n') }, real);
    assert.equal(sh('node -e "console.log(1)"', app, buildEnv(broken)).stdout, '1\n');
  });
});
