import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { cardSizeBytes, CARD_SIZE_LIMIT_BYTES } from '../../cards/adaptive-card';
import { clusterAgendaCard } from '../../cards/cluster-agenda-card';
import { barColour, weeklyChartPng } from '../../cards/cluster-chart';
import { clusterMinutesCard } from '../../cards/cluster-minutes-card';
import { myActionsCard, overdueActionCard } from '../../cards/my-actions-card';
import { pupilReviewCard } from '../../cards/pupil-review-card';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import { groupFromTotals } from '../../services/attendance/attendance-measures';
import { ENGLAND_2023_24 } from '../../services/attendance/national-figures';
import { AGENDA_PAGE_SIZE, getClusterAgenda, type AgendaPupil, type AgendaView } from '../../services/cluster/cluster-agenda';
import { getMinutes, getMyActions } from '../../services/cluster/cluster-actions';
import { COHORTS } from '../../services/cluster/cluster-figures';
import { getPupilReview, saveReview, type ReviewView } from '../../services/cluster/pupil-review';
import { fixedClock } from '../../services/clock';
import { openStore, type Store } from '../../services/store/open-store';
import { assertValidCard, cardText, cardVerbs } from '../helpers/card-check';
import { actorFor, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from '../services/cluster/cluster-fixture';

const LONG = 'Saint Bartholomew-the-Great Church of England Voluntary Aided Academy and Sixth Form';

function figures(pupils: number) {
  return groupFromTotals({ pupils, sessions: { present: 900, aea: 10, authorised: 60, unauthorised: 30, notCounted: 0, possible: 1000 }, persistent: 12, severe: 2 });
}

/** The largest agenda page we can make: every row with the longest labels and every badge. */
function worstAgenda(from: number): AgendaView {
  const pupil = (i: number): AgendaPupil => ({
    pupilId: 100000 + i,
    label: 'Maximilian-Alexander Featherstonehaugh-Worthington',
    ncYear: 11,
    schoolUrn: 123456,
    schoolName: LONG,
    attendanceRate: 0.123,
    band: 'severe',
    category: 'severe',
    needs: ['Social worker (CIN)', 'EHC plan', 'Looked after', 'Youth justice', 'Worsening'],
    notes: ['53 days unauthorised in a row', 'Illness may pass 15 days (s.19)', 'Part-time timetable (C2)'],
    trendPoints: -42.9,
    openActions: 3,
    nextDue: '2026-11-20',
    overdue: true,
  });
  return {
    district: 'South Kesteven',
    meeting: { date: '2026-12-09', stored: false },
    today: '2026-11-25',
    periodFrom: '2026-09-01',
    asOf: '2026-11-27',
    schools: Array.from({ length: 80 }, (_, i) => ({ urn: 100000 + i, name: `${LONG} ${i}` })),
    invitees: [
      ...Array.from({ length: 12 }, (_, i) => ({ id: i, name: `Officer With A Long Name ${i}`, role: 'attendance_officer' as const, aadObjectId: null })),
      ...Array.from({ length: 60 }, (_, i) => ({ id: 100 + i, name: `Leader ${i}`, role: 'school_leader' as const, aadObjectId: null })),
    ],
    access: 'district',
    pupilsShown: true,
    nameMode: 'names',
    figures: { cluster: figures(20000), authority: figures(100000), england: ENGLAND_2023_24 },
    cohorts: COHORTS.map((c) => ({ key: c.key, label: c.label, measures: figures(1000), england: { absenceRate: 0.124, persistentRate: 0.346 } })),
    pupils: Array.from({ length: AGENDA_PAGE_SIZE }, (_, i) => pupil(i)),
    from,
    total: 1200,
    counts: { severe: 460, persistentNeed: 700, actionDue: 40 },
  };
}

describe('cluster cards', () => {
  let store: Store;
  let fixture: ClusterFixture;
  const deps = () => ({ db: store.db, calendar: testCalendar(), clock: fixedClock(NOW) });
  before(async () => {
    store = await openStore({ engine: 'sqlite', target: ':memory:' });
    fixture = await seedCounty(store.db);
    await seedAttendance(store.db, fixture);
  });
  after(() => store.close());

  it('the agenda card validates, opens each pupil\'s review and names the meeting', async () => {
    const result = await getClusterAgenda(deps(), actorFor(fixture.staff.officer!), { district: 'Boston', view: 'own' });
    assert.ok(result.ok);
    const card = clusterAgendaCard(result.view, { refreshUserIds: ['29:a', '29:b'] });
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /Boston attendance cluster/);
    assert.match(words, /Meeting Wed 9 Dec 2026 \(proposed/);
    assert.match(words, /Aisha Bell/);
    assert.match(words, /England 23\/24/);
    assert.match(words, /20\.0%/); // England PA
    const reviews = cardVerbs(card).filter((v) => v === VERBS.clusterReview);
    assert.equal(reviews.length, 3);
    assert.deepEqual(card.refresh?.userIds, ['29:a', '29:b']);
    assert.equal(card.refresh?.action.verb, VERBS.clusterAgenda);
    for (const verb of cardVerbs(card)) assert.ok(ALL_VERBS.includes(verb), verb);
  });

  it('the shared agenda card carries no name, only initials, year and school', async () => {
    const result = await getClusterAgenda(deps(), actorFor(fixture.staff.officer!, 'groupChat'), { district: 'Boston', view: 'shared' });
    assert.ok(result.ok);
    const words = cardText(clusterAgendaCard(result.view));
    assert.match(words, /\*\*A\.B\.\*\* · Y9 · Boston Grammar Test School/);
    assert.doesNotMatch(words, /Aisha|Bell|Ella|Frost|Carter/);
    assert.match(words, /Initials only here/);
  });

  it('the busiest agenda cards stay under 28 KB: the first (with figures) and a later one', () => {
    // Real Teams user ids are long (29: and about 90 characters).
    const longIds = Array.from({ length: 80 }, (_, i) => `29:${String(i).padStart(3, '0')}${'x'.repeat(87)}`);
    for (const from of [0, 15]) {
      const card = clusterAgendaCard(worstAgenda(from), { refreshUserIds: longIds.slice(0, 10) });
      assertValidCard(card);
      assert.equal(card.refresh?.userIds?.length, 10);
      const next = card.actions?.find((a) => a.title === 'Next') as { data: { from: number } } | undefined;
      const shown = cardVerbs(card).filter((v) => v === VERBS.clusterReview).length;
      assert.ok(shown >= 8, `${shown} rows shown`);
      assert.equal(next?.data.from, from + shown, 'the next card starts after the last row shown');
      // With 60 long refresh ids the card still fits: fewer rows, and the refresh list is kept.
      const crowded = clusterAgendaCard(worstAgenda(from), { refreshUserIds: longIds });
      assertValidCard(crowded);
      assert.ok(cardSizeBytes(crowded) < CARD_SIZE_LIMIT_BYTES);
      assert.equal(crowded.refresh?.userIds?.length, 60, 'refresh lists at most 60 users');
      assert.equal(crowded.refresh?.userIds?.[0], longIds[0], 'the first (the requester) is kept');
    }
  });

  it('the review card shows the weeks as a chart with words, codes, flags and the form', async () => {
    const result = await getPupilReview(deps(), actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.paSocial!.id, view: 'own' });
    assert.ok(result.ok);
    const card = pupilReviewCard(result.view);
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /Ben Carter · Y8/);
    assert.match(words, /Social worker \(CP\)/);
    assert.match(words, /N Reason not yet provided: 22/);
    assert.match(words, /80\.0% \(88 of 110 sessions\)/);
    const image = JSON.stringify(card).match(/data:image\/png;base64,([A-Za-z0-9+/=]+)/);
    assert.ok(image, 'has a chart image');
    assert.deepEqual(cardVerbs(card).sort(), [VERBS.clusterAgenda, VERBS.clusterReviewSave].sort());
    const inputs = JSON.stringify(card);
    for (const id of ['barriers', 'leadPractitioner', 'actionWhat', 'actionOwner', 'actionDue', 'outcome']) assert.ok(inputs.includes(`"id":"${id}"`), id);
  });

  it('the review card names the bad field and keeps what was typed', async () => {
    const result = await saveReview(deps(), actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, actionWhat: 'Home visit', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-11-01' }, 'own');
    assert.ok(result.ok && result.view.errors);
    const card = pupilReviewCard(result.view.view, { errors: result.view.errors, form: result.view.form });
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /Not saved\.\*\* Due date: must be today or later/);
    const what = (card.body as any[]).find((e) => e.id === 'actionWhat');
    assert.equal(what.value, 'Home visit');
  });

  it('the due date the client refuses carries its own message (Teams shows it; otherwise Save seems to do nothing)', async () => {
    const result = await getPupilReview(deps(), actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, view: 'own' });
    assert.ok(result.ok);
    const card = pupilReviewCard(result.view);
    const due = (card.body as any[]).find((e) => e.id === 'actionDue');
    assert.equal(due.min, result.view.today);
    assert.equal(due.max, '2027-11-26');
    assert.match(due.errorMessage, /Due date: choose a date from today/);
    // Every input the client validates says what is wrong in its own words.
    const validated = (card.body as any[]).filter((e) => typeof e.type === 'string' && e.type.startsWith('Input.') && (e.isRequired || e.min !== undefined || e.max !== undefined || e.regex));
    for (const input of validated) assert.ok(input.errorMessage, `${input.id} has no errorMessage`);
  });

  it('a field the form schema refuses comes back beside the field, the card and the typed text kept', async () => {
    const result = await saveReview(deps(), actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, barriers: 'b'.repeat(2001), outcome: 'Plan agreed' }, 'own');
    assert.ok(result.ok && !result.view.saved, 'the review card comes back, not a problem card');
    assert.deepEqual(result.view.errors, { barriers: 'must be at most 2000 characters' });
    const card = pupilReviewCard(result.view.view, { errors: result.view.errors, form: result.view.form });
    assertValidCard(card);
    const body = card.body as any[];
    const at = body.findIndex((e) => e.id === 'barriers');
    assert.match(body[at + 1].text, /^Barriers: must be at most 2000 characters/);
    assert.equal(body.find((e) => e.id === 'outcome').value, 'Plan agreed');
  });

  it('a review with many actions and long texts stays under 28 KB', async () => {
    const result = await getPupilReview(deps(), actorFor(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, view: 'own' });
    assert.ok(result.ok);
    const long = 'x'.repeat(2000);
    const view: ReviewView = {
      ...result.view,
      label: 'Maximilian-Alexander Featherstonehaugh-Worthington',
      schoolName: LONG,
      weeks: Array.from({ length: 40 }, (_, i) => ({ weekStart: '2026-09-07', possible: 10, attended: i % 11, codes: [] })),
      reviews: Array.from({ length: 3 }, () => ({ meetingDate: '2026-11-04', barriers: long, outcome: long, leadPractitioner: 'y'.repeat(200), recordedBy: 'Ola Officer' })),
      actions: Array.from({ length: 12 }, (_, i) => ({ id: i, description: 'z'.repeat(500), ownerName: 'Ola Officer', ownerId: 1, dueDate: '2026-11-20', status: 'open' as const, overdue: true, meetingDate: '2026-11-04' })),
      exclusions: Array.from({ length: 10 }, () => ({ category: 'SUSP' as const, startDate: '2026-10-01', sessions: 4, reasons: 'PP;VA;DM' })),
      owners: Array.from({ length: 30 }, (_, i) => ({ id: i, name: `Owner Person ${i}`, role: 'school_leader' })),
    };
    const card = pupilReviewCard(view, { refreshUserIds: ['29:a'] });
    assertValidCard(card);
    const crowded = pupilReviewCard(view, { refreshUserIds: Array.from({ length: 60 }, (_, i) => `29:${String(i).padStart(3, '0')}${'x'.repeat(87)}`) });
    assertValidCard(crowded);
    assert.ok((crowded.refresh?.userIds?.length ?? 0) >= 1);
  });

  it('crowded minutes and action lists stay under 28 KB and say what is left out', () => {
    const long = 'w'.repeat(300);
    const minutes = clusterMinutesCard({
      district: 'Boston',
      meetingDate: '2026-11-04',
      today: '2026-11-25',
      nameMode: 'names',
      pupils: Array.from({ length: 12 }, (_, i) => ({
        pupilId: i + 1,
        label: 'Maximilian-Alexander Featherstonehaugh-Worthington',
        ncYear: 9,
        schoolName: LONG,
        leadPractitioner: 'l'.repeat(100),
        barriers: long,
        outcome: long,
        actions: Array.from({ length: 5 }, (_, j) => ({ id: j, description: 'd'.repeat(150), ownerName: 'Ola Officer', dueDate: '2026-11-20', status: 'open' as const, overdue: true })),
      })),
      totals: { reviewed: 40, actions: 200, open: 150, done: 50, overdue: 10 },
      from: 0,
    });
    assertValidCard(minutes);
    const next = minutes.actions?.find((a) => a.title === 'Next') as { data: { from: number } } | undefined;
    assert.ok(next && next.data.from >= 1 && next.data.from < 12, `next card from ${next?.data.from}`);
    const mine = myActionsCard({
      ownerName: 'Ola Officer',
      today: '2026-11-25',
      nameMode: 'names',
      actions: Array.from({ length: 25 }, (_, i) => ({ id: i, pupilId: i, label: 'Maximilian-Alexander Featherstonehaugh-Worthington', ncYear: 9, schoolName: LONG, district: 'South Kesteven', description: 'd'.repeat(150), dueDate: '2026-11-20', overdue: true, meetingDate: '2026-11-04' })),
      more: 10,
    });
    assertValidCard(mine);
    assert.match(cardText(mine), /\d+ more open actions not shown/);
  });

  it('the chart is a real PNG: one bar per week, coloured by band', () => {
    const png = weeklyChartPng([
      { possible: 10, attended: 10 },
      { possible: 10, attended: 4 },
      { possible: 0, attended: 0 },
    ]);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    assert.equal(width, 3 * 18 + 4);
    assert.equal(height, 64);
    // Decode: the pixel near the bottom of bar 1 is green, of bar 2 red.
    const idatStart = png.indexOf(Buffer.from('IDAT')) + 4;
    const idatLength = png.readUInt32BE(idatStart - 8);
    const raw = inflateSync(png.subarray(idatStart, idatStart + idatLength));
    const pixel = (x: number, y: number) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 4)];
    assert.deepEqual(pixel(4 + 5, 60), barColour(1));
    assert.deepEqual(pixel(4 + 18 + 5, 60), barColour(0.4));
    assert.deepEqual(pixel(4 + 18 + 5, 20), [0, 0, 0, 0], 'above a 40% bar is transparent');
  });

  it('minutes, my actions and the overdue note validate; the note shows initials only', async () => {
    const officer = actorFor(fixture.staff.officer!);
    await saveReview(deps(), officer, { district: 'Boston', pupilId: fixture.pupils.severe!.id, outcome: 'Plan agreed', actionWhat: 'Early help assessment', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-12-01' }, 'own');
    const minutes = await getMinutes(deps(), officer, { district: 'Boston', view: 'own' });
    assert.ok(minutes.ok);
    const minutesCard = clusterMinutesCard(minutes.view);
    assertValidCard(minutesCard);
    assert.match(cardText(minutesCard), /Early help assessment — Ola Officer, due 1 Dec/);
    const mine = myActionsCard(await getMyActions(deps(), officer, 'own'));
    assertValidCard(mine);
    assert.match(cardText(mine), /Early help assessment/);
    const note = overdueActionCard({
      actionId: 1,
      ownerId: 1,
      ownerAadObjectId: 'x',
      ownerName: 'Ola Officer',
      pupilId: 5,
      pupilInitials: 'A.B.',
      ncYear: 9,
      schoolName: 'Boston Grammar Test School',
      district: 'Boston',
      description: 'Home visit',
      dueDate: '2026-11-20',
    });
    assertValidCard(note);
    assert.match(cardText(note), /A\.B\. · Y9/);
  });
});
