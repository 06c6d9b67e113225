import assert from 'node:assert/strict';
import { cleanJson, cleanText, hasControlCharacters, MAX_RECORD_ID, recordIdSchema } from '../../../services/util/text-input';

describe('text input normalisation', () => {
  it('removes NUL and other control characters from typed text, keeping tabs and line breaks', () => {
    assert.equal(cleanText('a\u0000b\u0007c\u001bd\u007fe'), 'abcde');
    assert.equal(cleanText('line one\r\nline\ttwo'), 'line one\r\nline\ttwo');
    assert.equal(cleanText('half \ud800 pair'), 'half \ufffd pair');
    assert.equal(cleanText('emoji 😀 kept'), 'emoji 😀 kept');
  });

  it('cleans every string of a card submission, keys included', () => {
    assert.deepEqual(cleanJson({ 'k\u0000': ['x\u0000', 1, { y: 'z\u0001' }], n: null, b: true }), { k: ['x', 1, { y: 'z' }], n: null, b: true });
  });

  it('spots control characters in ids, line breaks included', () => {
    assert.equal(hasControlCharacters('19:abc@thread.v2'), false);
    assert.equal(hasControlCharacters('conv\u0000'), true);
    assert.equal(hasControlCharacters('conv\n'), true);
  });

  it('accepts record ids 1..2^31-1 only, with a clear message', () => {
    const schema = recordIdSchema();
    assert.equal(schema.parse('2147483647'), MAX_RECORD_ID);
    assert.equal(schema.parse(1), 1);
    for (const bad of [2 ** 31, '2147483648', 0, -1, 1.5, 'abc', 1e300]) {
      const result = schema.safeParse(bad);
      assert.equal(result.success, false, String(bad));
      assert.equal(result.error!.issues[0]!.message, 'is not a valid record number');
    }
    assert.equal(recordIdSchema({ missing: 'is missing' }).safeParse(undefined).error!.issues[0]!.message, 'is missing');
  });
});
