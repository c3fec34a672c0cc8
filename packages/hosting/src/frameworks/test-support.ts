/**
 * Test helpers: a fixture app installed and built once, cached in `$TMPDIR/gantry-fixtures/` (or
 * `$GANTRY_FIXTURES_CACHE`) and reused across runs, and a bundle's compute entrypoint run as a plain node
 * process.
 *
 * The install is keyed by the hash of the fixture's package-lock.json (`npm ci --prefer-offline`), the build by
 * the hash of all its files: changing a page rebuilds, changing a dependency reinstalls. The cache is not under
 * node_modules/.cache: Next.js compiles no source whose path has a node_modules folder in it (it takes it for a
 * dependency), and TypeScript would see the monorepo's own @types packages above it.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { nextjsBuildEnvironment } from './nextjs-bundle.ts';

const exec = promisify(execFile);
export const repoRoot = resolve(import.meta.dirname, '../../../..');
export const fixturesDir = join(repoRoot, 'packages/hosting/test/fixtures');
const cacheRoot = process.env.GANTRY_FIXTURES_CACHE || join(tmpdir(), 'gantry-fixtures');
const INSTALLED = '.gantry-installed';
const BUILT = '.gantry-built';

/** What a child process gets: no test-runner or loader variables of this process. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('NODE_TEST') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

async function fixtureFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules' || entry.name === '.next') continue;
    if (entry.isDirectory()) out.push(...(await fixtureFiles(dir, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

async function contentHash(dir: string, files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(await readFile(join(dir, file))).update('\0');
  return hash.digest('hex');
}

export interface PreparedFixture {
  /** The installed and built app (package.json, node_modules, .next). */
  appDir: string;
  installed: 'cached' | 'now';
  built: 'cached' | 'now';
  timings: { installMs: number; buildMs: number };
}

/**
 * The fixture app `name`, installed with `npm ci` and built with `next build` (standalone output forced as the
 * build job does), each step skipped when its cache is current.
 */
export async function prepareNextFixture(name: string, log: (line: string) => void = () => {}): Promise<PreparedFixture> {
  const source = join(fixturesDir, name);
  const lockHash = createHash('sha256').update(readFileSync(join(source, 'package-lock.json'))).digest('hex').slice(0, 16);
  const appDir = join(cacheRoot, `${name}-${lockHash}`);
  const timings = { installMs: 0, buildMs: 0 };
  let installed: PreparedFixture['installed'] = 'cached';
  if (!existsSync(join(appDir, INSTALLED))) {
    installed = 'now';
    const started = Date.now();
    const staging = `${appDir}.installing-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) await cp(join(source, file), join(staging, file));
    log(`npm ci in ${staging}`);
    await exec('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: staging, env: childEnv(), maxBuffer: 16 << 20 });
    await writeFile(join(staging, INSTALLED), `${lockHash}\n`);
    await rm(appDir, { recursive: true, force: true });
    await rename(staging, appDir);
    timings.installMs = Date.now() - started;
  }

  const files = await fixtureFiles(source);
  const hash = await contentHash(source, files);
  let built: PreparedFixture['built'] = 'cached';
  const builtHash = await readFile(join(appDir, BUILT), 'utf8').then((t) => t.trim(), () => '');
  if (builtHash !== hash) {
    built = 'now';
    const started = Date.now();
    await rm(join(appDir, BUILT), { force: true });
    // Lay the sources anew: what the previous build's sources had and these do not must not stay.
    const keep = new Set(['node_modules', 'package.json', 'package-lock.json', INSTALLED]);
    for (const entry of await readdir(appDir)) if (!keep.has(entry)) await rm(join(appDir, entry), { recursive: true, force: true });
    for (const file of files) if (!keep.has(file)) await cp(join(source, file), join(appDir, file));
    log(`next build in ${appDir}`);
    await exec(process.execPath, [join(appDir, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: appDir,
      env: childEnv(nextjsBuildEnvironment()),
      maxBuffer: 16 << 20,
    });
    await writeFile(join(appDir, BUILT), `${hash}\n`);
    timings.buildMs = Date.now() - started;
  }
  return { appDir, installed, built, timings };
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningCompute {
  url: string;
  process: ChildProcess;
  output(): string;
  startedMs: number;
  stop(): Promise<void>;
}

/** Whether bubblewrap can run here (it mounts a compute folder read-only, as the runtime's sandbox does). */
export function canMountReadOnly(): boolean {
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

export interface StartComputeOptions {
  /** Path answered once the server is up. */
  readyPath?: string;
  /** Run with `computeDir` mounted read-only (bubblewrap). */
  readOnly?: boolean;
}

/** Runs `node <entrypoint>` in `computeDir` with only PATH, PORT and HOSTNAME set, and waits until it answers. */
export async function startCompute(computeDir: string, entrypoint: string, options: StartComputeOptions = {}): Promise<RunningCompute> {
  const readyPath = options.readyPath ?? '/';
  const port = await freePort();
  const started = Date.now();
  const [file, args] = options.readOnly
    ? ['bwrap', ['--bind', '/', '/', '--ro-bind', computeDir, computeDir, '--dev', '/dev', '--proc', '/proc', '--die-with-parent', '--chdir', computeDir, process.execPath, entrypoint]]
    : [process.execPath, [entrypoint]];
  const child = spawn(file, args, {
    cwd: computeDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port), HOSTNAME: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the compute entrypoint exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(url + readyPath);
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the compute entrypoint did not answer within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, process: child, output: () => output, startedMs: Date.now() - started, stop };
}
