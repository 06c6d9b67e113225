import assert from 'node:assert/strict';
import { escapeMarkdown } from '../../cards/adaptive-card';

describe('escapeMarkdown', () => {
  it('stops data from becoming emphasis, code or links', () => {
    assert.equal(escapeMarkdown('O*Brien_x`y~z\\'), 'O\\*Brien\\_x\\`y\\~z\\\\');
    assert.equal(escapeMarkdown('[click](https://evil.example)'), '[click]\\(https://evil.example)');
  });
  it('stops a line from becoming a list, heading or quote', () => {
    assert.equal(escapeMarkdown('- not a list\n1. nor this\n# nor this'), '\\- not a list\n1\\. nor this\n\\# nor this');
  });
  it('leaves ordinary punctuation alone', () => {
    assert.equal(escapeMarkdown("cluster <district> [agenda] St. Mary's (C of E) 7-9"), "cluster <district> [agenda] St. Mary's (C of E) 7-9");
  });
});
