import assert from 'node:assert/strict';
import { SendPacer, TEAMS_CONVERSATION_WINDOWS, TEAMS_TENANT_WINDOWS } from '../../../services/alerts/send-pacer';

describe('send pacer', () => {
  const pacer = () => new SendPacer((key) => (key.startsWith('tenant:') ? TEAMS_TENANT_WINDOWS : TEAMS_CONVERSATION_WINDOWS));

  it('allows 7 sends to one conversation in a second, then 8 in two seconds, then 60 in thirty', () => {
    const p = pacer();
    const slots = Array.from({ length: 12 }, () => p.reserve(['conversation:a', 'tenant:t'], 0));
    assert.deepEqual(slots.slice(0, 7), [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(slots[7], 1000, '8th waits for the 1-second window');
    assert.equal(slots[8], 2000, '9th waits for the 2-second window (8 per 2 s)');
    const many = Array.from({ length: 60 }, () => p.reserve(['conversation:b', 'tenant:t2'], 0));
    assert.ok(many[59]! < 30_000);
    assert.ok(p.reserve(['conversation:b', 'tenant:t2'], 0) >= 30_000, 'the 61st waits for the 30-second window');
  });

  it('allows 50 sends a second per tenant across conversations', () => {
    const p = pacer();
    const slots = Array.from({ length: 101 }, (_, i) => p.reserve([`conversation:${i}`, 'tenant:t'], 0));
    assert.equal(slots.filter((s) => s === 0).length, 50);
    assert.equal(slots.filter((s) => s === 1000).length, 50);
    assert.equal(slots[100], 2000);
    assert.equal(p.reserve(['conversation:x', 'tenant:other'], 0), 0, 'another tenant is not held up');
  });

  it('keeps order within a conversation and honours a pause', () => {
    const p = pacer();
    p.pause('conversation:a', 5000);
    assert.equal(p.reserve(['conversation:a', 'tenant:t'], 0), 5000);
    assert.equal(p.reserve(['conversation:a', 'tenant:t'], 100), 5000, 'never before the previous slot');
    assert.equal(p.reserve(['conversation:b', 'tenant:t'], 0), 0);
  });
});
