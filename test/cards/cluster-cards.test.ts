import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { cardSizeBytes, CARD_SIZE_LIMIT_BYTES } from '../../cards/adaptive-card';
import { clusterAgendaCard } from '../../cards/cluster-agenda-card';
import { clusterCandidatesCard } from '../../cards/cluster-candidates-card';
import { clip } from '../../cards/cluster-card-parts';
import { barColour, CHART_HEIGHT, CHART_WIDTH, chartLayout, FONT_SCALE, GLYPHS, TEXT, textWidth, weekLabel, weeklyChartPng } from '../../cards/cluster-chart';
import { clusterMinutesCard } from '../../cards/cluster-minutes-card';
import { myActionsCard, overdueActionCard } from '../../cards/my-actions-card';
import { pupilReviewCard } from '../../cards/pupil-review-card';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import { groupFromTotals } from '../../services/attendance/attendance-measures';
import { ENGLAND_2023_24 } from '../../services/attendance/national-figures';
import { AGENDA_PAGE_SIZE, getClusterAgenda, type AgendaPupil, type AgendaView } from '../../services/cluster/cluster-agenda';
import { getMyActions } from '../../services/cluster/cluster-actions';
import { getMinutes } from '../../services/cluster/cluster-minutes';
import { getClusterCandidates, type CandidatesView } from '../../services/cluster/cluster-candidates';
import { COHORTS } from '../../services/cluster/cluster-figures';
import { getPupilReview, type ReviewView } from '../../services/cluster/pupil-review';
import { saveReview } from '../../services/cluster/pupil-review-writes';
import { fixedClock } from '../../services/clock';
import { openStore, type Store } from '../../services/store/open-store';
import { assertValidCard, cardText, cardVerbs } from '../helpers/card-check';
import { daysAfter, NOW, seedAttendance, seedCounty, testCalendar, type ClusterFixture } from '../services/cluster/cluster-fixture';
import { actorOf } from '../helpers/fixtures';

const LONG = 'Saint Bartholomew-the-Great Church of England Voluntary Aided Academy and Sixth Form';

function figures(pupils: number) {
  return groupFromTotals({ pupils, sessions: { present: 900, aea: 10, authorised: 60, unauthorised: 30, notCounted: 0, possible: 1000 }, persistent: 12, severe: 2 });
}

/** Reception, nursery and sixth-form pupils: `persistent` of `pupils` persistently absent. */
function outside(pupils: number, persistent: number) {
  return groupFromTotals({ pupils, sessions: { present: 80, aea: 0, authorised: 10, unauthorised: 10, notCounted: 0, possible: 100 }, persistent, severe: 0 });
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
    trend: 'worsening',
    trendPoints: -42.9,
    openActions: 3,
    nextDue: '2026-11-20',
    overdue: true,
    reason: 'nominated',
    nomination: { byName: 'Officer With A Long Name And Title', reason: 'School asked for help: refusing to come in since half term, parent worried' },
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
    figures: { cluster: figures(20000), authority: figures(100000), england: ENGLAND_2023_24, outsideCompulsory: outside(40, 12) },
    cohorts: COHORTS.map((c) => ({ key: c.key, label: c.label, measures: figures(1000), england: { absenceRate: 0.124, persistentRate: 0.346 } })),
    pupils: Array.from({ length: AGENDA_PAGE_SIZE }, (_, i) => pupil(i)),
    from,
    total: 40,
    agendaSize: 30,
    counts: { nominated: 12, carried: 8, need: 20, pool: 1200, poolSevere: 460 },
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
    const result = await getClusterAgenda(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' });
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

  it('the agenda card says what the list is: nominations and carried-over actions first, the pool behind it and how to reach it', () => {
    const view = worstAgenda(0);
    const card = clusterAgendaCard(view);
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /\*\*Pupils to review \(40\)\*\*/);
    assert.match(words, /12 nominated · 8 with actions carried over · 20 of highest need, up to 30\. Pool: 1,200 pupils meet the criteria \(460 severely absent\)/);
    assert.match(words, /cluster South Kesteven candidates/);
    assert.match(words, /Nominated by Officer With A Long Name And Title: School asked for help/);
    const candidates = card.actions?.find((a) => a.title === 'Candidates') as { verb: string; data: unknown } | undefined;
    assert.deepEqual([candidates?.verb, candidates?.data], [VERBS.clusterCandidates, { district: 'South Kesteven' }]);
  });

  it('the agenda card shows reception, nursery and sixth form on their own line, apart from the England comparison', () => {
    const view = worstAgenda(0);
    const card = clusterAgendaCard(view);
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /Reception, nursery and sixth form \(not in the England comparison\): 40 pupils, 30\.0% persistently absent/);
    const none = cardText(clusterAgendaCard({ ...view, figures: { ...view.figures, outsideCompulsory: outside(0, 0) } }));
    assert.doesNotMatch(none, /Reception, nursery and sixth form/, 'no line when the cluster has no such pupils');
  });

  it('the candidates card pages the pool with a Nominate button on each pupil not yet on the agenda, keeping the filters', () => {
    const base = worstAgenda(0).pupils;
    const view: CandidatesView = {
      district: 'Boston',
      meeting: { date: '2026-12-09', stored: true },
      access: 'district',
      nameMode: 'names',
      schools: [{ urn: 120001, name: LONG }],
      filters: { school: { urn: 120001, name: LONG }, cohort: { key: 'looked_after', label: 'Looked after' } },
      pupils: base.map((p, i) => ({ ...p, nomination: i === 0 ? p.nomination : null, reason: i < 2 ? ('need' as const) : undefined, onAgenda: i < 2 })),
      from: 15,
      total: 200,
    };
    const card = clusterCandidatesCard(view);
    assertValidCard(card);
    assert.ok(cardSizeBytes(card) < CARD_SIZE_LIMIT_BYTES);
    const words = cardText(card);
    assert.match(words, /Candidates \(200\)/);
    assert.match(words, /Only: Saint Bartholomew-the-Great .*· Looked after/);
    assert.match(words, /Nominated/);
    assert.match(words, /On the agenda/);
    const json = JSON.stringify(card);
    const nominate = json.match(new RegExp(`"verb":"${VERBS.clusterNominate.replace('.', '\\.')}"`, 'g')) ?? [];
    const shown = (words.match(/attendance 12\.3%/g) ?? []).length;
    assert.equal(nominate.length, shown - 2, 'every row not yet on the agenda has a Nominate button');
    const next = card.actions?.find((a) => a.title === 'Next') as { data: Record<string, unknown> } | undefined;
    assert.deepEqual(next?.data, { district: 'Boston', school: '120001', cohort: 'looked_after', from: 15 + shown });
    assert.ok(JSON.stringify(card).includes(`"data":{"district":"Boston","pupilId":100003,"back":"candidates","school":"120001","cohort":"looked_after","from":15}`));
    assert.doesNotMatch(json, /<[a-z]/i, 'no angle brackets: Teams drops <word>');
  });

  it('the candidates card from the store validates', async () => {
    const result = await getClusterCandidates(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' });
    assert.ok(result.ok);
    const card = clusterCandidatesCard(result.view);
    assertValidCard(card);
    assert.match(cardText(card), /\*\*Aisha Bell\*\* · Y9 · Boston Grammar Test School · \*\*attendance 3\.6%\*\*/);
    for (const verb of cardVerbs(card)) assert.ok(ALL_VERBS.includes(verb), verb);
  });

  it('school names are shortened at a word boundary, never mid-word', () => {
    assert.equal(clip(LONG, 40), 'Saint Bartholomew-the-Great Church of…');
    assert.equal(clip('Boston Grammar Test School', 40), 'Boston Grammar Test School');
    assert.equal(clip('Supercalifragilisticexpialidocious Academy', 20), 'Supercalifragilisti…');
    const card = clusterAgendaCard(worstAgenda(0));
    const schools = [...cardText(card).matchAll(/· Y11 · ([^·]+) ·/g)].map((m) => m[1]!.trim());
    assert.ok(schools.length >= 8);
    for (const school of schools) {
      assert.ok(school.endsWith('…'), school);
      assert.ok(LONG.startsWith(`${school.slice(0, -1)} `), `cut mid-word: ${school}`);
    }
  });

  it('the shared agenda card carries no name, only initials, year and school', async () => {
    const result = await getClusterAgenda(deps(), actorOf(fixture.staff.officer!, 'groupChat'), { district: 'Boston', view: 'shared' });
    assert.ok(result.ok);
    const words = cardText(clusterAgendaCard(result.view));
    assert.match(words, /\*\*A\.B\.\*\* · Y9 · Boston Grammar Test School/);
    assert.doesNotMatch(words, /Aisha|Bell|Ella|Frost|Carter/);
    assert.match(words, /Initials only here/);
  });

  it('a figures-only agenda card (no pupil rows) does not talk about initials', async () => {
    const result = await getClusterAgenda(deps(), actorOf(fixture.staff.officer!, 'groupChat'), { district: 'Boston', view: 'shared' });
    assert.ok(result.ok);
    const words = cardText(clusterAgendaCard({ ...result.view, pupilsShown: false, pupils: [] }));
    assert.match(words, /figures only/);
    assert.doesNotMatch(words, /Initials only here/);
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
    const result = await getPupilReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.paSocial!.id, view: 'own' });
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
    // Save, Back to agenda, and Nominate (a pupil not yet nominated).
    assert.deepEqual(cardVerbs(card).sort(), [VERBS.clusterAgenda, VERBS.clusterNominate, VERBS.clusterReviewSave].sort());
    const inputs = JSON.stringify(card);
    for (const id of ['barriers', 'leadPractitioner', 'actionWhat', 'actionOwner', 'actionDue', 'outcome']) assert.ok(inputs.includes(`"id":"${id}"`), id);
  });

  it('the review card says what changed without calling a severe pupil improving, ends the period on the last marked day and links alerts', async () => {
    const result = await getPupilReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, view: 'own' });
    assert.ok(result.ok);
    // Marks run to Wednesday 25 November; the week's Friday is still to come.
    assert.equal(result.view.asOf, '2026-11-25');
    const view: ReviewView = {
      ...result.view,
      trend: 'improving',
      trendPoints: 16,
      alerts: [{ id: 77, title: 'Suspensions pass 10 days this year', status: 'open', createdOn: '2026-11-20', dueDate: '2026-12-01' }],
      nomination: { byName: 'Bea Leader', reason: 'Refusing to come in' },
    };
    const card = pupilReviewCard(view);
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /year to date 1 Sep – 25 Nov \(last day with marks\)/);
    assert.match(words, /\+16\.0 pts on the 6 weeks before, still severe/);
    assert.doesNotMatch(words, /improving/i);
    assert.match(words, /Alert 20 Nov: Suspensions pass 10 days this year, due 1 Dec/);
    assert.ok(JSON.stringify(card).includes(`"verb":"${VERBS.alertTimeline}","data":{"alertId":77}`), 'the alert lines link the timeline');
    assert.match(words, /Nominated\*\* for this meeting by Bea Leader: Refusing to come in/);
    assert.ok(!cardVerbs(card).includes(VERBS.clusterNominate), 'no second nomination offered');
    // Flags and patterns coloured by severity: severe is attention, persistent warning, else default.
    const flags = JSON.stringify(card).match(/"text":"\*\*Flags:\*\*[^"]*"[^}]*"color":"(\w+)"/);
    assert.equal(flags?.[1], 'attention');
    const persistent = pupilReviewCard({ ...view, band: 'persistent' });
    assert.match(JSON.stringify(persistent), /"text":"\*\*Flags:\*\*[^"]*"[^}]*"color":"warning"/);
    assert.match(cardText(pupilReviewCard({ ...view, band: 'none', trendPoints: 6 })), /\+6\.0 pts on the 6 weeks before: improving/);
  });

  it('agenda rows say "attendance" and colour flags by severity, not all red', async () => {
    const result = await getClusterAgenda(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', view: 'own' });
    assert.ok(result.ok);
    assert.equal(result.view.asOf, '2026-11-25', 'the period ends on the last day with marks');
    const card = clusterAgendaCard(result.view);
    const words = cardText(card);
    assert.match(words, /\*\*Aisha Bell\*\* · Y9 · Boston Grammar Test School · \*\*attendance 3\.6%\*\*/);
    assert.match(words, /year to date 1 Sep – 25 Nov \(last day with marks\)/);
    const json = JSON.stringify(card);
    assert.match(json, /"text":"Severe absence[^"]*"[^}]*"color":"attention"/);
    assert.match(json, /"text":"Persistent absence · Looked after[^"]*"[^}]*"color":"warning"/);
  });

  it('the review card names the bad field and keeps what was typed', async () => {
    const result = await saveReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, actionWhat: 'Home visit', actionOwner: String(fixture.staff.officer!.id), actionDue: '2026-11-01' }, 'own');
    assert.ok(result.ok && result.view.errors);
    const card = pupilReviewCard(result.view.view, { errors: result.view.errors, form: result.view.form });
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /Not saved\.\*\* Due date: must be today or later/);
    const what = (card.body as any[]).find((e) => e.id === 'actionWhat');
    assert.equal(what.value, 'Home visit');
  });

  it('the due date the client refuses carries its own message (Teams shows it; otherwise Save seems to do nothing)', async () => {
    const result = await getPupilReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, view: 'own' });
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
    const result = await saveReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, barriers: 'b'.repeat(2001), outcome: 'Plan agreed' }, 'own');
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
    const result = await getPupilReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.severe!.id, view: 'own' });
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

  /** Decodes our PNG (RGBA 8-bit, one IDAT, row filters None or Up) into a pixel reader. */
  function decode(png: Buffer) {
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    assert.deepEqual([png[24], png[25]], [8, 6], 'RGBA, 8 bits');
    const idatStart = png.indexOf(Buffer.from('IDAT')) + 4;
    const idatLength = png.readUInt32BE(idatStart - 8);
    const raw = inflateSync(png.subarray(idatStart, idatStart + idatLength));
    const stride = width * 4;
    const pixels = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
      const filter = raw[y * (stride + 1)];
      assert.ok(filter === 0 || filter === 2, `row ${y} filter ${filter}`);
      for (let i = 0; i < stride; i++) {
        const up = filter === 2 && y > 0 ? pixels[(y - 1) * stride + i]! : 0;
        pixels[y * stride + i] = (raw[y * (stride + 1) + 1 + i]! + up) & 0xff;
      }
    }
    const pixel = (x: number, y: number) => [...pixels.subarray(y * stride + x * 4, y * stride + x * 4 + 4)];
    return { width, height, pixel };
  }

  /** True when the text is drawn at the label's place, pixel for pixel in the chart font. */
  function drawn(chart: ReturnType<typeof decode>, label: { text: string; x: number; y: number }): boolean {
    for (const [k, ch] of [...label.text].entries()) {
      const glyph = GLYPHS[ch]!;
      for (let gy = 0; gy < 5; gy++)
        for (let gx = 0; gx < 3; gx++) {
          const p = chart.pixel(label.x + k * 4 * FONT_SCALE + gx * FONT_SCALE, label.y + gy * FONT_SCALE);
          const on = p[3] === 255 && p[0] === TEXT[0];
          if (on !== (glyph[gy]![gx] === '1')) return false;
        }
    }
    return true;
  }

  it('the chart is a real PNG sized for a Teams card: one bar per week, coloured by band', () => {
    const weeks = [
      { weekStart: '2026-09-07', possible: 10, attended: 10 },
      { weekStart: '2026-09-14', possible: 10, attended: 4 },
      { weekStart: '2026-09-21', possible: 0, attended: 0 },
    ];
    const chart = decode(weeklyChartPng(weeks));
    assert.deepEqual([chart.width, chart.height], [CHART_WIDTH, CHART_HEIGHT]);
    const layout = chartLayout(weeks);
    const bottom = layout.baseline - 1;
    assert.deepEqual(chart.pixel(layout.bars[0]!.x + 2, bottom), barColour(1));
    assert.deepEqual(chart.pixel(layout.bars[1]!.x + 2, bottom), barColour(0.4));
    assert.deepEqual(chart.pixel(layout.bars[1]!.x + 2, layout.baseline - 70), [0, 0, 0, 0], 'above a 40% bar is transparent');
    assert.ok(layout.bars[0]!.width >= 20, 'three weeks get wide bars');
  });

  it('the chart labels the weeks and the 90% line, readably at Teams card widths', () => {
    // A whole year: 39 school weeks.
    const weeks = Array.from({ length: 39 }, (_, i) => ({ weekStart: daysAfter('2026-09-07', 7 * i), possible: 10, attended: i % 3 ? 10 : 7 }));
    const png = weeklyChartPng(weeks);
    const chart = decode(png);
    const layout = chartLayout(weeks);
    assert.ok(drawn(chart, layout.thresholdLabel), 'the 90% label is drawn');
    assert.equal(layout.thresholdLabel.text, '90%');
    assert.ok(layout.weekLabels.length >= 5, `${layout.weekLabels.length} week labels`);
    assert.equal(layout.weekLabels[layout.weekLabels.length - 1]!.text, weekLabel(weeks[38]!.weekStart), 'the latest week is labelled');
    assert.equal(weekLabel('2026-11-23'), '23/11');
    for (const label of layout.weekLabels) assert.ok(drawn(chart, label), `label ${label.text} drawn`);
    for (let i = 1; i < layout.weekLabels.length; i++) {
      const before = layout.weekLabels[i - 1]!;
      assert.ok(before.x + textWidth(before.text) < layout.weekLabels[i]!.x, 'labels do not touch');
    }
    // Teams shows the image at its own width where the card is wider (desktop, about 450-500 px) and
    // scales it down on a phone (about 320 px): the digits stay at least 7 px tall everywhere.
    for (const cardWidth of [320, 400, 456, 500]) {
      const shown = Math.min(1, cardWidth / chart.width) * 5 * FONT_SCALE;
      assert.ok(shown >= 7, `digits ${shown.toFixed(1)} px tall in a ${cardWidth} px card`);
    }
    assert.ok(chart.width > 220 * 1.9, 'about twice as wide as the old chart');
  });

  it('the review card carries the chart with week labels and the threshold label in words too', async () => {
    const result = await getPupilReview(deps(), actorOf(fixture.staff.officer!), { district: 'Boston', pupilId: fixture.pupils.worsening!.id, view: 'own' });
    assert.ok(result.ok);
    const card = pupilReviewCard(result.view);
    assertValidCard(card);
    const words = cardText(card);
    assert.match(words, /w\/c 31 Aug/);
    assert.match(words, /w\/c 23 Nov/);
    assert.match(words, /dashed line: 90% attendance/);
    const image = (card.body as { type: string; size?: string; url?: string }[]).find((e) => e.type === 'Image');
    assert.equal(image?.size, 'auto');
    const png = Buffer.from(image!.url!.replace(/^data:image\/png;base64,/, ''), 'base64');
    const chart = decode(png);
    const layout = chartLayout(result.view.weeks);
    assert.ok(layout.weekLabels.some((l) => l.text === '23/11' && drawn(chart, l)));
    assert.ok(drawn(chart, layout.thresholdLabel));
  });

  it('minutes, my actions and the overdue note validate; the note shows initials only', async () => {
    const officer = actorOf(fixture.staff.officer!);
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
