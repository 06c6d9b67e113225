import assert from 'node:assert/strict';
import { fixedClock } from '../../../services/clock';
import { decide } from '../../../services/assistant/assistant';
import type { ModelEngine } from '../../../services/assistant/model-planner';
import { redactForModel } from '../../../services/assistant/redaction';
import { parseScope } from '../../../services/identity/scope';
import { forEachEngine } from '../../helpers/test-stores';
import { seedCounty } from '../cluster/cluster-fixture';

describe('redaction before the model, and the safeguarding check before any engine', () => {
  forEachEngine((getStore) => {
    it("replaces pupils' names (any case), UPNs and dates, and keeps district names and other words", async () => {
      const store = getStore();
      const fixture = await seedCounty(store.db, { staff: false });
      const bell = fixture.pupils.severe!;
      const text = `Is ${bell.forename} ${bell.surname.toUpperCase()} (${bell.upn}, born 2012-03-04 or 4/3/2012, seen 12th March) on the Boston agenda?`;
      const out = await redactForModel(store.db, text, ['Boston', 'Lincoln']);
      assert.equal(out, 'Is [name] [name] ([UPN], born [date] or [date], seen [date]) on the Boston agenda?');
    });

    it('sends a disclosure to no engine and records the redirect without the text', async () => {
      const store = getStore();
      const fixture = await seedCounty(store.db);
      const user = fixture.staff.officer!;
      const actor = { user, role: user.role, scope: parseScope(user.scope), aadObjectId: user.aad_object_id, conversationType: 'personal' as const };
      let asked = 0;
      const model: ModelEngine = { plan: async () => ((asked += 1), { kind: 'failed', reason: 'test', modelCalls: 1 }) };
      const decision = await decide({ db: store.db, clock: fixedClock('2026-11-25T10:00:00Z') }, actor, 'she told me her stepdad hits her', model);
      assert.equal(decision.kind, 'safeguarding');
      assert.equal(asked, 0);
      const rows = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'safeguarding.redirect').execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.staff_user_id, user.id);
      assert.ok(!JSON.stringify(rows).includes('stepdad'));
    });
  });
});
