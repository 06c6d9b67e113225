import { createHash, randomBytes } from 'node:crypto';
import type * as Docx from 'docx';
import type { HeadingLevel as HeadingLevels, Paragraph, Table, TableCell } from 'docx';
import { recordAccess } from '../audit/audit-log';
import type { Actor } from '../identity/actor';
import { parseScope } from '../identity/scope';
import type { ExportKind } from '../store/tables/cluster';
import { getMinutes, type MinutesPupil, type MinutesView } from './cluster-minutes';
import { getClusterAgenda, openCluster, type AgendaPupil, type AgendaView } from './cluster-agenda';
import { namesAllowed } from './cluster-access';
import type { ClusterDeps, ClusterResult } from './cluster-service-types';
import { csvDocument } from '../util/csv-export';
import { dayMonthYear } from '../calendar/dates';

/**
 * The agenda and the minutes as Word documents the meeting can circulate, and the agenda's pupil
 * list as CSV. Built from the same services as the cards, so scope, names-or-initials and the
 * audit are the cards' own: full names only for a user's own view (personal chat) and a role that
 * may list pupils; in a group chat or channel, initials, year and school.
 *
 * Delivery: Teams bots cannot simply attach files in channels, so the bot answers with links to
 * its own web server. Each link is single-use, expires after EXPORT_LINK_MINUTES, carries 32
 * random bytes (only their SHA-256 is stored), and builds the file when opened, with the user's
 * role and scope as they are then.
 */

const EXPORT_KINDS: readonly ExportKind[] = ['agenda', 'minutes', 'pupils'];
export const EXPORT_LINK_MINUTES = 10;
/** The agenda lists the most urgent pupils first; a meeting reviews far fewer than this. */
const EXPORT_AGENDA_PUPILS = 60;
const EXPORT_MINUTES_PAGES = 20;

export interface ExportLinks {
  district: string;
  /** kind -> token for the URL path /exports/<token>. */
  tokens: Record<ExportKind, string>;
  expiresAt: string;
  nameMode: 'names' | 'initials';
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  body: Buffer;
}

const TOKEN = /^[0-9a-f]{64}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Links for the agenda, the minutes and the pupil list of a district the actor may see. */
export async function createExportLinks(deps: ClusterDeps, actor: Actor, request: { district: string; view: 'own' | 'shared' }): Promise<ClusterResult<ExportLinks>> {
  const opened = await openCluster(deps, actor, request.district);
  if (!opened.ok) return opened;
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + EXPORT_LINK_MINUTES * 60_000).toISOString();
  const tokens = {} as Record<ExportKind, string>;
  for (const kind of EXPORT_KINDS) {
    const token = randomBytes(32).toString('hex');
    tokens[kind] = token;
    await deps.db
      .insertInto('cluster_export_link')
      .values({
        token_hash: hashOf(token),
        staff_user_id: actor.user.id,
        district: opened.view.district.name,
        kind,
        conversation_type: actor.conversationType,
        view: request.view,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
  }
  return { ok: true, view: { district: opened.view.district.name, tokens, expiresAt, nameMode: namesAllowed(actor, request.view) ? 'names' : 'initials' } };
}

/**
 * The file behind a link, once: undefined for a token that is malformed, unknown, expired or
 * already used (the caller answers all four alike, so nothing is learnt by guessing).
 */
export async function openExportLink(deps: ClusterDeps, token: string): Promise<ExportFile | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const now = deps.clock.now().toISOString();
  // Claim and mark used in one statement: two opens at once cannot both win.
  const link = await deps.db
    .updateTable('cluster_export_link')
    .set({ used_at: now })
    .where('token_hash', '=', hashOf(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  if (!link) return undefined;
  const user = await deps.db.selectFrom('staff_user').selectAll().where('id', '=', link.staff_user_id).executeTakeFirst();
  if (!user) return undefined;
  let scope;
  try {
    scope = parseScope(user.scope);
  } catch {
    return undefined;
  }
  const actor: Actor = { user, role: user.role, scope, aadObjectId: user.aad_object_id, conversationType: link.conversation_type };
  const slug = link.district.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  if (link.kind === 'minutes') {
    const minutes = await allMinutes(deps, actor, link.district, link.view);
    if (!minutes) return undefined;
    await auditExport(deps, actor, 'minutes', minutes.pupils.map((p) => p.pupilId), minutes.nameMode);
    return { fileName: `${slug}-minutes-${minutes.meetingDate ?? 'none'}.docx`, contentType: DOCX, body: await minutesDocx(minutes) };
  }
  const agenda = await agendaWithPupils(deps, actor, link.district, link.view);
  if (!agenda) return undefined;
  await auditExport(deps, actor, link.kind, agenda.pupils.map((p) => p.pupilId), agenda.nameMode);
  if (link.kind === 'pupils') return { fileName: `${slug}-pupils-${agenda.meeting.date}.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from(pupilListCsv(agenda), 'utf8') };
  return { fileName: `${slug}-agenda-${agenda.meeting.date}.docx`, contentType: DOCX, body: await agendaDocx(agenda) };
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function auditExport(deps: ClusterDeps, actor: Actor, kind: ExportKind, pupilIds: number[], nameMode: 'names' | 'initials'): Promise<void> {
  if (pupilIds.length === 0) return;
  await recordAccess(deps.db, deps.clock, { actor, action: nameMode === 'names' ? 'pupil.export' : 'pupil.export.minimised', command: `cluster export ${kind}`, pupilIds });
}

/** The agenda with its first EXPORT_AGENDA_PUPILS pupils (the card shows a page at a time). */
async function agendaWithPupils(deps: ClusterDeps, actor: Actor, district: string, view: 'own' | 'shared'): Promise<AgendaView | undefined> {
  const first = await getClusterAgenda(deps, actor, { district, view });
  if (!first.ok) return undefined;
  const agenda = first.view;
  const pupils: AgendaPupil[] = [...agenda.pupils];
  while (pupils.length < Math.min(agenda.total, EXPORT_AGENDA_PUPILS) && agenda.pupils.length > 0) {
    const next = await getClusterAgenda(deps, actor, { district, view, from: pupils.length });
    if (!next.ok || next.view.pupils.length === 0) break;
    pupils.push(...next.view.pupils);
  }
  return { ...agenda, pupils: pupils.slice(0, EXPORT_AGENDA_PUPILS), from: 0 };
}

async function allMinutes(deps: ClusterDeps, actor: Actor, district: string, view: 'own' | 'shared'): Promise<MinutesView | undefined> {
  const first = await getMinutes(deps, actor, { district, view });
  if (!first.ok) return undefined;
  const pupils: MinutesPupil[] = [...first.view.pupils];
  for (let page = 1; page < EXPORT_MINUTES_PAGES && pupils.length < first.view.totals.reviewed; page++) {
    const next = await getMinutes(deps, actor, { district, view, from: pupils.length });
    if (!next.ok || next.view.pupils.length === 0) break;
    pupils.push(...next.view.pupils);
  }
  return { ...first.view, pupils, from: 0 };
}

// ---------------------------------------------------------------------------------------------
// Formats

function dateWords(iso: string | null): string {
  return iso ? dayMonthYear(iso) : '–';
}
function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? '–' : `${(rate * 100).toFixed(1)}%`;
}
const BAND = { none: '', persistent: 'Persistent absence', severe: 'Severe absence' } as const;
const YEAR = (n: number) => (n <= 0 ? (n === 0 ? 'Reception' : 'Nursery') : `Y${n}`);

/** docx is about 3 MB of heap that only a Word export needs: loaded by the first one, not at start (bench/memory.ts). */
let docxModule: typeof Docx | undefined;
const docx = (): typeof Docx => (docxModule ??= require('docx') as typeof Docx);

function cell(words: string, bold = false): TableCell {
  const { TableCell, Paragraph, TextRun } = docx();
  return new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: words, bold })] })] });
}
function table(head: string[], rows: string[][]): Table {
  const { Table, TableRow, WidthType } = docx();
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [new TableRow({ tableHeader: true, children: head.map((h) => cell(h, true)) }), ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) }))],
  });
}
const para = (words: string) => new (docx().Paragraph)({ children: [new (docx().TextRun)(words)] });
const heading = (words: string, level: (typeof HeadingLevels)[keyof typeof HeadingLevels]) => new (docx().Paragraph)({ heading: level, children: [new (docx().TextRun)(words)] });

function privacyLine(nameMode: 'names' | 'initials'): Paragraph {
  return para(
    nameMode === 'names'
      ? 'OFFICIAL-SENSITIVE: contains pupils’ names. Share only with people at this meeting who work with these pupils; do not forward.'
      : 'OFFICIAL-SENSITIVE: pupils appear as initials, year and school.',
  );
}

async function agendaDocx(view: AgendaView): Promise<Buffer> {
  const { Document, HeadingLevel, Packer } = docx();
  const f = view.figures;
  const children: (Paragraph | Table)[] = [
    heading(`${view.district} attendance cluster meeting: agenda`, HeadingLevel.HEADING_1),
    para(`Meeting: ${dateWords(view.meeting.date)}${view.meeting.stored ? '' : ' (proposed)'}. Year to date ${dateWords(view.periodFrom)} to ${dateWords(view.asOf)}.`),
    privacyLine(view.nameMode),
    heading('Figures', HeadingLevel.HEADING_2),
    table(
      ['', 'Attendance', 'Absence', 'Persistent absence', 'Severe absence'],
      [
        [`${view.district} cluster`, percent(f.cluster.attendanceRate), percent(f.cluster.absenceRate), percent(f.cluster.persistentRate), percent(f.cluster.severeRate)],
        ['The authority', percent(f.authority.attendanceRate), percent(f.authority.absenceRate), percent(f.authority.persistentRate), percent(f.authority.severeRate)],
        [f.england.label, '–', percent(f.england.absenceRate), percent(f.england.persistentRate), percent(f.england.severeRate)],
      ],
    ),
  ];
  if (view.cohorts.length) {
    children.push(
      heading('Cohorts', HeadingLevel.HEADING_2),
      table(
        ['Cohort', 'Pupils', 'Absence', 'Persistent absence'],
        view.cohorts.map((c) => [c.label, String(c.measures.pupils), percent(c.measures.absenceRate), percent(c.measures.persistentRate)]),
      ),
    );
  }
  children.push(heading('Pupils to review, most urgent first', HeadingLevel.HEADING_2));
  if (!view.pupilsShown) children.push(para('Your role sees the cluster’s figures only.'));
  else if (view.pupils.length === 0) children.push(para('No pupils to review.'));
  else {
    if (view.total > view.pupils.length) children.push(para(`The first ${view.pupils.length} of ${view.total}.`));
    children.push(
      table(
        ['Pupil', 'Year', 'School', 'Attendance', 'Band', 'Needs', 'Open actions'],
        view.pupils.map((p) => [p.label, YEAR(p.ncYear), p.schoolName, percent(p.attendanceRate), BAND[p.band], p.needs.join('; '), p.openActions ? `${p.openActions}${p.nextDue ? `, next due ${dateWords(p.nextDue)}` : ''}` : '']),
      ),
    );
  }
  if (view.invitees.length) {
    children.push(heading('Invited', HeadingLevel.HEADING_2), para(view.invitees.map((i) => i.name).join(', ')));
  }
  return Packer.toBuffer(new Document({ creator: 'Inclusion Assistant', title: `${view.district} cluster agenda`, sections: [{ children }] }));
}

async function minutesDocx(view: MinutesView): Promise<Buffer> {
  const { Document, HeadingLevel, Packer } = docx();
  const t = view.totals;
  const children: (Paragraph | Table)[] = [
    heading(`${view.district} attendance cluster meeting: minutes`, HeadingLevel.HEADING_1),
    para(view.meetingDate ? `Meeting: ${dateWords(view.meetingDate)}.` : 'No meeting has anything recorded yet.'),
    privacyLine(view.nameMode),
    para(`${t.reviewed} pupil${t.reviewed === 1 ? '' : 's'} reviewed · ${t.actions} action${t.actions === 1 ? '' : 's'} agreed: ${t.open} open, ${t.done} done${t.overdue ? `, ${t.overdue} overdue` : ''}.`),
  ];
  for (const p of view.pupils) {
    children.push(heading(`${p.label} · ${YEAR(p.ncYear)} · ${p.schoolName}`, HeadingLevel.HEADING_3));
    if (p.leadPractitioner) children.push(para(`Lead practitioner: ${p.leadPractitioner}`));
    if (p.barriers) children.push(para(`Barriers: ${p.barriers}`));
    if (p.outcome) children.push(para(`Outcome: ${p.outcome}`));
    if (p.actions.length) {
      children.push(table(['Action', 'Owner', 'Due', 'Status'], p.actions.map((a) => [a.description, a.ownerName, dateWords(a.dueDate), a.overdue ? 'overdue' : a.status])));
    }
  }
  return Packer.toBuffer(new Document({ creator: 'Inclusion Assistant', title: `${view.district} cluster minutes`, sections: [{ children }] }));
}

export function pupilListCsv(view: AgendaView): string {
  const rows = [
    ['Pupil', 'Year', 'School', 'Attendance', 'Band', 'Needs', 'Open actions', 'Next due'],
    ...view.pupils.map((p) => [p.label, YEAR(p.ncYear), p.schoolName, percent(p.attendanceRate), BAND[p.band], p.needs.join('; '), String(p.openActions), p.nextDue ?? '']),
  ];
  // The shared writer: RFC 4180 quoting, formulas made text, CRLF and a byte-order mark.
  return csvDocument(rows);
}
