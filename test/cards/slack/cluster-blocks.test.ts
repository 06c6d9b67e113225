import assert from 'node:assert/strict';
import { MAX_BLOCKS, MAX_FIELDS, MAX_FIELD_TEXT, MAX_HEADER, MAX_TEXT, messageWithActions, section, button, type SlackMessage } from '../../../cards/slack/block-kit';
import { clusterAgendaBlocks } from '../../../cards/slack/cluster-agenda-blocks';
import { clusterCandidatesBlocks, clusterMinutesBlocks } from '../../../cards/slack/cluster-minutes-blocks';
import { alertDigestBlocks } from '../../../cards/slack/alert-digest-blocks';
import { placesBlocks } from '../../../cards/slack/places-blocks';
import { myActionsBlocks } from '../../../cards/slack/my-actions-blocks';
import { MAX_MODAL_BLOCKS } from '../../../cards/slack/modal-kit';
import { reviewErrors, reviewModal } from '../../../cards/slack/review-blocks';
import type { AgendaView, AgendaPupil } from '../../../services/cluster/cluster-agenda';
import type { MinutesView } from '../../../services/cluster/cluster-minutes';
import type { ReviewView } from '../../../services/cluster/pupil-review';
import type { DigestView } from '../../../services/alerts/alert-digest';
import type { PlacesOverview } from '../../../services/places/places-overview';

/** Slack's limits on the new views, on the longest views the services can give (and longer). */

const LONG = 'Very long free text about what keeps the pupil from school and what was agreed. '.repeat(60);

function assertLimits(blocks: any[], maxBlocks = MAX_BLOCKS): void {
  assert.ok(blocks.length >= 1 && blocks.length <= maxBlocks, `${blocks.length} blocks`);
  const ids = new Set<string>();
  const button = (e: any) => {
    assert.ok(e.text.text.length <= 75 && e.action_id.length <= 255 && (e.value ?? '').length <= 2000);
    assert.ok(!ids.has(e.action_id), `action_id ${e.action_id} repeats`);
    ids.add(e.action_id);
  };
  for (const b of blocks) {
    if (b.type === 'header') assert.ok(b.text.text.length <= MAX_HEADER);
    if (b.type === 'section') {
      if (b.text) assert.ok(b.text.text.length <= MAX_TEXT);
      if (b.fields) assert.ok(b.fields.length <= MAX_FIELDS && b.fields.every((f: any) => f.text.length <= MAX_FIELD_TEXT));
      if (b.accessory) button(b.accessory);
    }
    if (b.type === 'actions') b.elements.forEach(button);
    if (b.type === 'context') assert.ok(b.elements.length <= 10 && b.elements.every((e: any) => e.text.length <= MAX_TEXT));
  }
}

const measures = { attendanceRate: 0.9, persistentRate: 0.2, severeRate: 0.02 } as never;

function agenda(from: number, total: number, nameMode: 'names' | 'initials'): AgendaView {
  const pupils: AgendaPupil[] = Array.from({ length: 15 }, (_, i) => ({
    pupilId: from + i + 1,
    label: nameMode === 'names' ? `Forename${i} ${'Surname'.repeat(20)}` : 'A. B.',
    ncYear: 9,
    schoolUrn: 1,
    schoolName: 'School '.repeat(40),
    attendanceRate: 0.4,
    band: 'severe',
    category: 'severe',
    needs: ['EHC plan', 'Looked after', 'Social worker (CP)', 'Worsening'],
    notes: [],
    trend: 'worsening',
    trendPoints: -10,
    openActions: 2,
    nextDue: '2026-12-01',
    overdue: true,
    nomination: { byName: 'Ola Officer', reason: LONG },
  }));
  return {
    district: 'Boston',
    meeting: { date: '2026-12-09', stored: false },
    today: '2026-11-25',
    periodFrom: '2026-09-01',
    asOf: '2026-11-25',
    schools: [],
    invitees: [],
    access: 'district',
    pupilsShown: true,
    nameMode,
    figures: { cluster: measures, authority: measures, england: {} as never, outsideCompulsory: measures },
    cohorts: [],
    pupils,
    from,
    total,
    agendaSize: 30,
    counts: { nominated: 0, carried: 0, need: 0, pool: 0, poolSevere: 0 },
  };
}

describe('Slack cluster, review, digest and places blocks', () => {
  it('keep a full agenda page within the limits, with Review per pupil, paging and Show names only where initials', () => {
    const shared = clusterAgendaBlocks(agenda(15, 40, 'initials'));
    assertLimits(shared.blocks);
    const ids = shared.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : [])).map((e: any) => e.action_id);
    assert.equal(ids.filter((id: string) => id.startsWith('cluster.review.')).length, 15);
    assert.ok(ids.includes('cluster.view.previous') && ids.includes('cluster.view.next') && ids.includes('cluster.names'));
    const own = clusterAgendaBlocks(agenda(0, 15, 'names'));
    assertLimits(own.blocks);
    const ownIds = JSON.stringify(own.blocks);
    assert.doesNotMatch(ownIds, /cluster\.names|cluster\.view\.(next|previous)/, 'one page, named: no paging, no Show names');
  });

  it('offer Nominate on candidates not yet on the agenda and Review on the rest, keeping page and filters', () => {
    const base = agenda(0, 40, 'initials');
    const pupils = base.pupils.map((p, i) => ({ ...p, nomination: null, onAgenda: i % 2 === 0 }));
    const msg = clusterCandidatesBlocks({ district: 'Boston', meeting: base.meeting, access: 'district', nameMode: 'initials', schools: [], filters: { cohort: { key: 'fsm' as never, label: 'FSM' } }, pupils, from: 15, total: 40 });
    assertLimits(msg.blocks);
    const accessories = msg.blocks.flatMap((b: any) => (b.accessory ? [b.accessory] : []));
    assert.equal(accessories.filter((a: any) => a.action_id.startsWith('cluster.nominate.')).length, 7);
    assert.equal(accessories.filter((a: any) => a.action_id.startsWith('cluster.review.')).length, 8);
    const nominate = JSON.parse(accessories.find((a: any) => a.action_id.startsWith('cluster.nominate.')).value);
    assert.deepEqual({ back: nominate.back, from: nominate.from, cohort: nominate.cohort }, { back: 'candidates', from: 15, cohort: 'fsm' });
  });

  it('give each of 25 actions a Review button with its own id, even several for one pupil', () => {
    const actions = Array.from({ length: 25 }, (_, i) => ({ id: i, pupilId: i % 3, label: 'A. B.', ncYear: 9, schoolName: 'S', district: 'Boston', description: LONG, dueDate: '2026-11-20', overdue: i < 2, meetingDate: '2026-10-15' }));
    const msg = myActionsBlocks({ ownerName: 'Ola Officer', today: '2026-11-25', nameMode: 'names', actions, more: 3 });
    assertLimits(msg.blocks);
    const reviews = msg.blocks.flatMap((b: any) => (b.accessory ? [b.accessory] : []));
    assert.equal(reviews.length, 25);
    assert.deepEqual(JSON.parse(reviews[3].value), { district: 'Boston', pupilId: 0 });
  });

  it('keep minutes with very long free text within the limits, each pupil in one section', () => {
    const view: MinutesView = {
      district: 'Boston',
      meetingDate: '2026-10-15',
      today: '2026-11-25',
      nameMode: 'names',
      pupils: Array.from({ length: 12 }, (_, i) => ({
        pupilId: i + 1,
        label: `Pupil ${i}`,
        ncYear: 8,
        schoolName: 'Boston Grammar',
        leadPractitioner: LONG.slice(0, 200),
        barriers: LONG,
        outcome: LONG,
        actions: Array.from({ length: 10 }, (_, j) => ({ id: j, description: LONG.slice(0, 500), ownerName: 'Ola Officer', dueDate: '2026-11-01', status: 'open' as const, overdue: true })),
      })),
      totals: { reviewed: 30, actions: 120, open: 100, done: 20, overdue: 50 },
      from: 0,
    };
    const msg = clusterMinutesBlocks(view);
    assertLimits(msg.blocks);
    assert.match(JSON.stringify(msg.blocks), /cluster\.view\.next/);
  });

  it('keep the review modal within 100 blocks and 100 owners, the inputs always present, errors keyed by block id', () => {
    const view = {
      district: 'Boston',
      meeting: { date: '2026-12-09', stored: true },
      today: '2026-11-25',
      periodFrom: '2026-09-01',
      asOf: '2026-11-25',
      pupilId: 7,
      label: 'Aisha Bell',
      nameMode: 'names',
      ncYear: 9,
      schoolUrn: 1,
      schoolName: 'Boston Grammar',
      flags: ['EHC plan'],
      sessions: { present: 10, aea: 0, authorised: 5, unauthorised: 50, notCounted: 0, possible: 65 },
      attendanceRate: 0.15,
      band: 'severe',
      trend: 'worsening',
      trendPoints: -5,
      notes: [],
      weeks: [],
      codes: Array.from({ length: 30 }, (_, i) => ({ code: `C${i}`, meaning: LONG.slice(0, 100), sessions: i, counts: 'unauthorised' })),
      exclusions: [],
      alerts: [],
      nomination: null,
      reviews: Array.from({ length: 2 }, () => ({ meetingDate: '2026-10-01', barriers: LONG, outcome: LONG, leadPractitioner: 'SENCo', recordedBy: 'Ola' })),
      actions: [],
      owners: Array.from({ length: 150 }, (_, i) => ({ id: i + 1, name: `Owner ${i} ${'Long'.repeat(30)}`, role: 'attendance_officer' })),
    } as unknown as ReviewView;
    const modal = reviewModal(view, { district: 'Boston', pupilId: 7, channel: 'C1' }, { barriers: 'x'.repeat(5000), actionOwner: '3', actionDue: 'not a date' });
    assertLimits(modal.blocks, MAX_MODAL_BLOCKS);
    assert.ok(modal.title.text.length <= 24);
    const inputs = modal.blocks.filter((b) => b.type === 'input') as any[];
    assert.equal(inputs.length, 6);
    const owner = inputs.find((b) => b.block_id === 'actionOwner').element;
    assert.equal(owner.options.length, 100);
    assert.ok(owner.options.every((o: any) => o.text.text.length <= 75));
    assert.equal(owner.initial_option.value, '3');
    assert.equal(inputs.find((b) => b.block_id === 'barriers').element.initial_value.length, 2000);
    assert.equal(inputs.find((b) => b.block_id === 'actionDue').element.initial_date, undefined);
    assert.deepEqual(reviewErrors({ actionDue: 'give a due date', form: 'something odd' }), { actionDue: 'Due date: give a due date', barriers: 'form: something odd' });
  });

  it('keep buttons when a message is cut, and a long digest and places within the limits', () => {
    const cut: SlackMessage = messageWithActions('x', Array.from({ length: 80 }, (_, i) => section(`row ${i}`)), [button('Next', 'n')]);
    assert.equal(cut.blocks.length, MAX_BLOCKS);
    assert.equal(cut.blocks.at(-1)!.type, 'actions');
    assert.match(JSON.stringify(cut.blocks.at(-2)), /more parts not shown/);

    const items = Array.from({ length: 30 }, (_, i) => ({ alertId: i + 1, title: LONG.slice(0, 100), who: 'A. B.', schoolName: 'School', due: '2026-12-01', schoolDaysLeft: 3, dueKind: 'duty' as const }));
    const digest: DigestView = {
      periodStart: '2026-11-16',
      periodEnd: '2026-11-20',
      scopeLabel: 'the county',
      newExclusions: { suspensions: 3, lunchtimes: 1, permanent: 1 },
      openDeadlines: { count: 30, items },
      pastDue: { count: 30, items },
      unacknowledged: { count: 30, items },
      disproportionality: [LONG],
      lateReports: Array.from({ length: 200 }, (_, i) => ({ schoolName: `School ${i} ${LONG.slice(0, 60)}`, count: i })),
      attendance: [],
      figuresOnly: false,
    };
    assertLimits(alertDigestBlocks(digest).blocks);
    const places: PlacesOverview = {
      today: '2026-11-25',
      area: 'the county',
      hubs: Array.from({ length: 80 }, (_, i) => ({ hub: `Hub ${i} ${LONG.slice(0, 80)}`, provider: 'P', district: 'Boston', phase: 'secondary', commissioned: 10, transient: 2, free: { commissioned: 1, transient: 0 } as never, contact: null })),
      leaving: Array.from({ length: 60 }, (_, i) => ({ label: `Pupil ${i}`, hub: 'Hub', kind: 'commissioned' as never, lastDay: '2026-12-01' })),
      leavingCount: 70,
      waiting: [],
      waitingCount: 0,
      leavingUntil: '2026-12-09',
      minimised: false,
    };
    assertLimits(placesBlocks(places).blocks);
  });
});
