import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { assertPortFree } from '../../scripts/lib/processes';
import { SELECTOR_TIMEOUT, delay, launchBrowser, openChat, requireBrowser, say, startDev, stopDev, type DevRun } from '../helpers/playground-session';

/**
 * End to end, as a newcomer meets it: `scripts/dev.ts` (what `npm run dev` runs) seeds a tiny demo
 * county into a temporary SQLite file, starts the bot and the Microsoft 365 Agents Playground, and
 * headless Chromium types "help" into the Playground's chat page.
 *
 * Needs Chromium (Debian: apt-get install -y chromium). Without it the suite is skipped, unless
 * REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 */
describe('npm run dev: the bot in the Agents Playground (headless Chromium)', function () {
  this.timeout(210_000);

  let tmp: string | undefined;
  let run: DevRun | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let playgroundDir: string;

  before(async function () {
    requireBrowser(this);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'inclusion-e2e-'));
    playgroundDir = path.join(tmp, 'playground');
    run = await startDev({
      args: ['--pupils', '100'],
      databaseFile: path.join(tmp, 'e2e.sqlite'),
      playgroundDir,
      // The dev script must run the bot with authentication off whatever the environment says.
      env: { MicrosoftAppId: 'e2e-app-id-that-dev-must-ignore', MicrosoftAppPassword: 'e2e-password-that-dev-must-ignore' },
    });
    assert.equal(run.url, `http://localhost:${run.playgroundPort}`);
    browser = await launchBrowser();
    page = await openChat(browser, run, { width: 1400, height: 900 });
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close().catch(() => undefined);
    await stopDev(run);
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
    await say(page, 'help');
    const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'LA manager' }).first();
    try {
      await card.waitFor({ state: 'visible', timeout: SELECTOR_TIMEOUT });
    } catch (error) {
      throw new Error(`no help card for the LA manager: ${(error as Error).message}\n${run!.recentOutput()}`);
    }
    const text = await card.innerText();
    assert.match(text, /Inclusion Assistant/);
    assert.match(text, /Alex Wilber · LA manager · the whole county/);
    assert.match(text, /help/);
  });

  it('stops the bot and the Playground on SIGTERM and frees both ports', async () => {
    await browser?.close();
    browser = undefined;
    run!.dev.process.kill('SIGTERM');
    const exit = await Promise.race([run!.dev.exited, delay(45_000).then(() => 'still running' as const)]);
    assert.notEqual(exit, 'still running', `the dev script did not stop:\n${run!.recentOutput()}`);
    assert.deepEqual(exit, { code: 0, signal: null }, run!.recentOutput());
    await assertPortFree(run!.botPort, undefined, 'bot', 'the bot still holds it');
    await assertPortFree(run!.playgroundPort, undefined, 'Playground', 'the Playground still holds it');
  });
});
