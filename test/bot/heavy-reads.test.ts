import assert from 'node:assert/strict';
import { ConcurrencyGate } from '../../services/util/concurrency-gate';
import { messageActivity, TEST_USERS } from '../helpers/activities';
import { startBot, type RunningBot } from '../helpers/bot-harness';

/** A gate that tells the test each time a read reaches it. */
class WatchedGate extends ConcurrencyGate {
  readonly arrivals: Array<() => void> = [];
  reads = 0;
  override run<T>(task: () => Promise<T>): Promise<T> {
    this.reads++;
    this.arrivals.shift()?.();
    return super.run(task);
  }
  nextArrival(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }
}

describe('heavy reads over HTTP', () => {
  let bot: RunningBot;
  let gate: WatchedGate;
  beforeEach(async () => {
    gate = new WatchedGate(1);
    bot = await startBot({ heavyReads: gate });
  });
  afterEach(() => bot.close());

  it('sends agenda, my actions and alerts reads through the gate, and not help', async () => {
    const as = { from: TEST_USERS.manager };
    await bot.say(messageActivity('help', as));
    assert.equal(gate.reads, 0);
    for (const command of ['cluster Boston agenda', 'my actions', 'alerts digest', 'alerts list']) await bot.say(messageActivity(command, as));
    assert.equal(gate.reads, 4);
  });

  it('a read waits while the gate is full and answers once a place frees', async () => {
    let release!: () => void;
    const held = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const arrived = gate.nextArrival();
    let answered = false;
    const reply = bot.say(messageActivity('my actions', { from: TEST_USERS.manager })).then((replies) => {
      answered = true;
      return replies;
    });
    await arrived;
    assert.equal(gate.waiting, 1);
    assert.equal(answered, false);
    release();
    await held;
    const replies = await reply;
    assert.equal(replies.length, 1);
    assert.equal(gate.running, 0);
  });
});
