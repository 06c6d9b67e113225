import assert from 'node:assert/strict';
import { helpCard } from '../../cards/help-card';
import { commandsForRole } from '../../services/commands/command-catalogue';
import type { Role } from '../../services/store/database';
import { assertValidCard } from '../helpers/card-check';

/** Every TextBlock's text in a card. */
function textBlocks(card: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

describe('help card', () => {
  const roles: Role[] = ['la_manager', 'attendance_officer', 'school_leader', 'cluster_member', 'admin'];
  for (const role of roles) {
    it(`shows placeholders in a form Teams keeps (${role})`, () => {
      const card = helpCard({ userName: 'Ola Officer', roleLabel: role, scopeDescription: 'Boston', commands: commandsForRole(role) });
      assertValidCard(card);
      const texts = textBlocks(card);
      // Teams drops "<word>" as an HTML tag: no TextBlock may carry one.
      for (const t of texts) assert.doesNotMatch(t, /<[a-z]/i, t);
      assert.ok(texts.some((t) => t.includes('cluster ‹district› minutes')), 'the district placeholder is visible');
    });
  }
});
