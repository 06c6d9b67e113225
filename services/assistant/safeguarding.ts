import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Actor } from '../identity/actor';
import type { Database } from '../store/database';

/**
 * Safeguarding first. Plain-language text that reads like a child-protection disclosure or
 * concern is not treated as a request and never sent to a model: the person is pointed to their
 * designated safeguarding lead and the authority's contact at once. The check errs towards
 * caution: a false alarm costs one message, a missed disclosure could cost a child.
 */

const HARM = String.raw`(?:hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|beaten|punch\w*|kick\w*|slap\w*|smack\w*|strangl\w*|chok\w*|burn\w*|starv\w*|touch(?:es|ed|ing)?|abus\w*|rape\w*|threaten\w*|lock(?:s|ed)? (?:her|him|them) (?:in|out))`;
const FAMILY = String.raw`(?:(?:step)?(?:dad|father|mum|mom|mother|parent|parents|brother|sister)|uncle|aunt\w*|grand\w+|nan|boyfriend|girlfriend|partner|carer|carers|adult|adults|man|men|someone at home|at home)`;
const DISCLOSURE = String.raw`(?:told me|tells me|has told|have told|disclosed|disclosure|confided|said (?:that )?(?:his|her|their|my|a|an|the|someone))`;
const INJURY = String.raw`(?:bruis\w*|black eye|burn marks?|cigarette burns?|marks on (?:his|her|their)|cuts on (?:his|her|their)|unexplained (?:injur\w*|marks?)|injur\w* (?:he|she|they) (?:won'?t|will not|can'?t|cannot|doesn'?t|does not) explain|welts?)`;
const STANDALONE = String.raw`(?:neglect\w*|self[- ]?harm\w*|harming (?:himself|herself|themselves)|cutting (?:himself|herself|themselves)|suicid\w*|wants? to die|kill (?:himself|herself|themselves)|fgm|genital mutilation|forced marriage|groom(?:ed|ing)|sexual(?:ly)? (?:abus\w*|exploit\w*)|criminal exploitation|exploited|county lines|traffick\w*|radicali[sz]\w*|domestic (?:abuse|violence)|not safe at home|(?:scared|afraid|frightened) (?:to go|of going) home|(?:doesn'?t|does not|won'?t) want to go home|child protection|safeguarding concern|modern slavery|no food at home|hungry all the time)`;

// Exploitation is described by what is happening rather than named: made to carry drugs, gifts
// from older men, going missing. Said of a child, each is a safeguarding concern in its own right.
const EXPLOITATION = String.raw`(?:(?:made|forced|told|asked|paid|used|pressured|groomed) to (?:carry|sell|deliver|hold|hide|move|run|stash) (?:\w+ )?(?:drugs|weed|cannabis|packages?|parcels?|money|cash|knives|a knife|weapons?)|(?:carry|carries|carrying|carried|sell|sells|selling|sold|deliver\w*|dealing|running|hold\w*) (?:\w+ )?(?:drugs|weed|packages?|parcels?) for (?:older|adult|a gang|gangs?|men|someone|some lads|people)|(?:older|adult) (?:men|man|males?|boys|lads|people|boyfriend|guys?) (?:giving|gives|gave|give|buying|buys|bought|buy|picking|picks|picked|taking|takes|took|collecting|collects)|(?:gifts?|money|phones?|trainers|clothes) (?:from|off) (?:an? )?(?:older|adult|unknown)|(?:going|goes|went|gone|keeps going) missing(?: from home| overnight| at night| for days| at weekends)?|(?:nude|naked|sexual|indecent|explicit) (?:pictures?|photos?|images?|videos?|selfies?)|sexting)`;

const patterns = {
  exploitation: new RegExp(String.raw`\b${EXPLOITATION}\b`, 'i'),
  disclosedHarm: new RegExp(String.raw`\b${DISCLOSURE}\b[\s\S]*\b${HARM}\b`, 'i'),
  familyHarm: new RegExp(String.raw`\b${FAMILY}\b[\s\S]{0,60}\b${HARM}\b|\b${HARM}\b[\s\S]{0,40}\bby (?:(?:his|her|their|a|an|the) )?${FAMILY}\b`, 'i'),
  injury: new RegExp(String.raw`\b${INJURY}`, 'i'),
  standalone: new RegExp(String.raw`\b${STANDALONE}\b`, 'i'),
};

/** True when the text reads like a child-protection disclosure or concern. */
export function isSafeguardingConcern(text: string): boolean {
  const t = text.replace(/[’‘]/g, "'");
  return Object.values(patterns).some((p) => p.test(t));
}

/** When SAFEGUARDING_CONTACT is unset: still a route, never an invented number. */
const DEFAULT_SAFEGUARDING_CONTACT = "the local authority's children's services front door (your designated safeguarding lead has the number)";

export function safeguardingReply(contact: string | undefined): string {
  return [
    '**This sounds like it may be a safeguarding concern, so I have not searched anything or passed your words on.**',
    '',
    '- **If a child is in immediate danger, call 999.**',
    "- Otherwise tell your school's **designated safeguarding lead (DSL)** now, today, in person if you can; if they are not available, their deputy.",
    `- The authority's safeguarding contact: ${contact?.trim() || DEFAULT_SAFEGUARDING_CONTACT}.`,
    "- Write down what you saw or were told, in the child's own words, with the date and time, in your school's safeguarding record (not in this chat). Don't promise to keep it secret, and don't question the child further.",
    '',
    "_If you meant to ask the ladder about a child whose plan is already in place (e.g. a child protection plan), type **ladder** and the situation._",
  ].join('\n');
}

/** An audit row saying the safeguarding route was given: who and where, never the text. */
export async function recordSafeguardingRedirect(db: Kysely<Database>, clock: Clock, actor: Actor): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: clock.now().toISOString(),
      staff_user_id: actor.user.id,
      aad_object_id: actor.aadObjectId,
      action: 'safeguarding.redirect',
      command: 'plain language',
      subject_type: 'message',
      subject_ids: '',
      subject_count: 0,
      conversation_type: actor.conversationType,
    })
    .execute();
}
