import assert from 'node:assert/strict';
import AdmZip from 'adm-zip';
import { createExportLinks, openExportLink, pupilListCsv } from '../../services/cluster/cluster-export';
import type { AgendaPupil, AgendaView } from '../../services/cluster/cluster-agenda';
import { saveReview } from '../../services/cluster/pupil-review-writes';
import { fixedClock } from '../../services/clock';
import { openStore, type Store } from '../../services/store/open-store';
import { messageActivity, TEST_USERS } from '../helpers/activities';
import { firstCard, insertStaff, startBot, type RunningBot } from '../helpers/bot-harness';
import { assertValidCard } from '../helpers/card-check';
import { actorFor, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from '../services/cluster/cluster-fixture';

/** The text of a .docx: it must be a valid zip holding word/document.xml. */
function docxText(body: Buffer): string {
  const zip = new AdmZip(body);
  const xml = zip.readAsText('word/document.xml');
  assert.ok(xml.length > 0, 'word/document.xml is there');
  return xml.replace(/<[^>]+>/g, '');
}

function linksOf(card: any): Record<string, string> {
  return Object.fromEntries((card.actions as { type: string; title: string; url: string }[]).filter((a) => a.type === 'Action.OpenUrl').map((a) => [a.title, a.url]));
}

describe('cluster export: Word and CSV through single-use links', () => {
  let store: Store;
  let fixture: ClusterFixture;
  let bot: RunningBot;
  const download = async (url: string) => {
    const path = new URL(url).pathname;
    const res = await fetch(`${bot.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', body: Buffer.from(await res.arrayBuffer()) };
  };

  before(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    fixture = await seedCounty(store.db);
    await seedAttendance(store.db, fixture);
    await insertStaff(store, [
      { user: TEST_USERS.attendanceOfficer, role: 'attendance_officer', scope: 'district:Boston' },
      { user: TEST_USERS.clusterMember, role: 'cluster_member', scope: 'district:Lincoln' },
    ]);
    const officer = await store.db.selectFrom('staff_user').selectAll().where('aad_object_id', '=', TEST_USERS.attendanceOfficer.aadObjectId).executeTakeFirstOrThrow();
    await saveReview(
      { db: store.db, calendar: testCalendar(), clock: fixedClock(NOW) },
      actorFor(officer),
      { district: 'Boston', pupilId: fixture.pupils.severe!.id, barriers: 'Transport', outcome: '=cmd|calc outcome', actionWhat: 'Bus pass', actionOwner: String(officer.id), actionDue: '2026-12-02' },
      'own',
    );
    bot = await startBot({ store, clock: fixedClock(NOW), env: { PUBLIC_URL: 'https://bot.example.gov.uk/' } });
  });
  after(async () => {
    await bot.close();
    await store.close();
  });

  it('in a personal chat: agenda and minutes as Word with full names, the pupil list as CSV; each link works once', async () => {
    const card = firstCard(await bot.say(messageActivity('cluster Boston export', { from: TEST_USERS.attendanceOfficer })));
    assertValidCard(card);
    const links = linksOf(card);
    assert.deepEqual(Object.keys(links).sort(), ['Agenda (Word)', 'Minutes (Word)', 'Pupil list (CSV)']);
    for (const url of Object.values(links)) assert.match(url, /^https:\/\/bot\.example\.gov\.uk\/exports\/[0-9a-f]{64}$/);

    const agenda = await download(links['Agenda (Word)']!);
    assert.equal(agenda.status, 200);
    assert.match(agenda.type, /wordprocessingml/);
    assert.match(agenda.disposition, /attachment; filename="boston-agenda-\d{4}-\d{2}-\d{2}\.docx"/);
    const agendaText = docxText(agenda.body);
    assert.match(agendaText, /Boston attendance cluster meeting: agenda/);
    assert.match(agendaText, /Aisha Bell/);
    assert.doesNotMatch(agendaText, /Lincoln Pupil|Lincoln Severe/i);

    const minutes = docxText((await download(links['Minutes (Word)']!)).body);
    assert.match(minutes, /Boston attendance cluster meeting: minutes/);
    assert.match(minutes, /Aisha Bell/);
    assert.match(minutes, /Bus pass/);
    assert.match(minutes, /1 pupil reviewed · 1 action agreed/);

    const csv = await download(links['Pupil list (CSV)']!);
    assert.match(csv.type, /^text\/csv/);
    const lines = csv.body.toString('utf8').replace(/^\ufeff/, '').split('\r\n');
    assert.equal(lines[0], 'Pupil,Year,School,Attendance,Band,Needs,Open actions,Next due');
    assert.ok(lines.some((l) => l.startsWith('Aisha Bell,')));

    // Used: a second open finds nothing, the same as an unknown link.
    assert.equal((await download(links['Agenda (Word)']!)).status, 404);
    // The store keeps only a hash of each token.
    const stored = await store.db.selectFrom('cluster_export_link').select('token_hash').execute();
    for (const url of Object.values(links)) assert.ok(!stored.some((s) => url.endsWith(s.token_hash)));
    // Every file opened is in the audit log with the pupils it named.
    const audit = await store.db.selectFrom('audit_log').select(['action', 'command']).where('command', 'like', 'cluster export%').execute();
    assert.deepEqual(audit.map((a) => a.command).sort(), ['cluster export agenda', 'cluster export minutes', 'cluster export pupils']);
    assert.ok(audit.every((a) => a.action === 'pupil.export'));
  });

  it('in a group chat the files carry initials only', async () => {
    const card = firstCard(await bot.say(messageActivity('cluster Boston export', { from: TEST_USERS.attendanceOfficer, conversationType: 'groupChat' })));
    const links = linksOf(card);
    const agenda = docxText((await download(links['Agenda (Word)']!)).body);
    assert.match(agenda, /A\.B\./);
    assert.doesNotMatch(agenda, /Aisha|Bell/);
    const minutes = docxText((await download(links['Minutes (Word)']!)).body);
    assert.doesNotMatch(minutes, /Aisha|Bell|Transport/);
    const csv = (await download(links['Pupil list (CSV)']!)).body.toString('utf8');
    assert.doesNotMatch(csv, /Aisha|Bell/);
  });

  it('refuses a district outside the scope and answers guessed, malformed or expired links with 404', async () => {
    const replies = await bot.say(messageActivity('cluster Boston export', { from: TEST_USERS.clusterMember }));
    assert.match(replies[0].text, /outside your scope/);
    assert.equal(replies[0].attachments, undefined);
    assert.equal((await download(`https://x/exports/${'a'.repeat(64)}`)).status, 404);
    assert.equal((await download('https://x/exports/not-a-token')).status, 404);

    // Expiry, with the clock moved on: the link stops working after ten minutes.
    const officer = await store.db.selectFrom('staff_user').selectAll().where('aad_object_id', '=', TEST_USERS.attendanceOfficer.aadObjectId).executeTakeFirstOrThrow();
    const made = await createExportLinks({ db: store.db, calendar: testCalendar(), clock: fixedClock(NOW) }, actorFor(officer), { district: 'Boston', view: 'own' });
    assert.ok(made.ok);
    const later = { db: store.db, calendar: testCalendar(), clock: fixedClock(new Date(Date.parse(NOW) + 10 * 60_000 + 1000).toISOString()) };
    assert.equal(await openExportLink(later, made.view.tokens.agenda), undefined);
    const inTime = { db: store.db, calendar: testCalendar(), clock: fixedClock(new Date(Date.parse(NOW) + 9 * 60_000).toISOString()) };
    assert.ok(await openExportLink(inTime, made.view.tokens.minutes));
  });

  it('writes the pupil list through the shared CSV writer: quoted cells, formulas made text, padded names kept whole', () => {
    const pupil = { label: '=HYPERLINK("http://x","y")', ncYear: 9, schoolName: ' Fenside Academy, Boston', attendanceRate: 0.5, band: 'severe', needs: ['EHC plan', 'Looked after'], openActions: 2, nextDue: null } as unknown as AgendaPupil;
    // The list reads only the pupils from the agenda.
    const csv = pupilListCsv({ pupils: [pupil, { ...pupil, label: 'Jo Smith ', schoolName: '@school' }] } as unknown as AgendaView);
    assert.ok(csv.startsWith('\ufeff'), 'a byte-order mark for Excel');
    const lines = csv.slice(1).split('\r\n');
    assert.equal(lines.length, 4, 'header, two pupils, and a final line ending');
    assert.equal(lines[3], '');
    const [name, year, school, attendance, , needs, actions, due] = lines[1]!.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    assert.equal(name, `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(school, '" Fenside Academy, Boston"');
    assert.deepEqual([year, attendance, needs, actions, due], ['Y9', '50.0%', 'EHC plan; Looked after', '2', '']);
    // Surrounding spaces are quoted, so a spreadsheet keeps the name as written.
    assert.match(lines[2]!, /^"Jo Smith ",Y9,'@school,/);
  });
});
