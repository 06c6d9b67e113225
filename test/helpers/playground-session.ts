import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { freePort, startChild, type Child } from '../../scripts/lib/processes';
import { PROJECT_ROOT } from '../../services/project-paths';

/**
 * `npm run dev` as a person meets it, for the browser tests: the dev script (bot + Agents
 * Playground) in its own process group, and the Playground's chat page in headless Debian Chromium.
 * Only loopback is reached: the page's requests elsewhere (an Office font CDN) are aborted.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Generous: the Playground page is a 9 MB bundle and CI machines are slow; these are waits, not assertions.
export const START_TIMEOUT = 150_000;
export const SELECTOR_TIMEOUT = 60_000;

/** Skips the suite when there is no browser, unless REQUIRE_BROWSER=1 (CI), where that fails. */
export function requireBrowser(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(`REQUIRE_BROWSER=1 but there is no browser at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  console.log(`      skipping the browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  context.skip();
}

export interface DevRun {
  dev: Child;
  output: string[];
  url: string;
  botPort: number;
  playgroundPort: number;
  /** The dev script's recent output, for failure messages. */
  recentOutput(): string;
}

export interface DevRunOptions {
  /** Extra dev-script arguments, e.g. ['--as', 'school_leader', '--pupils', '3000']. */
  args: string[];
  databaseFile: string;
  playgroundDir: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `scripts/dev.ts` and resolves once it says the Playground is open. */
export async function startDev(options: DevRunOptions): Promise<DevRun> {
  const output: string[] = [];
  const botPort = await freePort();
  const playgroundPort = await freePort();
  const dev = startChild('dev', process.execPath, [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'scripts', 'dev.ts'), ...options.args], {
    cwd: PROJECT_ROOT,
    // Its own process group, so stopDev() can stop the whole tree whatever happens.
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${options.databaseFile}`,
      PORT: String(botPort),
      PLAYGROUND_PORT: String(playgroundPort),
      PLAYGROUND_DIR: options.playgroundDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    echo: (line) => output.push(line),
  });
  const recentOutput = () => output.slice(-40).join('\n');
  const openLine = await waitForLine(dev, output, /Open (http:\/\/localhost:\d+) to chat with the bot/, START_TIMEOUT);
  const url = /Open (http:\/\/localhost:\d+)/.exec(openLine)![1]!;
  return { dev, output, url, botPort, playgroundPort, recentOutput };
}

/** Stops the dev script's whole process group: SIGTERM, then SIGKILL if it lingers. */
export async function stopDev(run: DevRun | undefined): Promise<void> {
  const child = run?.dev.process;
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const group = -child.pid;
  signalGroup(group, 'SIGTERM');
  const gone = await Promise.race([run!.dev.exited.then(() => true), delay(30_000).then(() => false)]);
  if (!gone) signalGroup(group, 'SIGKILL');
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // Already gone.
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** Opens the Playground's chat page and waits until it is connected to the bot. */
export async function openChat(browser: Browser, run: DevRun, viewport = { width: 1400, height: 1000 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === 'localhost' || host === '127.0.0.1' ? route.continue() : route.abort();
  });
  await page.goto(run.url);
  try {
    await page.getByText('Connected.', { exact: true }).first().waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
  } catch (error) {
    throw new Error(`the Playground page never showed "Connected.": ${(error as Error).message}\n${run.recentOutput()}`);
  }
  return page;
}

/** Types a message into the chat box and sends it. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.locator('div[contenteditable="true"][role="textbox"]');
  await box.waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
  await box.click();
  await box.pressSequentially(text);
  await page.getByRole('button', { name: 'Send Message' }).click();
}

/** Every Adaptive Card the chat shows. */
export function cards(page: Page): Locator {
  return page.locator('.ac-adaptiveCard');
}

/** Waits until the chat shows more than `before` cards, and returns the newest. */
export async function nextCard(page: Page, before: number, run: DevRun, what: string): Promise<Locator> {
  try {
    await cards(page).nth(before).waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
  } catch (error) {
    throw new Error(`no card for ${what}: ${(error as Error).message}\n${run.recentOutput()}`);
  }
  return cards(page).last();
}

/** Saves a screenshot of one card (whole, however tall) for a person to look at afterwards. */
export async function keepScreenshot(card: Locator, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await card.screenshot({ path: file });
  return file;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Resolves with the first output line matching `pattern`; rejects if the process exits or time runs out. */
export function waitForLine(child: Child, output: string[], pattern: RegExp, timeoutMs: number): Promise<string> {
  const already = output.find((line) => pattern.test(line));
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs / 1000} s:\n${output.slice(-40).join('\n')}`))),
      timeoutMs,
    );
    child.onLine((line) => {
      if (pattern.test(line)) settle(() => resolve(line));
    });
    void child.exited.then(({ code, signal }) =>
      settle(() => reject(new Error(`the dev script exited (code ${code}, signal ${signal}) before it was ready:\n${output.slice(-40).join('\n')}`))),
    );
  });
}
