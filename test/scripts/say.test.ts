import assert from 'node:assert/strict';
import { summariseCard, summariseReplies } from '../../scripts/card-summary';
import { UsageError } from '../../scripts/lib/usage-error';
import { parseSayArgs, postMessage, sayActivity, sayInProcess } from '../../scripts/say';
import { ladderRungCard } from '../../cards/ladder-rung-card';
import { DEMO_USERS } from '../../scripts/demo/demo-users';
import { upsertDemoUsers } from '../../scripts/demo/seed-demo-county';
import { loadLadderToolkit } from '../../services/ladder/ladder-loader';
import { createLadderService } from '../../services/ladder/ladder-service';
import { openStore, type Store } from '../../services/store/open-store';

describe('npm run say', () => {
  describe('arguments', () => {
    it('reads the message, --as and --url (adding /api/messages to a bare address)', () => {
      const options = parseSayArgs(['ladder', 'keeps walking out', '--as', 'attendance_officer', '--url', 'http://127.0.0.1:3978']);
      assert.ok(options !== 'help');
      assert.equal(options.text, 'ladder keeps walking out');
      assert.equal(options.person.aadObjectId, DEMO_USERS.find((u) => u.role === 'attendance_officer')!.aadObjectId);
      assert.equal(options.url, 'http://127.0.0.1:3978/api/messages');
      const byDefault = parseSayArgs(['help']);
      assert.equal(byDefault !== 'help' && byDefault.person.aadObjectId, DEMO_USERS.find((u) => u.role === 'la_manager')!.aadObjectId);
    });

    it('refuses a missing message, an unknown user or option, and a bad address, naming them', () => {
      assert.throws(() => parseSayArgs(['--as', 'school_leader']), (e: Error) => e instanceof UsageError && /say what\?/.test(e.message));
      assert.throws(() => parseSayArgs(['help', '--as', 'headteacher']), /--as headteacher: not a demo user/);
      assert.throws(() => parseSayArgs(['help', '--loud']), /unknown option --loud/);
      assert.throws(() => parseSayArgs(['help', '--url', 'ftp://x']), /--url ftp:\/\/x: use http/);
    });

    it('sends a 1:1 Teams message asking for the replies in the HTTP response', () => {
      const options = parseSayArgs(['help', '--as', 'school_leader']);
      assert.ok(options !== 'help');
      const activity = sayActivity('help', options.person);
      assert.equal(activity.deliveryMode, 'expectReplies');
      assert.equal((activity.conversation as { conversationType: string }).conversationType, 'personal');
      assert.equal((activity.from as { aadObjectId: string }).aadObjectId, options.person.aadObjectId);
    });
  });

  describe('cards as text', () => {
    it('prints headings, checklists, what is behind "Show more" and the buttons, without Markdown', () => {
      const ladder = createLadderService(loadLadderToolkit());
      const view = ladder.rung('step-2')!;
      const lines = summariseCard(ladderRungCard({ ...view, checklist: view.checklist.map((c, i) => ({ ...c, ticked: i === 0 })) }));
      const text = lines.join('\n');
      assert.match(text, /^Step two: /m);
      assert.ok(lines.includes(`[x] ${view.checklist[0]!.text}`));
      assert.ok(lines.includes(`[ ] ${view.checklist[1]!.text}`));
      assert.match(text, /\(behind "Show more":\)\n\s+Early warning signs/);
      assert.match(text, /Buttons: \[‹ Previous rung\] \[Next rung ›\] \[Whole ladder\]/);
      assert.doesNotMatch(text, /\*\*/);
    });

    it('says so when the bot sent nothing', () => assert.equal(summariseReplies([]), '(no reply)'));
  });

  describe('talking to the bot', () => {
    let store: Store;
    beforeEach(async () => {
      store = await openStore({ engine: 'sqlite', target: ':memory:' });
      await upsertDemoUsers(store.db, DEMO_USERS, '2026-09-01T00:00:00.000Z');
    });
    afterEach(async () => store.close());
    const env = { CLOCK_NOW: '2026-11-25T10:00:00Z' };

    it('starts the bot on loopback, asks as the demo user and prints the card as text', async () => {
      const options = parseSayArgs(['ladder keeps walking out of lessons', '--as', 'school_leader']);
      assert.ok(options !== 'help');
      const text = summariseReplies(await sayInProcess(options, env, store));
      assert.match(text, /^Ladder: best matches$/m);
      assert.match(text, /Best fit · Step/);
      assert.match(text, /Matches: .*walking out \(leaving lessons\)/);
      assert.match(text, /Buttons: \[Open Step/);
    });

    it('answers as the bot would answer someone who is not a staff user', async () => {
      const options = parseSayArgs(['help', '--as', 'unknown']);
      assert.ok(options !== 'help');
      assert.match(summariseReplies(await sayInProcess(options, env, store)), /not set up/i);
    });

    it('names the address when nothing answers there', async () => {
      await assert.rejects(postMessage('http://127.0.0.1:1/api/messages', { type: 'message' }), /fetch failed/);
    });
  });
});
