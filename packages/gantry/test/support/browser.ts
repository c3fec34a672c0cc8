import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it and never downloads a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
const ENSURE_PACKAGES = join(resolve(import.meta.dirname, '../../../..'), 'scripts/ensure-debian-packages.sh');

let unavailable: string | undefined | null = null;

/**
 * Installs Debian's `chromium` when it is missing (only possible as root) and says why it cannot be used, or
 * `undefined` when it can. Meant for `{ skip: chromiumUnavailable() }`: a machine without Chromium skips browser
 * tests with the reason instead of failing them. Checked once per process.
 */
export function chromiumUnavailable(): string | undefined {
  if (unavailable !== null) return unavailable;
  const ensured = spawnSync('bash', [ENSURE_PACKAGES, 'chromium:chromium'], { encoding: 'utf8', timeout: 600_000 });
  if (ensured.status !== 0 || !existsSync(CHROMIUM)) {
    const why = (ensured.stderr || ensured.error?.message || `exit code ${ensured.status}`).trim();
    unavailable = `Chromium is not installed at ${CHROMIUM} and could not be installed: ${why}`;
  } else {
    unavailable = undefined;
  }
  return unavailable;
}

/** Launches headless Chromium, installing the Debian package first when needed. */
export async function launchChromium(): Promise<Browser> {
  const reason = chromiumUnavailable();
  if (reason) throw new Error(reason);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A fresh browser context (its own cookies, storage and connections: a separate user) that accepts the
 * certificates of Gantry's local CA, which the browser's own trust store does not hold, for https:// and wss://.
 */
export function newTrustingContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, ...options });
}
