import assert from 'node:assert/strict';
import AdmZip from 'adm-zip';
import { createExportLinks, openExportLink } from '../../../services/cluster/cluster-export';
import type { ClusterDeps } from '../../../services/cluster/cluster-service-types';
import { fixedClock } from '../../../services/clock';
import { forEachEngine } from '../../helpers/test-stores';
import { NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from './cluster-fixture';
import { actorOf } from '../../helpers/fixtures';

describe('cluster export links', () => {
  forEachEngine((getStore) => {
    let fixture: ClusterFixture;
    const at = (offsetMs: number): ClusterDeps => ({ db: getStore().db, calendar: testCalendar(), clock: fixedClock(new Date(Date.parse(NOW) + offsetMs).toISOString()) });
    beforeEach(async () => {
      fixture = await seedCounty(getStore().db);
      await seedAttendance(getStore().db, fixture);
    });

    it('opens each link once, within ten minutes, for the user who asked; the file is built then', async () => {
      const made = await createExportLinks(at(0), actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' });
      assert.ok(made.ok);
      const agenda = await openExportLink(at(60_000), made.view.tokens.agenda);
      assert.ok(agenda);
      assert.match(new AdmZip(agenda.body).readAsText('word/document.xml'), /Boston attendance cluster meeting: agenda/);
      assert.equal(await openExportLink(at(61_000), made.view.tokens.agenda), undefined, 'single use');
      assert.equal(await openExportLink(at(10 * 60_000), made.view.tokens.minutes), undefined, 'expired at ten minutes');
      // The user's scope as it is when the link is opened: moved to Lincoln, Boston's files are gone.
      await getStore().db.updateTable('staff_user').set({ scope: 'district:Lincoln' }).where('id', '=', fixture.staff.officer!.id).execute();
      assert.equal(await openExportLink(at(120_000), made.view.tokens.pupils), undefined);
    });

    it('makes no link for a district outside the scope', async () => {
      const refused = await createExportLinks(at(0), actorOf(fixture.staff.lincolnMember!), { district: 'Boston', view: 'own' });
      assert.equal(!refused.ok && refused.kind, 'not_in_scope');
      assert.equal((await getStore().db.selectFrom('cluster_export_link').selectAll().execute()).length, 0);
    });
  });
});
