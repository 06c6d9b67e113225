import type { ToolCall } from './assistant-tools';

/**
 * The local intent router: plain language to a tool call without any language model (the default,
 * and the fallback when a model fails). Cues are weighed per tool; the strongest wins when it is
 * clear, otherwise the two or three likeliest calls are offered as buttons.
 */

export interface RouterContext {
  /** District names from the store, as written there. */
  districts: readonly string[];
  /** The asker's own districts (their scope), used when a district is needed and none is named. */
  ownDistricts: readonly string[];
}

export type RouterResult = { kind: 'call'; call: ToolCall } | { kind: 'unclear'; suggestions: ToolCall[] };

/** A score at or above this is acted on. */
const CONFIDENT = 2;

const CHILD = /\b(?:y(?:ea)?r?\s?(?:[1-9]|1[0-3])|reception|year (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven)|girl|boy|pupil|child|children|student|kid|lad|son|daughter|he|she|they|him|her|his|ks[1-5]|sibling|twins?)\b/;
const BEHAVIOUR =
  /\b(?:behaviou?r\w*|disrupt\w*|walk(?:s|ed|ing)? out|walking off|running off|absconds?\w*|swear\w*|fight\w*|aggress\w*|violen\w*|assault\w*|bull(?:y|ied|ying)|vap\w*|drugs?|cannabis|weapons?|knife|knives|refus\w*|defian\w*|rude|racis\w*|homophob\w*|damag\w*|threat\w*|spit\w*|thr[eo]w\w*|kick\w* off|meltdowns?|outbursts?|suspen\w*|exclu\w*|isolation|detentions?|managed move|psp|pastoral support|ehcp?|ehc plan|send|sen support|adhd|autis\w*|asd|sencos?|looked after|cla|lac|social worker|alternative provision|reduced timetable|part[- ]time timetable|off[- ]site|on report|sanctions?|restorative|escalat\w*|steps?|rung|ladder|intervention|missing education|cme|truan\w*|absen\w*|attendance)\b/;
const ADVICE = /\b(?:what (?:should|can|do) (?:we|i)|how (?:should|can|do) (?:we|i)|who (?:do|should|can) (?:we|i)|advice|next steps?|what next|what now|options|support for|help with|deal with|handle|manage|worried about|concerned about|struggling with)\b/;

const ALERT_TYPES: Array<[RegExp, NonNullable<Extract<ToolCall, { tool: 'alerts_subscribe' }>['args']['types']>[number]]> = [
  [/\bpermanent\w*|\bpex\b|\bpermanently\b/, 'permanent'],
  [/\bdeadlines?\b|\bday[- ]?6\b|\bsixth day\b/, 'deadlines'],
  [/\blooked[- ]after\b|\bcla\b|\blac\b/, 'looked-after'],
  [/\bsocial worker\b/, 'social-worker'],
  // SEND the noun, not the verb: "send me alerts for Boston" asks for alerts, not SEND alerts.
  [/\behcp?\b|\behc plan\b|\bspecial educational needs\b|\bsend\b(?!\s+(?:me|us|them|it|the|my|our|all|any|a|an|alerts?|notifications?|updates?|messages?)\b)/, 'send'],
  [/\breported late\b|\blate reports?\b/, 'late'],
  [/\brepeated\b|\brepeat\b/, 'repeated'],
  [/\bdisproportionalit\w*|\bdisproportionate\w*/, 'disproportionality'],
  [/\btotals?\b|\b(?:15|fifteen|45|forty[- ]five) days?\b/, 'totals'],
];

/** Lower case, straight apostrophes, possessives dropped ("Boston's" -> "boston"), spaces folded. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/'s\b/g, '')
    .replace(/[^a-z0-9'\- ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function findDistrict(text: string, districts: readonly string[]): string | undefined {
  // Longest first, so "South Holland" wins over a district named "Holland".
  const sorted = [...districts].sort((a, b) => b.length - a.length);
  return sorted.find((d) => new RegExp(`\\b${normalise(d).replace(/[-\s]+/g, '[-\\s]+')}\\b`).test(text));
}

/** The words of a described situation, without the question around it, for `ladder <situation>`. */
export function situationOf(original: string): string {
  let s = original.replace(/\s+/g, ' ').trim().replace(/[?!.]+$/, '');
  const lead =
    /^(?:(?:hi|hello|please|can you|could you|i need|i'd like|i want)\b[, ]*)*(?:(?:what|how|who)\s+(?:should|can|do|would|must)\s+(?:we|i)\s+(?:do|call|contact|ring|phone|speak to|talk to|tell|deal with|handle|manage|support|approach)?\s*(?:about|with|for|when|if|regarding)?\s*|(?:advice|help|guidance|support)\s+(?:on|about|with|for|regarding)\s+|(?:i'm|i am|we're|we are)\s+(?:worried|concerned)\s+about\s+)/i;
  s = s.replace(lead, '').trim();
  return s.length >= 3 ? s.slice(0, 500) : original.trim().slice(0, 500);
}

interface Candidate {
  call: ToolCall;
  score: number;
}

/** Routes plain-language text to a tool call, or offers the likeliest ones. */
export function routeLocally(original: string, ctx: RouterContext): RouterResult {
  const text = normalise(original);
  const named = findDistrict(text, ctx.districts);
  const district = named ?? (ctx.ownDistricts.length === 1 ? ctx.ownDistricts[0] : undefined);
  const has = (re: RegExp) => re.test(text);

  const child = has(CHILD);
  const behaviour = has(BEHAVIOUR);
  const advice = has(ADVICE);
  const exclusionWords = has(/\b(?:exclu\w*|suspen\w*|pex|alerts?|notifications?)\b/);
  const listing = has(/\b(?:any|new|latest|recent|open|outstanding|unacknowledged|list|show|see|which|how many|today|this week|current)\b/);

  const candidates: Candidate[] = [];
  const add = (call: ToolCall, score: number) => candidates.push({ call, score });

  // Subscribing is asked for in so many words.
  if (has(/\b(?:subscribe|sign (?:me|us) up|notify (?:me|us)|send (?:me|us) (?:the )?alerts|alert (?:me|us)|keep (?:me|us) (?:posted|updated|informed)|tell (?:me|us) when|let (?:me|us) know when|get alerts|receive alerts|want alerts)\b/) && !has(/\bunsubscribe\b/)) {
    const types = ALERT_TYPES.filter(([re]) => re.test(text)).map(([, type]) => type);
    add({ tool: 'alerts_subscribe', args: { ...(named ? { district: named } : {}), ...(types.length ? { types } : {}) } }, 5);
  }
  if (has(/\b(?:digest|weekly (?:summary|round-?up|report)|round-?up|summary of (?:the |this )?week|this week(?:'s)? (?:summary|exclusions))\b/)) add({ tool: 'alerts_digest', args: {} }, 4);
  if (has(/\b(?:my|i|me)\b/) && has(/\b(?:actions?|tasks?|to-?dos?|overdue|due|assigned|owe|follow[- ]ups?)\b/) && !child) add({ tool: 'my_actions', args: {} }, 4);
  else if (has(/\b(?:overdue|(?:what )?(?:do )?i (?:need|have) to do|what am i (?:supposed|meant) to do|my (?:jobs|list))\b/) && !child) add({ tool: 'my_actions', args: {} }, 3);

  const minutes = has(/\b(?:minutes|notes|decided|decisions?|agree(?:d|ments?)?|outcomes? of|what happened at|last (?:cluster )?meeting|previous (?:cluster )?meeting|recap)\b/);
  const agenda = has(/\b(?:agenda|cluster|meeting|who(?:'s| is) (?:on|up|being reviewed)|review list|to review|persistent(?:ly)? absen\w*|severe(?:ly)? absen\w*|attendance figures|being discussed)\b/);
  if (minutes && district) add({ tool: 'cluster_minutes', args: { district } }, named ? 4 : 3);
  if (agenda && !minutes && district) add({ tool: 'cluster_agenda', args: { district } }, named ? 4 : 3);
  // A district named on its own (or with "show me") means its agenda.
  if (named && !minutes && !agenda && !child && !behaviour) add({ tool: 'cluster_agenda', args: { district: named } }, 3);

  if (exclusionWords && listing && !child && !advice) add({ tool: 'alerts_list', args: {} }, has(/\bnew|any|latest|recent|open\b/) ? 4 : 3);
  if (has(/\balerts?\b/) && !child) add({ tool: 'alerts_list', args: {} }, 2);

  const rung = text.match(/\b(?:step|rung|stage|level)\s*(1|2|3|4|one|two|three|four)\b/) ?? text.match(/\b(pre[- ]ladder)\b/);
  if (rung && !child) {
    const words: Record<string, '1' | '2' | '3' | '4'> = { one: '1', two: '2', three: '3', four: '4', '1': '1', '2': '2', '3': '3', '4': '4' };
    add({ tool: 'ladder_rung', args: { rung: words[rung[1]!] ?? 'pre-ladder' } }, 4);
  }
  if (has(/\b(?:the (?:whole |full )?ladder|all (?:the )?rungs|every rung|behaviou?r ladder|ladder of)\b/) && !child && !rung) add({ tool: 'ladder_overview', args: {} }, 3);

  if (has(/\b(?:help|what can you do|what can i (?:ask|do|type)|commands?|how do(?:es)? (?:this|it|you) work|menu|options)\b/) && !child && !behaviour) add({ tool: 'help', args: {} }, 3);

  // A described situation, or a question about what to do or whom to call, goes to the ladder.
  const situationScore = (child ? 1.5 : 0) + (behaviour ? 1.5 : 0) + (advice ? 1 : 0) + (text.split(' ').length >= 6 ? 0.5 : 0);
  if (situationScore > 0) add({ tool: 'ladder_search', args: { situation: situationOf(original) } }, situationScore);

  candidates.sort((a, b) => b.score - a.score);
  const best = candidates[0];
  const second = candidates.find((c) => c.call.tool !== best?.call.tool);
  if (best && best.score >= CONFIDENT && (!second || best.score > second.score)) return { kind: 'call', call: best.call };

  const suggestions: ToolCall[] = [];
  const seen = new Set<string>();
  const offer = (call: ToolCall) => {
    const key = JSON.stringify(call);
    if (!seen.has(key) && suggestions.length < 3) {
      seen.add(key);
      suggestions.push(call);
    }
  };
  for (const c of candidates) offer(c.call);
  // Needs a district nobody named: offer the asker's own, or the first few.
  if (minutes && !district) for (const d of (ctx.ownDistricts.length ? ctx.ownDistricts : ctx.districts).slice(0, 2)) offer({ tool: 'cluster_minutes', args: { district: d } });
  if (agenda && !district) for (const d of (ctx.ownDistricts.length ? ctx.ownDistricts : ctx.districts).slice(0, 2)) offer({ tool: 'cluster_agenda', args: { district: d } });
  offer({ tool: 'help', args: {} });
  offer({ tool: 'ladder_overview', args: {} });
  if (ctx.ownDistricts[0]) offer({ tool: 'cluster_agenda', args: { district: ctx.ownDistricts[0] } });
  offer({ tool: 'alerts_list', args: {} });
  return { kind: 'unclear', suggestions };
}
