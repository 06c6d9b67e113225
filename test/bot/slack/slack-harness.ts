import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { RunningBot } from '../../helpers/bot-harness';
import type { startFakeSlack } from './fake-slack';

/**
 * Signed Slack requests to the real bot, as Slack sends them: slash commands, @mentions, button
 * presses and modal submissions, with a fake Slack Web API catching what the bot sends back.
 */

export const SLACK_SECRET = 'test-signing-secret-0123456789';

type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

/** Slack's request signature headers for a body sent at `timestamp` (seconds). */
export function signSlack(body: string, timestamp: number, secret = SLACK_SECRET): Record<string, string> {
  return { 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`, 'x-slack-request-timestamp': String(timestamp) };
}

export function slackClient(bot: () => RunningBot, fake: () => FakeSlack, nowMs: number) {
  let count = 0;
  const now = () => Math.floor(nowMs / 1000);

  async function post(body: string, contentType: string) {
    const response = await fetch(`${bot().url}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...signSlack(body, now()) }, body });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return text === '' ? undefined : JSON.parse(text);
  }

  const interaction = (payload: object) => post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  const event = (inner: object) => post(JSON.stringify({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0001', event_id: `Ev${++count}`, event_time: now(), event: inner }), 'application/json');

  async function press(element: { action_id: string; value?: string }, userId: string, channelId = 'D0DIRECT1') {
    const id = `press-${++count}`;
    await interaction({
      type: 'block_actions',
      user: { id: userId },
      team: { id: 'T0001' },
      api_app_id: 'A0001',
      channel: { id: channelId },
      container: { type: 'message', message_ts: '1.1', channel_id: channelId },
      trigger_id: `trigger-${id}`,
      response_url: fake().responseUrl(id),
      actions: [{ type: 'button', action_id: element.action_id, block_id: 'b1', value: element.value, action_ts: '1.2' }],
    });
    return id;
  }

  return {
    /** Any interaction payload; resolves with the HTTP answer (parsed), or undefined when empty. */
    interaction,
    /** An Events API callback wrapping this event; resolves when it is acknowledged. */
    event,
    /** `/inclusion <text>`; resolves with the reply posted to its response_url. */
    async slash(text: string, userId: string, channelId = 'D0DIRECT1') {
      const id = `cmd-${++count}`;
      const form = new URLSearchParams({
        command: '/inclusion',
        text,
        user_id: userId,
        team_id: 'T0001',
        channel_id: channelId,
        channel_name: channelId.startsWith('D') ? 'directmessage' : 'general',
        response_url: fake().responseUrl(id),
        trigger_id: `trigger-${id}`,
      }).toString();
      await post(form, 'application/x-www-form-urlencoded');
      return (await fake().next((c) => c.method === 'response_url' && c.url === `/response/${id}`)).body;
    },
    /** An @mention in a channel; resolves with what the bot posted there. */
    async mention(text: string, userId: string, channelId: string) {
      const before = fake().calls.length;
      await event({ type: 'app_mention', channel: channelId, user: userId, text: `<@UBOT> ${text}`, ts: `${count + 1}.1` });
      return (await fake().next((c) => fake().calls.indexOf(c as never) >= before && c.method === 'chat.postMessage' && c.body.channel === channelId)).body;
    },
    /** Presses a button; resolves with the press's id (its response_url is /response/<id>). */
    press,
    /** Presses a button; resolves with what the bot posted to the press's response_url. */
    async pressed(element: { action_id: string; value?: string }, userId: string, channelId = 'D0DIRECT1') {
      const id = await press(element, userId, channelId);
      return (await fake().next((c) => c.method === 'response_url' && c.url === `/response/${id}`)).body;
    },
    /** Submits a modal; resolves with the HTTP answer (Slack's response_action, or nothing). */
    submit(callbackId: string, privateMetadata: string, values: Record<string, object>, userId: string) {
      const state: Record<string, Record<string, object>> = {};
      for (const [blockId, value] of Object.entries(values)) state[blockId] = { [blockId]: value };
      return interaction({
        type: 'view_submission',
        team: { id: 'T0001' },
        user: { id: userId },
        api_app_id: 'A0001',
        trigger_id: `trigger-submit-${++count}`,
        view: { id: 'V0001', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values: state }, hash: 'h1' },
      });
    },
  };
}

/** Every button in a message: actions blocks' elements and sections' accessories. */
export function buttonsOf(blocks: any[]): any[] {
  return blocks.flatMap((b) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []));
}
