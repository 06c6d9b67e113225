import type { Store } from '../../services/store/open-store';
import type { FakeAnswer } from './fake-openai';
import { toolCall } from './fake-openai';
import { TEST_USERS, type TestUser } from './activities';
import { insertStaff } from './bot-harness';
import { cardText } from './card-check';
import { seedAttendance, seedCounty, type ClusterFixture } from '../services/cluster/cluster-fixture';

/** The plain-language examples, shared by the tests with and without a model. */

export interface PlainExample {
  text: string;
  from: TestUser;
  /** The first line the bot says. */
  understood: RegExp;
  /** The card (or text) the command answers with. */
  answer: RegExp;
  /** What a tool-calling model would answer. */
  model: FakeAnswer;
}

export const PLAIN_EXAMPLES: PlainExample[] = [
  {
    text: 'what should we do about a Y9 girl with an EHCP who has had three suspensions this term?',
    from: TEST_USERS.schoolLeader,
    understood: /^Looking that situation up on the ladder.*Next time you can type `ladder a Y9 girl with an EHCP who has had three suspensions this term`\.$/,
    answer: /Ladder: best matches/,
    model: toolCall('ladder_search', { situation: 'Y9 girl with an EHCP, three suspensions this term' }),
  },
  { text: "show me Boston's agenda", from: TEST_USERS.manager, understood: /^Showing the Boston agenda\. Next time you can type `cluster Boston`\.$/, answer: /Boston attendance cluster/, model: toolCall('cluster_agenda', { district: 'boston' }) },
  {
    text: "what's in the minutes from the last Lincoln meeting",
    from: TEST_USERS.manager,
    understood: /Next time you can type `cluster Lincoln minutes`\./,
    answer: /Lincoln cluster minutes/,
    model: toolCall('cluster_minutes', { district: 'Lincoln' }),
  },
  { text: 'what are my overdue actions?', from: TEST_USERS.attendanceOfficer, understood: /Next time you can type `my actions`\./, answer: /My cluster actions/, model: toolCall('my_actions', {}) },
  { text: 'any new permanent exclusions?', from: TEST_USERS.manager, understood: /Next time you can type `alerts list`\./, answer: /Open alerts/, model: toolCall('alerts_list', {}) },
  {
    text: 'subscribe me to alerts for South Holland',
    from: TEST_USERS.manager,
    understood: /Next time you can type `alerts subscribe district South Holland`\./,
    answer: /Subscribed: district South Holland/,
    model: toolCall('alerts_subscribe', { district: 'South Holland' }),
  },
  { text: 'who do I call about a child missing education?', from: TEST_USERS.schoolLeader, understood: /Next time you can type `ladder a child missing education`\./, answer: /Ladder/, model: toolCall('ladder_search', { situation: 'a child missing education' }) },
];

export const DISCLOSURES = ['she told me her stepdad hits her', "a Y6 boy has bruises he won't explain"];

export const CONTACT = "Children's Services front door 01234 567890";

/** Every reply's text and card text, in order. */
export function replyTexts(replies: any[]): string[] {
  return replies.map((r) => [r.text ?? '', ...(r.attachments ?? []).map((a: any) => (a.contentType === 'application/vnd.microsoft.card.adaptive' ? cardText(a.content) : JSON.stringify(a.content)))].join('\n'));
}

export async function seedPlainLanguageCounty(store: Store): Promise<ClusterFixture> {
  const fixture = await seedCounty(store.db, { staff: false });
  await seedAttendance(store.db, fixture);
  await store.db.insertInto('district').values({ name: 'South Holland', la_code: '925' }).execute();
  await insertStaff(store);
  return fixture;
}

