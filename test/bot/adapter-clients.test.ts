import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createAdapter } from '../../bot/adapter';
import { loadConfig } from '../../services/config';
import { silentLogger } from '../../services/logger';

/**
 * The adapter keeps one connector client per bot, audience and service URL, and one user token
 * client per bot, instead of the SDK's new pair (and HTTP pipelines) on every turn.
 */
describe('adapter: connector and token clients reused across turns', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const adapter = createAdapter(config, silentLogger);

  function activity(serviceUrl: string): Activity {
    return { type: 'message', id: 'm', text: 'hi', channelId: 'msteams', serviceUrl, from: { id: '29:u' }, recipient: { id: '28:b' }, conversation: { id: 'c' } } as Activity;
  }

  async function turn(serviceUrl: string, made: string[]): Promise<{ connector: unknown; tokens: unknown }> {
    const auth = await adapter.authenticate(activity(serviceUrl), '');
    assert.ok(auth.ok);
    const inner = auth.result.connectorFactory!;
    const counting = { create: (url: string, audience?: string) => (made.push(url), inner.create(url, audience)) };
    let seen: { connector: unknown; tokens: unknown } | undefined;
    await adapter.runAuthenticated({ ...auth.result, connectorFactory: counting as typeof inner }, activity(serviceUrl), async (context) => {
      seen = { connector: context.turnState.get(context.adapter.ConnectorClientKey), tokens: context.turnState.get((context.adapter as unknown as { UserTokenClientKey: symbol }).UserTokenClientKey) };
    });
    return seen!;
  }

  it('gives every turn to the same service URL the same clients, and another service URL its own connector', async () => {
    const made: string[] = [];
    const first = await turn('http://127.0.0.1:1/', made);
    const second = await turn('http://127.0.0.1:1/', made);
    const other = await turn('http://127.0.0.1:2/', made);
    assert.ok(first.connector && first.tokens);
    assert.equal(second.connector, first.connector, 'the same connector client');
    assert.equal(second.tokens, first.tokens, 'the same user token client');
    assert.notEqual(other.connector, first.connector, 'a client per service URL');
    assert.equal(other.tokens, first.tokens, 'one token client per bot');
    assert.deepEqual(made, ['http://127.0.0.1:1/', 'http://127.0.0.1:2/'], 'each connector client built once');
  });
});
