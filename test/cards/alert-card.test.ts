import assert from 'node:assert/strict';
import { CARD_SIZE_LIMIT_BYTES, cardSizeBytes } from '../../cards/adaptive-card';
import { alertCard, schoolDaysLeftText } from '../../cards/alert-card';
import { alertBlocks } from '../../cards/slack/alert-blocks';
import { weekdayDate } from '../../services/calendar/dates';
import { ALL_VERBS } from '../../cards/verbs';
import type { DistrictAlertView, PupilAlertView } from '../../services/alerts/alert-view';
import { assertValidCard, cardText, cardVerbs } from '../helpers/card-check';

const pupilView: PupilAlertView = {
  kind: 'pupil',
  alertId: 7,
  version: 1,
  rule: 'repeated_suspensions',
  title: 'Repeated suspensions',
  basis: 'Local practice',
  nextStep: 'Review the pupil’s rung on the ladder of behavioural intervention.',
  pupilLabel: 'Jo [Test] Smith',
  pupilId: 3,
  yearGroup: 'Year 9',
  schoolName: 'Fenside Academy',
  currentSchoolNames: ['Minster Hill School'],
  cohorts: ['EHC plan', 'Looked after'],
  exclusion: { category: 'Suspension', startDate: '2026-11-23', length: '2 school days', reasons: ['Physical assault against a pupil'] },
  facts: [['Suspensions within 30 school days', '3']],
  duties: [
    { alertId: 7, rule: 'repeated_suspensions', title: 'Repeated suspensions', label: 'Governors must meet by', date: '2026-11-20', schoolDaysLeft: -3, state: 'overdue', nextStep: 'Review the rung.', basis: 'Local practice' },
  ],
  deadline: { label: 'Governors must meet by', date: '2026-11-20', schoolDaysLeft: -3 },
  deadlineNote: null,
  placementFrom: null,
  canRecordPlacement: false,
  canRecordOutcome: false,
  suggestLadder: true,
  status: 'open',
  acknowledgedBy: null,
  acknowledgedAt: null,
  assignedTo: null,
  snoozedUntil: null,
  minimised: false,
};

describe('alert card', () => {
  it('is a valid Teams card with the deadline, days overdue, flags and registered verbs', () => {
    const card = alertCard(pupilView, { refreshUserIds: ['29:a'] });
    assertValidCard(card);
    const text = cardText(card);
    assert.match(text, /Governors must meet by: Fri 20 Nov 2026/);
    assert.match(text, /overdue by 3 school days/);
    assert.match(text, /EHC plan · Looked after/);
    assert.match(text, /Now on roll at Minster Hill School/);
    assert.match(text, /Jo \[Test\] Smith/, 'brackets that cannot form a link are shown as typed');
    const marked = cardText(alertCard({ ...pupilView, pupilLabel: 'Jo *Test* [x](http://evil.example)' }, { refreshUserIds: [] }));
    assert.ok(marked.includes('Jo \\*Test\\* [x]\\(http://evil.example)'), 'a name cannot add emphasis or a link');
    for (const verb of cardVerbs(card)) assert.ok(ALL_VERBS.includes(verb), verb);
    assert.ok(cardVerbs(card).includes('ladder.overview'), 'repeated suspensions link the ladder');
    assert.deepEqual(card.refresh?.userIds, ['29:a']);
    assert.ok(cardSizeBytes(card) < CARD_SIZE_LIMIT_BYTES);
  });

  it('drops Acknowledge once acknowledged and shows who did it', () => {
    const card = alertCard({ ...pupilView, status: 'acknowledged', acknowledgedBy: 'Alex Manager', acknowledgedAt: '2026-11-25T10:00:00Z', suggestLadder: false });
    assert.ok(!cardVerbs(card).includes('alert.acknowledge'));
    assert.ok(!cardVerbs(card).includes('ladder.overview'));
    assert.match(cardText(card), /Acknowledged by Alex Manager on Wed 25 Nov 2026/);
  });

  it('shows every duty of a case on one card: overdue, open and met, each legal basis once', () => {
    const basis = 'Exclusion guidance (EIA 2006 s.100): the authority must arrange full-time education from day 6';
    const view: PupilAlertView = {
      ...pupilView,
      rule: 'permanent_exclusion',
      title: 'New permanent exclusion',
      suggestLadder: false,
      duties: [
        { alertId: 8, rule: 'pex_governors_review', title: 'Permanent exclusion: governors must meet', label: 'Governors must meet by', date: '2026-11-20', schoolDaysLeft: -3, state: 'overdue', nextStep: 'Confirm the meeting date.', basis: 'SI 2012/1033 reg 24' },
        { alertId: 7, rule: 'permanent_exclusion', title: 'New permanent exclusion', label: null, date: null, schoolDaysLeft: null, state: 'open', nextStep: 'Check the team has the case.', basis: 'SI 2012/1033 reg 5' },
        { alertId: 9, rule: 'pex_la_day6', title: 'Permanent exclusion: LA provision from day 6', label: 'LA provision from (day 6)', date: '2026-11-30', schoolDaysLeft: 3, state: 'met', nextStep: 'Arrange a placement.', basis },
        { alertId: 10, rule: 'pex_no_placement', title: 'Day 6 is near and no placement is recorded', label: 'LA provision from (day 6)', date: '2026-11-30', schoolDaysLeft: 3, state: 'met', nextStep: 'Record the placement.', basis },
      ],
    };
    const card = alertCard(view);
    assertValidCard(card);
    const text = cardText(card);
    assert.match(text, /Duties \(4\)/);
    assert.match(text, /Governors must meet by: Fri 20 Nov 2026 · overdue by 3 school days/);
    assert.match(text, /LA provision from \(day 6\): Mon 30 Nov 2026 · done/);
    assert.match(text, /Confirm the meeting date\./);
    assert.ok(!text.includes('Arrange a placement.'), 'no next step for a duty already met');
    assert.equal(text.split(basis).length - 1, 1, 'each legal basis once');
    assert.ok(!/unverified/i.test(text));
    // A duty with no date says so, on the Teams card and in Slack alike.
    assert.match(text, /New permanent exclusion\*\*\n(?:small\n)?TextBlock\nno set deadline/);
    const slack = JSON.stringify(alertBlocks(view));
    assert.match(slack, /New permanent exclusion\*\\nno set deadline/);
    assert.doesNotMatch(slack, /outside the school calendar/);
  });

  it('renders a district flag without pupil details or a timeline button', () => {
    const view: DistrictAlertView = {
      kind: 'district',
      alertId: 9,
      version: 1,
      title: 'Disproportionate suspensions in a district',
      basis: 'Equality Act 2010 s.149',
      nextStep: 'Look at the schools.',
      districtName: 'Boston',
      groupLabel: 'Pupils with SEN',
      facts: [['Ratio', '4.67 times']],
      status: 'open',
      acknowledgedBy: null,
      acknowledgedAt: null,
      assignedTo: null,
      snoozedUntil: null,
    };
    const card = alertCard(view);
    assertValidCard(card);
    assert.ok(!cardVerbs(card).includes('alert.timeline'));
    assert.match(cardText(card), /Boston\*\* · Pupils with SEN/);
  });

  it('words dates and school days left', () => {
    assert.equal(weekdayDate('2026-11-30'), 'Mon 30 Nov 2026');
    assert.equal(schoolDaysLeftText(0), 'today');
    assert.equal(schoolDaysLeftText(1), '1 school day left');
    assert.equal(schoolDaysLeftText(-1), 'overdue by 1 school day');
    assert.equal(schoolDaysLeftText(null), 'outside the school calendar');
    // A window for parents (not a duty): left open it counts down, once past it has closed.
    assert.equal(schoolDaysLeftText(2, '2026-10-20'), '2 school days left');
    assert.equal(schoolDaysLeftText(-26, '2026-10-20'), 'window closed Tue 20 Oct 2026');
  });

  it('shows a past window (the card without duties) as closed, not overdue', () => {
    const text = cardText(alertCard({ ...pupilView, duties: [], deadline: { label: 'Parents may apply for a review until', date: '2026-10-20', schoolDaysLeft: -26, dueKind: 'window' } }));
    assert.match(text, /window closed Tue 20 Oct 2026/);
    assert.doesNotMatch(text, /overdue/);
  });
});
