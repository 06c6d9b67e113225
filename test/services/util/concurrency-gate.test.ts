import assert from 'node:assert/strict';
import { ConcurrencyGate } from '../../../services/util/concurrency-gate';

/** A task whose end the test decides. */
function controlled<T>() {
  let finish!: (value: T) => void;
  let fail!: (error: Error) => void;
  let started = false;
  const promise = new Promise<T>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    task: () => {
      started = true;
      return promise;
    },
    get started() {
      return started;
    },
    finish: (value: T) => finish(value),
    fail: (error: Error) => fail(error),
  };
}

/** Lets every settled promise's continuations run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyGate', () => {
  it('runs up to its limit at once and queues the rest', async () => {
    const gate = new ConcurrencyGate(2);
    const tasks = [controlled<number>(), controlled<number>(), controlled<number>()];
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    assert.deepEqual(tasks.map((t) => t.started), [true, true, false]);
    assert.deepEqual([gate.running, gate.waiting], [2, 1]);

    tasks[1]!.finish(1);
    await settle();
    assert.equal(tasks[2]!.started, true);
    assert.deepEqual([gate.running, gate.waiting], [2, 0]);

    tasks[0]!.finish(0);
    tasks[2]!.finish(2);
    assert.deepEqual(await Promise.all(results), [0, 1, 2]);
    assert.deepEqual([gate.running, gate.waiting], [0, 0]);
  });

  it('starts waiting tasks in arrival order', async () => {
    const gate = new ConcurrencyGate(1);
    const started: string[] = [];
    const first = controlled<void>();
    const firstDone = gate.run(async () => {
      started.push('first');
      await first.task();
    });
    const queued = ['second', 'third', 'fourth'].map((name) =>
      gate.run(async () => {
        started.push(name);
      }),
    );
    await settle();
    assert.deepEqual(started, ['first']);
    first.finish();
    // Arrives as the first place is being given up: it goes behind the three already queued.
    const late = gate.run(async () => {
      started.push('late');
    });
    await Promise.all([firstDone, ...queued, late]);
    assert.deepEqual(started, ['first', 'second', 'third', 'fourth', 'late']);
  });

  it('frees the place of a task that throws, and passes the error to its caller', async () => {
    const gate = new ConcurrencyGate(1);
    const failing = controlled<void>();
    const waiting = controlled<string>();
    const failed = gate.run(failing.task);
    const next = gate.run(waiting.task);
    await settle();
    assert.equal(waiting.started, false);

    failing.fail(new Error('the store went away'));
    let caught: unknown;
    await failed.catch((error) => (caught = error));
    assert.equal((caught as Error).message, 'the store went away');
    await settle();
    assert.equal(waiting.started, true);
    waiting.finish('ok');
    assert.equal(await next, 'ok');
    assert.deepEqual([gate.running, gate.waiting], [0, 0]);
  });

  it('frees the place of a task that throws before returning a promise', async () => {
    const gate = new ConcurrencyGate(1);
    const thrown = gate.run(() => {
      throw new Error('bad input');
    });
    let caught: unknown;
    await thrown.catch((error) => (caught = error));
    assert.equal((caught as Error).message, 'bad input');
    assert.equal(await gate.run(async () => 'after'), 'after');
    assert.equal(gate.running, 0);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    assert.throws(() => new ConcurrencyGate(0), { name: 'RangeError', message: /at least 1, not 0/ });
    assert.throws(() => new ConcurrencyGate(1.5), { name: 'RangeError', message: /not 1\.5/ });
  });
});
