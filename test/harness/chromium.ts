/**
 * A real headless Chromium for browser tests: Debian's `chromium` package driven by
 * playwright-core (which downloads no browser). When the browser is missing and the tests run
 * as root, it is installed with apt-get, so a clean CI machine needs nothing beyond what the
 * project installs; otherwise the error says what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian's package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline-friendly headless browser in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

const INSTALL = ['install', '-y', '--no-install-recommends', 'chromium'];

function aptGet(args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('apt-get', args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) return { ok: false, output: String(run.error) };
  return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/**
 * The browser's path, installing Debian's `chromium` first when it is missing (as root:
 * `apt-get install`, after an `apt-get update` when the package lists are missing or stale).
 * Throws a message naming the fix when it cannot.
 * @example const executablePath = ensureChromium(); // '/usr/bin/chromium'
 */
export function ensureChromium(path: string = CHROMIUM_PATH): string {
  if (existsSync(path)) return path;
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new Error(
      `Chromium is missing at ${path} and the tests are not running as root, so they cannot install it: ` +
        'run `sudo apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu) and run the tests again.',
    );
  }
  let install = aptGet(INSTALL);
  if (!install.ok) {
    // A fresh image has no package lists ("Unable to locate package"): fetch them, then retry.
    const update = aptGet(['update']);
    if (!update.ok) throw new Error(`Chromium is missing at ${path} and \`apt-get update\` failed:\n${update.output.slice(-2_000)}`);
    install = aptGet(INSTALL);
  }
  if (!install.ok || !existsSync(path)) {
    throw new Error(`Chromium is missing at ${path} and \`apt-get ${INSTALL.join(' ')}\` did not install it:\n${install.output.slice(-2_000)}`);
  }
  return path;
}

/** A browser context over a fresh profile; `close()` also removes the profile. */
export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh user-data dir.
 * @example const browser = await launchChromium(); const page = await browser.context.newPage(); … await browser.close();
 */
export async function launchChromium(options: { width?: number; height?: number } = {}): Promise<ChromiumSession> {
  const executablePath = ensureChromium();
  const userDataDir = await mkdtemp(join(tmpdir(), 'candlelake-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
