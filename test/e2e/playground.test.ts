import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assertPortFree, freePort, PROJECT_ROOT, startChild, type Child } from '../../scripts/dev';

/**
 * End to end, as a newcomer meets it: `scripts/dev.ts` (what `npm run dev` runs) seeds a tiny demo
 * county into a temporary SQLite file, starts the bot and the Microsoft 365 Agents Playground, and
 * headless Chromium types "help" into the Playground's chat page.
 *
 * Needs Chromium (Debian: apt-get install -y chromium). Without it the suite is skipped, unless
 * REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 */

const CHROMIUM = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// Generous: the Playground page is a 9 MB bundle and CI machines are slow; these are waits, not assertions.
const START_TIMEOUT = 150_000;
const SELECTOR_TIMEOUT = 60_000;

describe('npm run dev: the bot in the Agents Playground (headless Chromium)', function () {
  this.timeout(START_TIMEOUT + 60_000);

  let tmp: string | undefined;
  let dev: Child | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let botPort: number;
  let playgroundPort: number;
  let playgroundDir: string;
  const output: string[] = [];

  /** The dev script's recent output, for failure messages. */
  const recentOutput = () => output.slice(-40).join('\n');

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.REQUIRE_BROWSER === '1') {
        throw new Error(`REQUIRE_BROWSER=1 but there is no browser at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
      }
      console.log(`      skipping the browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }

    tmp = mkdtempSync(path.join(os.tmpdir(), 'inclusion-e2e-'));
    playgroundDir = path.join(tmp, 'playground');
    botPort = await freePort();
    playgroundPort = await freePort();
    dev = startChild('dev', process.execPath, [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'scripts', 'dev.ts'), '--pupils', '100'], {
      cwd: PROJECT_ROOT,
      // Its own process group, so after() can stop the whole tree whatever happens.
      detached: true,
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:${path.join(tmp, 'e2e.sqlite')}`,
        PORT: String(botPort),
        PLAYGROUND_PORT: String(playgroundPort),
        PLAYGROUND_DIR: playgroundDir,
        LOG_LEVEL: 'warn',
        // The dev script must run the bot with authentication off whatever the environment says.
        MicrosoftAppId: 'e2e-app-id-that-dev-must-ignore',
        MicrosoftAppPassword: 'e2e-password-that-dev-must-ignore',
      },
      echo: (line) => output.push(line),
    });

    const openLine = await waitForLine(dev, output, /Open (http:\/\/localhost:\d+) to chat with the bot/, START_TIMEOUT);
    const url = /Open (http:\/\/localhost:\d+)/.exec(openLine)![1]!;
    assert.equal(url, `http://localhost:${playgroundPort}`);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The page asks an Office CDN for fonts; nothing outside this machine may be waited on.
    await page.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === 'localhost' || host === '127.0.0.1' ? route.continue() : route.abort();
    });
    await page.goto(url);
    try {
      await page.getByText('Connected.', { exact: true }).first().waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
    } catch (error) {
      throw new Error(`the Playground page never showed "Connected.": ${(error as Error).message}\n${recentOutput()}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close().catch(() => undefined);
    if (dev?.process.pid !== undefined && dev.process.exitCode === null && dev.process.signalCode === null) {
      const group = -dev.process.pid;
      try {
        process.kill(group, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const gone = await Promise.race([dev.exited.then(() => true), delay(30_000).then(() => false)]);
      if (!gone) {
        try {
          process.kill(group, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads the generated Playground config, with the LA manager as the current user', async () => {
    const loaded = page.getByText('Configuration file is loaded from').first();
    await loaded.waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
    // The log panel wraps long paths; compare without whitespace.
    const text = (await loaded.innerText()).replace(/\s+/g, '');
    assert.ok(text.includes(path.join(playgroundDir, '.m365agentsplayground.yml')), `log line: ${text}`);
    // The header shows who is typing.
    await page.getByText('Alex Wilber', { exact: true }).first().waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
  });

  it('answers "help" with the help card for the LA manager', async () => {
    const box = page.locator('div[contenteditable="true"][role="textbox"]');
    await box.waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
    await box.click();
    await box.pressSequentially('help');
    await page.getByRole('button', { name: 'Send Message' }).click();

    const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'LA manager' }).first();
    try {
      await card.waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
    } catch (error) {
      throw new Error(`no help card for the LA manager: ${(error as Error).message}\n${recentOutput()}`);
    }
    const text = await card.innerText();
    assert.match(text, /Inclusion Assistant/);
    assert.match(text, /Alex Wilber · LA manager · the whole county/);
    assert.match(text, /help/);
  });

  it('stops the bot and the Playground on SIGTERM and frees both ports', async () => {
    await browser?.close();
    browser = undefined;
    dev!.process.kill('SIGTERM');
    const exit = await Promise.race([dev!.exited, delay(45_000).then(() => 'still running' as const)]);
    assert.notEqual(exit, 'still running', `the dev script did not stop:\n${recentOutput()}`);
    assert.deepEqual(exit, { code: 0, signal: null }, recentOutput());
    await assertPortFree(botPort, undefined, 'bot', 'the bot still holds it');
    await assertPortFree(playgroundPort, undefined, 'Playground', 'the Playground still holds it');
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Resolves with the first output line matching `pattern`; rejects if the process exits or time runs out. */
function waitForLine(child: Child, output: string[], pattern: RegExp, timeoutMs: number): Promise<string> {
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
