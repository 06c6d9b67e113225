import assert from 'node:assert/strict';
import { createProgress, formatCount } from '../../../services/importers/progress';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, columns: 80, write: (text: string) => writes.push(text) }, writes };
}

describe('import progress', () => {
  it('on a terminal, redraws one bar in place and ends the line when a phase finishes', () => {
    const { stream, writes } = fakeStream(true);
    const progress = createProgress(stream, { label: 'pupils', quietBelowBytes: 1000 });
    progress.start('checking', 1000);
    progress.update(500, 12345);
    progress.update(501, 12346); // same whole percent: no redraw
    progress.finish(24000);
    assert.equal(writes.length, 4);
    assert.ok(writes.slice(0, 3).every((w) => w.startsWith('\r') && w.includes('pupils: checking')));
    assert.match(writes[1]!, /\[#+\.+\]\s+50%\s+12,345 rows/);
    assert.match(writes[2]!, /\[#+\]\s+100%\s+24,000 rows/);
    assert.equal(writes[3], '\n');
  });

  it('elsewhere, writes a plain line every 10% for a large file', () => {
    const { stream, writes } = fakeStream(false);
    const progress = createProgress(stream, { label: 'pupils', quietBelowBytes: 100 });
    progress.start('writing', 1000);
    for (let done = 0; done <= 1000; done += 25) progress.update(done, done);
    progress.finish(1000);
    assert.deepEqual(
      writes.map((w) => w.match(/writing (\d+)%/)![1]),
      ['10', '20', '30', '40', '50', '60', '70', '80', '90', '100'],
    );
    assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
  });

  it('says nothing about a small file, on a terminal or elsewhere', () => {
    for (const isTTY of [true, false]) {
      const { stream, writes } = fakeStream(isTTY);
      const progress = createProgress(stream, { label: 'schools', quietBelowBytes: 100 });
      progress.start('checking', 99);
      progress.update(99, 5);
      progress.finish(5);
      assert.deepEqual(writes, [], `isTTY ${isTTY}`);
    }
  });

  it('formats counts with comma separators', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1234567), '1,234,567');
  });
});
