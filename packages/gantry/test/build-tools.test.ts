// The tools builds and workflow actions find first on their PATH: Gantry's ampx bundled into one file (cached,
// rebuilt only when its sources change) and an `npx` front that runs it without loading npm's CLI when npx would
// run it anyway. Real processes throughout: the bundler, the front, the real npx.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gantryAmpx, isBundleFresh, recordFor } from '../src/server/ampx-bundle.ts';
import { prepareBuildTools, type BuildTools } from '../src/server/build-tools.ts';
import { writeNpxFront } from '../src/server/npx-front.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BUILD_TOOLS = resolve(import.meta.dirname, '../src/server/build-tools.ts');
const scratch = mkdtempSync(join(tmpdir(), 'gantry-build-tools-'));
const cacheDir = join(scratch, 'cache');
const ampx = gantryAmpx();
let tools: BuildTools;

after(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory of its own under the scratch directory, with nothing named node_modules above it. */
function dir(name: string): string {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** A build's environment: only what Gantry gives build steps, no AWS credentials or profiles. */
function buildEnv(prefixTools: Pick<BuildTools, 'bin' | 'npmEnvironment'>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [prefixTools.bin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: dir('home'),
    LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-aws-credentials'),
    ...prefixTools.npmEnvironment,
    ...extra,
  };
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const out = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(out.error, undefined, String(out.error));
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

before(() => {
  tools = prepareBuildTools(dir('data'), { bundleCacheDir: cacheDir });
});

describe('the bundled ampx', () => {
  test('is built into the cache, linked as tools/bin/ampx, and reused while its inputs are unchanged', () => {
    const bundle = join(cacheDir, 'ampx-bundle.cjs');
    const launcher = join(cacheDir, 'ampx.cjs');
    assert.equal(tools.ampx, launcher);
    assert.equal(realpathSync(join(tools.bin, 'ampx')), realpathSync(launcher));
    assert.match(readFileSync(launcher, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.ok(isBundleFresh(bundle, join(cacheDir, 'ampx.json')));
    const built = statSync(bundle);
    // Another server start, another data directory: the same bundle, not rebuilt.
    const again = prepareBuildTools(dir('data-2'), { bundleCacheDir: cacheDir });
    assert.equal(again.ampx, launcher);
    const reused = statSync(bundle);
    assert.equal(reused.ino, built.ino);
    assert.equal(reused.mtimeMs, built.mtimeMs);
  });

  test('by default lives in the repository\'s node_modules/.cache/gantry', () => {
    const defaults = prepareBuildTools(dir('data-default'));
    assert.equal(defaults.ampx, join(ROOT, 'node_modules', '.cache', 'gantry', 'ampx.cjs'));
  });

  test('is stale as soon as an input or the bundle itself differs from the record', () => {
    const at = dir('freshness');
    const bundle = join(at, 'ampx.mjs');
    const record = join(at, 'ampx.json');
    const input = join(at, 'main.ts');
    const manifest = join(at, 'package.json');
    writeFileSync(bundle, 'console.log(1);\n');
    writeFileSync(input, 'export {};\n');
    writeFileSync(manifest, '{}\n');
    // Whole seconds, which utimes sets exactly.
    utimesSync(input, 1_700_000_000, 1_700_000_000);
    const stamp = () => writeFileSync(record, JSON.stringify(recordFor(bundle, [input, manifest])));
    stamp();
    assert.equal(isBundleFresh(bundle, record), true);

    utimesSync(input, 1_700_000_001, 1_700_000_001);
    assert.equal(isBundleFresh(bundle, record), false, 'an input touched');
    utimesSync(input, 1_700_000_000, 1_700_000_000);
    assert.equal(isBundleFresh(bundle, record), true, 'the same mtime again');

    writeFileSync(manifest, '{"type":"module"}\n');
    assert.equal(isBundleFresh(bundle, record), false, 'an input rewritten');
    stamp();
    assert.equal(isBundleFresh(bundle, record), true);

    writeFileSync(bundle, 'console.log(2);\n');
    assert.equal(isBundleFresh(bundle, record), false, 'another bundle under the recorded name');
    stamp();
    rmSync(input);
    assert.equal(isBundleFresh(bundle, record), false, 'an input gone');
    writeFileSync(record, '{"bundle":');
    assert.equal(isBundleFresh(bundle, record), false, 'an unreadable record');
    assert.equal(isBundleFresh(bundle, join(at, 'missing.json')), false, 'no record');
  });

  test('prints the same --help as the tsx bin', () => {
    const cwd = dir('help');
    const env = buildEnv(tools);
    const bundled = run(tools.ampx, ['--help'], cwd, env);
    const source = run(ampx.bin, ['--help'], cwd, env);
    assert.equal(bundled.status, 0, bundled.stderr);
    assert.match(bundled.stdout, /ampx pipeline-deploy/);
    assert.deepEqual(bundled, source);
  });

  test('keeps V8\'s code cache of the bundle beside it, and rewrites a damaged one', () => {
    const cwd = dir('code-cache');
    const env = buildEnv(tools);
    const cache = join(cacheDir, 'ampx-bundle.v8cache');
    const first = run(tools.ampx, ['--help'], cwd, env);
    assert.ok(statSync(cache).size > 100_000, 'the first run wrote the compiled bundle');
    writeFileSync(cache, 'not a code cache');
    const damaged = run(tools.ampx, ['--help'], cwd, env);
    assert.deepEqual(damaged, first, 'a rejected cache changes nothing for the command');
    assert.ok(statSync(cache).size > 100_000, 'and is replaced');
  });

  test('fails `generate outputs` without credentials with the same error as the tsx bin', () => {
    const cwd = dir('no-credentials');
    const args = ['generate', 'outputs', '--branch', 'main', '--app-id', 'd1example'];
    // No endpoint at all, then an endpoint (nothing listens on port 9) and no credentials.
    const cases: Record<string, string>[] = [{}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-west-2' }];
    for (const extra of cases) {
      const env = buildEnv(tools, extra);
      const bundled = run(tools.ampx, args, cwd, env);
      const source = run(ampx.bin, args, cwd, env);
      assert.equal(bundled.status, 1);
      assert.match(bundled.stderr, extra.AWS_ENDPOINT_URL ? /InvalidCredentialError.*credentials/ : /NoEndpointError/);
      assert.deepEqual(bundled, source);
    }
  });

  test('falls back to the tsx bin with one warning line when it cannot be built', () => {
    const blocker = join(dir('blocked'), 'file');
    writeFileSync(blocker, '');
    const data = dir('data-fallback');
    const script = `const { prepareBuildTools } = await import(${JSON.stringify(BUILD_TOOLS)});
      console.log(JSON.stringify(prepareBuildTools(${JSON.stringify(data)}, { bundleCacheDir: ${JSON.stringify(join(blocker, 'cache'))} })));`;
    const out = run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], ROOT, { ...process.env as Record<string, string> });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).ampx, ampx.bin);
    assert.equal(realpathSync(join(data, 'tools', 'bin', 'ampx')), realpathSync(ampx.bin));
    const lines = out.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, out.stderr);
    assert.match(lines[0]!, /^gantry: warning: .*ampx.*tsx/);
    const help = run(join(data, 'tools', 'bin', 'ampx'), ['--help'], dir('help-fallback'), buildEnv(tools));
    assert.equal(help.status, 0, help.stderr);
  });
});

describe('the npx front', () => {
  test('npx ampx --help prints ampx\'s help from a directory without node_modules', () => {
    const out = run(join(tools.bin, 'npx'), ['ampx', '--help'], dir('plain'), buildEnv(tools));
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^ampx <command>/);
    assert.match(out.stdout, /ampx generate/);
  });

  test('hands everything else to the real npx: npx --version prints npm\'s version', () => {
    const npm = run('npm', ['--version'], dir('plain'), buildEnv(tools));
    const out = run(join(tools.bin, 'npx'), ['--version'], dir('plain'), buildEnv(tools));
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.trim(), npm.stdout.trim());
    assert.match(out.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  test('an app\'s own node_modules/.bin/ampx runs, through the real npx', () => {
    const app = dir('own-ampx');
    mkdirSync(join(app, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(app, 'node_modules', '.bin', 'ampx'), '#!/bin/sh\necho "the app\'s ampx ($npm_command): $*"\n', { mode: 0o755 });
    const nested = dir('own-ampx/amplify');
    for (const cwd of [app, nested]) {
      const out = run(join(tools.bin, 'npx'), ['ampx', 'generate', 'outputs'], cwd, buildEnv(tools));
      assert.equal(out.status, 0, out.stderr);
      // npm_command is set by npm: the real npx ran it.
      assert.equal(out.stdout, "the app's ampx (exec): generate outputs\n");
    }
  });

  describe('decides like npx would (a stand-in real npx shows when it is handed the command)', () => {
    let prefix: string;
    const front = () => join(prefix, 'bin', 'npx');
    const env = (extra: Record<string, string> = {}) => buildEnv({ bin: join(prefix, 'bin'), npmEnvironment: { npm_config_prefix: prefix } }, extra);
    const REAL = 'the real npx:';

    before(() => {
      prefix = dir('stand-in/tools');
      mkdirSync(join(prefix, 'bin'), { recursive: true });
      symlinkSync(tools.ampx, join(prefix, 'bin', 'ampx'));
      const realNpx = join(dir('stand-in/npm'), 'npx');
      writeFileSync(realNpx, `#!/bin/sh\necho "${REAL} $*"\n`, { mode: 0o755 });
      writeNpxFront({ prefix, realNpx, ownAmpx: ampx.bin });
    });

    test('runs Gantry\'s ampx itself when npx would run the global one', () => {
      const out = run(front(), ['ampx', '--help'], dir('stand-in/plain'), env());
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /^ampx <command>/);
    });

    test('runs Gantry\'s ampx itself when the project\'s node_modules/.bin/ampx is Gantry\'s own', () => {
      const app = dir('stand-in/workspace/app');
      mkdirSync(join(app, '..', 'node_modules', '.bin'), { recursive: true });
      symlinkSync(ampx.bin, join(app, '..', 'node_modules', '.bin', 'ampx'));
      const out = run(front(), ['ampx', '--help'], app, env());
      assert.match(out.stdout, /^ampx <command>/);
    });

    test('runs Gantry\'s ampx itself for the real @aws-amplify/backend-cli, which builds replace with it anyway', () => {
      const app = dir('stand-in/backend-cli-app');
      const lib = join(app, 'node_modules', '@aws-amplify', 'backend-cli', 'lib');
      mkdirSync(lib, { recursive: true });
      writeFileSync(join(lib, 'ampx.js'), '#!/bin/sh\necho "the real backend-cli"\n', { mode: 0o755 });
      mkdirSync(join(app, 'node_modules', '.bin'));
      symlinkSync('../@aws-amplify/backend-cli/lib/ampx.js', join(app, 'node_modules', '.bin', 'ampx'));
      const nested = dir('stand-in/backend-cli-app/amplify');
      for (const [cwd, args] of [[app, ['ampx', '--help']], [nested, ['ampx', '--help']], [app, ['@aws-amplify/backend-cli', '--help']], [dir('stand-in/plain'), ['@aws-amplify/backend-cli@1.10.0', '--help']]] as const) {
        const out = run(front(), [...args], cwd, env());
        assert.equal(out.status, 0, out.stderr);
        assert.match(out.stdout, /^ampx <command>/, `${cwd}: npx ${args.join(' ')}`);
      }
    });

    test('hands over whenever npx could run something else, arguments unchanged', () => {
      const plain = dir('stand-in/plain');
      const declares = dir('stand-in/declares');
      writeFileSync(join(declares, 'package.json'), JSON.stringify({ name: 'tools', bin: { ampx: './cli.js' } }));
      const named = dir('stand-in/named/sub');
      writeFileSync(join(named, '..', 'package.json'), JSON.stringify({ name: '@acme/ampx', bin: './cli.js' }));
      const configured = dir('stand-in/configured');
      writeFileSync(join(configured, '.npmrc'), 'node-options=--max-old-space-size=4096\n');
      const cases: [string, string[], string, Record<string, string>][] = [
        ['another command', ['--version'], plain, {}],
        ['an option before ampx', ['--yes', 'ampx', '--help'], plain, {}],
        ['a version of ampx', ['ampx@latest', '--help'], plain, {}],
        ['another package of @aws-amplify', ['@aws-amplify/backend-cli-extra', '--help'], plain, {}],
        ['another global prefix', ['ampx', '--help'], plain, { npm_config_prefix: join(scratch, 'elsewhere') }],
        ['npm_config_package', ['ampx', '--help'], plain, { npm_config_package: 'ampx' }],
        ['an upper-case npm setting', ['ampx', '--help'], plain, { NPM_CONFIG_NODE_OPTIONS: '--inspect' }],
        ['a package.json with an ampx bin', ['ampx', '--help'], declares, {}],
        ['a package named */ampx above', ['ampx', '--help'], named, {}],
        ['an .npmrc with node-options', ['ampx', '--help'], configured, {}],
      ];
      for (const [what, args, cwd, extra] of cases) {
        const out = run(front(), args, cwd, env(extra));
        assert.equal(out.stdout, `${REAL} ${args.join(' ')}\n`, what);
      }
      const other = dir('stand-in/other-ampx');
      mkdirSync(join(other, 'node_modules', '.bin'), { recursive: true });
      writeFileSync(join(other, 'node_modules', '.bin', 'ampx'), '#!/bin/sh\n', { mode: 0o755 });
      assert.equal(run(front(), ['ampx', 'sandbox', '--once'], other, env()).stdout, `${REAL} ampx sandbox --once\n`, "the app's own ampx");
      const lookalike = dir('stand-in/lookalike');
      mkdirSync(join(lookalike, 'node_modules', 'backend-cli', 'lib'), { recursive: true });
      writeFileSync(join(lookalike, 'node_modules', 'backend-cli', 'lib', 'ampx.js'), '#!/bin/sh\n', { mode: 0o755 });
      mkdirSync(join(lookalike, 'node_modules', '.bin'));
      symlinkSync('../backend-cli/lib/ampx.js', join(lookalike, 'node_modules', '.bin', 'ampx'));
      assert.equal(run(front(), ['ampx', '--help'], lookalike, env()).stdout, `${REAL} ampx --help\n`, 'an ampx.js of another package');
    });
  });
});
