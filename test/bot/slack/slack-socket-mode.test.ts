import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { TEST_USERS } from '../../helpers/activities';
import { startBot, type RunningBot } from '../../helpers/bot-harness';
import { startFakeSlack } from './fake-slack';
import { startFakeSocketMode } from './fake-socket-mode';
import { emailOf } from './slack-fixtures';
import { SLACK_SECRET } from './slack-harness';

/**
 * Socket Mode: with SLACK_APP_TOKEN the bot opens a WebSocket (apps.connections.open on the fake
 * Web API answers with a ws://127.0.0.1 URL), acknowledges each envelope, and answers through the
 * same handlers as over HTTP; the HTTP route for Slack is not served.
 */

const NOW = '2026-11-25T10:00:00Z';
const OFFICER_SLACK_ID = 'UOFFICER1';

describe('Slack in Socket Mode', () => {
  let socket: Awaited<ReturnType<typeof startFakeSocketMode>>;
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let bot: RunningBot;

  beforeEach(async () => {
    socket = await startFakeSocketMode();
    fake = await startFakeSlack({ [OFFICER_SLACK_ID]: emailOf(TEST_USERS.attendanceOfficer) }, { socketUrl: socket.url });
    bot = await startBot({
      clock: fixedClock(NOW),
      env: { SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-1-test-token', SLACK_API_URL: fake.apiUrl },
    });
  });
  let closed = false;
  afterEach(async () => {
    if (!closed) await bot.close();
    closed = false;
    await socket.close();
    await fake.close();
  });

  it('opens the socket with the app token, acknowledges a slash command and an event, and answers each', async () => {
    await socket.ready;
    const open = fake.calls.find((c) => c.method === 'apps.connections.open');
    assert.ok(open, 'the socket URL came from apps.connections.open');
    assert.equal(socket.connections(), 1);

    const commandAck = await socket.send('slash_commands', {
      command: '/inclusion',
      text: 'ladder a Y9 pupil swore at a teacher',
      user_id: OFFICER_SLACK_ID,
      team_id: 'T0001',
      channel_id: 'D0DIRECT1',
      channel_name: 'directmessage',
      response_url: fake.responseUrl('socket-cmd'),
      trigger_id: 'trigger-1',
    });
    assert.equal(commandAck.envelope_id, 'env-1');
    const reply = await fake.next((c) => c.method === 'response_url' && c.url === '/response/socket-cmd');
    assert.match(JSON.stringify(reply.body.blocks), /Best fit/);

    const eventAck = await socket.send('events_api', {
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: 'Ev0001',
      event_time: Math.floor(Date.parse(NOW) / 1000),
      event: { type: 'message', channel_type: 'im', channel: 'D0DIRECT1', user: OFFICER_SLACK_ID, text: 'help', ts: '1700000000.000100' },
    });
    assert.equal(eventAck.envelope_id, 'env-2');
    const posted = await fake.next((c) => c.method === 'chat.postMessage' && c.body.channel === 'D0DIRECT1');
    assert.match(JSON.stringify(posted.body.blocks), /Attendance officer|attendance officer/i);
    // The person was matched by the email on their Slack profile, as over HTTP.
    const officer = await bot.store.db.selectFrom('staff_user').select('slack_user_id').where('aad_object_id', '=', TEST_USERS.attendanceOfficer.aadObjectId).executeTakeFirstOrThrow();
    assert.equal(officer.slack_user_id, OFFICER_SLACK_ID);
  });

  it('does not serve Slack over HTTP in Socket Mode, and closes the socket when the bot shuts down', async () => {
    const response = await fetch(`${bot.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"url_verification","challenge":"x"}' });
    assert.equal(response.status, 404);
    await socket.ready;
    assert.equal(socket.open(), 1);
    closed = true;
    await bot.close();
    // The close frame is answered asynchronously: wait for the server to see it (no timing asserted).
    while (socket.open() > 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(socket.connections(), 1, 'and does not reconnect');
  });
});
