import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../services/project-paths';
import { cards, delay, keepScreenshot, launchBrowser, nextCard, openChat, requireBrowser, say, startDev, stopDev, type DevRun } from '../helpers/playground-session';

/**
 * Each demo role walked through the Agents Playground as that person meets the bot (`npm run dev
 * -- --as <role>` on one small demo county), checking what they would notice: the LA manager's
 * first contact brings a handful of alert cards, not a flood; the attendance officer's agenda is a
 * meeting's worth of pupils; an administrator sees figures, not pupils; someone the bot does not
 * know can read the ladder and nothing else. Screenshots of every card are kept in
 * test-output/playground/ for a person to look at.
 */

const SHOTS = path.join(PROJECT_ROOT, 'test-output', 'playground');
/** ALERT_CARDS_PER_DAY's default, plus the "what is open now" summary. */
const FIRST_CONTACT_CARD_LIMIT = 5 + 1;

describe('each role in the Agents Playground (headless Chromium)', function () {
  this.timeout(600_000);

  let tmp: string;
  let browser: Browser | undefined;

  before(async function () {
    requireBrowser(this);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'inclusion-roles-'));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Starts the bot and the Playground as `role` on the shared demo county; the first call seeds it. */
  async function asRole(role: string, body: (page: Page, run: DevRun) => Promise<void>): Promise<void> {
    const run = await startDev({
      args: ['--as', role, '--pupils', '4000', '--seed', 'roles'],
      databaseFile: path.join(tmp, 'roles.sqlite'),
      playgroundDir: path.join(tmp, `playground-${role}`),
    });
    try {
      // Tall enough that the longest card is photographed whole.
      const page = await openChat(browser!, run, { width: 1400, height: 3200 });
      try {
        await body(page, run);
      } finally {
        await page.close();
      }
    } finally {
      await stopDev(run);
    }
  }

  /** Opens the best fit from a ladder results card and returns the rung card's text, keeping its screenshot. */
  async function openBestFit(page: Page, run: DevRun, shot: string): Promise<string> {
    await page.getByRole('button', { name: /^Open / }).first().click();
    const rung = cards(page).filter({ hasText: /What to do now/i }).last();
    try {
      await rung.waitFor({ state: 'visible', timeout: 60_000 });
    } catch (error) {
      throw new Error(`opening the best fit showed no rung card: ${(error as Error).message}\n${run.recentOutput()}`);
    }
    await keepScreenshot(rung, SHOTS, shot);
    return rung.innerText();
  }

  /** Sends `text` and returns the text of the card that answers it, keeping its screenshot. */
  async function ask(page: Page, run: DevRun, text: string, shot: string): Promise<string> {
    const before = await cards(page).count();
    await say(page, text);
    const card = await nextCard(page, before, run, `"${text}"`);
    await keepScreenshot(card, SHOTS, shot);
    return card.innerText();
  }

  it('LA manager: first contact brings a handful of alert cards, one per case, and a digest with counts', async () => {
    await asRole('la_manager', async (page, run) => {
      // First contact also queues what is waiting; those cards are held until "help" is answered.
      await say(page, 'help');
      const helpCard = cards(page).filter({ hasText: 'Here is what you can ask me' });
      await helpCard.first().waitFor({ state: 'visible', timeout: 60_000 });
      await keepScreenshot(helpCard.first(), SHOTS, 'la-manager-1-help');
      assert.match(await helpCard.first().innerText(), /LA manager/);
      // First contact queues what is waiting; give the outbox time to deliver all of it.
      await delay(15_000);
      assert.match(await cards(page).first().innerText(), /Here is what you can ask me/, `the answer to "help" comes before the alert cards\n${run.recentOutput()}`);
      const shown = await cards(page).count();
      const alertCards = shown - 1;
      assert.ok(alertCards <= FIRST_CONTACT_CARD_LIMIT, `${alertCards} alert cards on first contact (at most ${FIRST_CONTACT_CARD_LIMIT})\n${run.recentOutput()}`);
      for (let i = 1; i < shown; i++) await keepScreenshot(cards(page).nth(i), SHOTS, `la-manager-2-first-contact-${i}`);
      const digest = await ask(page, run, 'alerts digest', 'la-manager-3-digest');
      assert.match(digest, /\d/);
      const list = await ask(page, run, 'alerts list', 'la-manager-4-alerts-list');
      // Schools by name: no bare six-digit URN stands where a school should.
      assert.doesNotMatch(list, /\bURN\b|\(\d{6}\)/);
    });
  });

  it('attendance officer: the Boston agenda is a meeting’s worth of pupils, with the pool one command away', async () => {
    await asRole('attendance_officer', async (page, run) => {
      const agenda = await ask(page, run, 'cluster Boston', 'attendance-officer-1-agenda');
      const count = /Pupils to review \((\d+)\)/.exec(agenda);
      assert.ok(count, `no "Pupils to review (N)" on the agenda:\n${agenda}`);
      assert.ok(Number(count[1]) <= 40, `the agenda lists ${count[1]} pupils`);
      assert.match(agenda, /candidates/i);
      await ask(page, run, 'cluster Boston candidates', 'attendance-officer-2-candidates');
    });
  });

  it('school leader: a described situation finds its rung, essentials first', async () => {
    await asRole('school_leader', async (page, run) => {
      const results = await ask(page, run, 'ladder a year 8 pupil keeps walking out of lessons', 'school-leader-1-ladder');
      assert.match(results, /Best fit/);
      const rung = await openBestFit(page, run, 'school-leader-2-rung');
      assert.match(rung, /Who to call/i);
      assert.match(rung, /Show more/i);
    });
  });

  it('attendance officer: asks in plain words and gets the same cards; a worry about a child gets the safeguarding route', async () => {
    await asRole('attendance_officer', async (page, run) => {
      const agenda = await ask(page, run, "show me Boston's agenda", 'attendance-officer-3-plain-agenda');
      assert.match(agenda, /Boston attendance cluster/);
      assert.match(await page.locator('body').innerText(), /Showing the Boston agenda\. Next time you can type/);
      const actions = await ask(page, run, 'what are my overdue actions?', 'attendance-officer-4-plain-my-actions');
      assert.match(actions, /actions/i);
      await say(page, 'she told me her stepdad hits her');
      await page.getByText(/designated safeguarding lead/).first().waitFor({ timeout: 60_000 });
    });
  });

  it('cluster member: the Lincoln agenda and minutes answer', async () => {
    await asRole('cluster_member', async (page, run) => {
      await ask(page, run, 'cluster Lincoln', 'cluster-member-1-agenda');
      await ask(page, run, 'cluster Lincoln minutes', 'cluster-member-2-minutes');
    });
  });

  it('administrator: figures for a cluster, no pupil rows', async () => {
    await asRole('admin', async (page, run) => {
      const agenda = await ask(page, run, 'cluster Boston', 'admin-1-agenda');
      assert.doesNotMatch(agenda, /attendance \d+(\.\d)?%/, 'an administrator sees pupil rows on the agenda');
    });
  });

  it('someone the bot does not know: the ladder answers, pupil data is refused', async () => {
    await asRole('unknown', async (page, run) => {
      const results = await ask(page, run, 'ladder persistent low level disruption in class', 'unknown-1-ladder');
      assert.match(results, /Best fit/);
      await openBestFit(page, run, 'unknown-2-rung');
      const before = await page.locator('p').count();
      await say(page, 'cluster Boston');
      await page.getByText(/not set up/i).last().waitFor({ state: 'visible', timeout: 60_000 });
      assert.ok((await page.locator('p').count()) > before);
      assert.equal(await cards(page).count(), 1, 'a card answered "cluster Boston" for someone the bot does not know');
    });
  });
});
