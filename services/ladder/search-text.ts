import { ENGLISH_WORDS } from './english-words';
import { porterStem } from './porter-stemmer';

/**
 * Text handling shared by the ladder index and queries: the same steps on both sides, so a word in
 * a question and the same word in the toolkit always meet.
 */

/** Words that carry no meaning for finding a rung. Kept in the token stream for phrases, dropped for scoring. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about after again against all also am an another and any are as at be because been before being below between both but by can ' +
    'could did do does doing done down during each few for from further get gets getting got had has have having he her here ' +
    'hers herself him himself his how i if in into is it its itself just let lets me more most my myself no nor not now of ' +
    'off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them ' +
    'themselves then there these they this those through to too under until up very was we were what when where which while who ' +
    'whom why will with would you your yours yourself yourselves us ive weve youre theyre were im dont doesnt didnt cant wont ' +
    'isnt arent wasnt havent hasnt hadnt shouldnt couldnt wouldnt etc eg ie please thanks hi hello need want like know think ' +
    'pupil pupils student students child children kid kids boy boys girl girls son daughter young person people year yr ' +
    'anyone someone something anything thing things really still much many one lot lots bit quite way go going keep keeps kept last long next step steps try tried trying should ' +
    'say says said saying tell tells told telling put puts putting reckon reckons reckoned wonder wondering wondered seem seems seemed ' +
    'guess suppose actually basically literally mate lad lads guy guys today yesterday week weeks day days morning afternoon term terms ' +
    'come comes coming came give gives giving gave take takes taking took make makes making made'
  ).split(/\s+/),
);

/** Determiners skipped when matching multi-word phrases, so "left her classroom" meets "left the classroom". */
export const FILLERS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'his', 'her', 'their', 'my', 'our', 'your', 'its', 'this', 'that', 'some']);

const NUMBER_WORDS: Record<string, string> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  first: '1',
  second: '2',
  third: '3',
  fourth: '4',
  fifth: '5',
};

/** Lower case, straight apostrophes, contractions folded ("don't" -> "dont", "pupil's" -> "pupil"). */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/'s\b/g, '')
    .replace(/'/g, '');
}

/** Words in order, including stopwords (phrases need them); hyphenated words are split. */
export function words(text: string): string[] {
  return normalise(text).match(/[a-z0-9]+/g) ?? [];
}

const stemCache = new Map<string, string>();

/** Porter stem with a bounded cache: queries repeat the same few hundred words. */
export function stem(word: string): string {
  if (/^\d/.test(word)) return word;
  const hit = stemCache.get(word);
  if (hit !== undefined) return hit;
  // British -ise spellings take the -ize route so "anonymised" and "anonymous" meet at "anonym".
  let out = porterStem(word.length > 5 ? word.replace(/is(e|ed|es|ing|ation|ations|er|ers)$/, 'iz$1') : word);
  // Porter leaves "referral" as "referr"; folding the double letter lets it meet "refer" and "refers".
  if (out.length > 4) out = out.replace(/([bcdfgkmnprtvz])\1$/, '$1');
  if (stemCache.size > 20000) stemCache.clear();
  stemCache.set(word, out);
  return out;
}

/** "two" -> "2", "second" -> "2"; other words unchanged. For rung names like "step two". */
export function numberWord(word: string): string {
  return NUMBER_WORDS[word] ?? word;
}

/** Digits and number words: facts about the pupil ("two suspensions"), not words to search for. */
export function isNumber(word: string): boolean {
  return /^\d/.test(word) || word in NUMBER_WORDS;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word) || /^y\d{1,2}$/.test(word) || /^ks\d$/.test(word);
}

let english: Set<string> | undefined;

/** A real English word (five letters or more), which typo correction must leave alone. */
export function isEnglishWord(word: string): boolean {
  english ??= new Set(ENGLISH_WORDS.split(' '));
  return english.has(word);
}
