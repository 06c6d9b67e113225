import { z } from 'zod';
import { formatScope, parseScope, ScopeSyntaxError, type Scope } from '../identity/scope';
import type { Role } from '../store/database';
import { choice, clip, requiredText, type RowView } from './fields';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database';
import type { ImportCounts, ImportEnv, Importer } from './importer';
import { chunk, IMPORT_RECORDS_PER_BATCH, ROWS_PER_INSERT } from '../store/batches';

/**
 * `users`: email,name,role,scope,aad_object_id,slack_user_id (the last two columns optional). Upserts staff users by
 * email (stored lower-case). The scope is checked against the store: every district and school it
 * names must exist, and it is stored in its canonical spelling (district names as the district table
 * writes them). An empty aad_object_id leaves a recorded one alone: the bot records it the first
 * time the user is matched by email, and a re-import must not undo that. slack_user_id (a Slack
 * member id, e.g. U012AB3CD) works the same way for Slack.
 */

export interface UserRecord {
  email: string;
  name: string;
  role: Role;
  scope: string;
  aad_object_id: string | null;
  /** youth_justice_worker rows: the young people linked to the worker (pupil ids); undefined leaves links alone. */
  youthJusticePupils?: number[];
  slack_user_id: string | null;
}

export interface UsersContext {
  env: ImportEnv;
  /** Lower-cased district name -> the stored spelling. */
  districts: Map<string, string>;
  schools: Set<number>;
  /** Object ids already recorded, with the email they belong to. */
  aadOwners: Map<string, string>;
  /** Object ids used earlier in this file -> line, to report a second use. */
  aadInFile: Map<string, number>;
  /** Upper-case UPN -> pupil id, loaded only when the file has a youth_justice_upns column. */
  pupilsByUpn?: Map<string, number>;
  /** Slack member ids already recorded, with the email they belong to. */
  slackOwners: Map<string, string>;
  slackInFile: Map<string, number>;
}

const ROLE_SPELLINGS: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['la_manager', 'la_manager'],
  ['attendance_officer', 'attendance_officer'],
  ['school_leader', 'school_leader'],
  ['cluster_member', 'cluster_member'],
  ['admin', 'admin'],
  ['youth_justice_worker', 'youth_justice_worker'],
]);

const emailSchema = z.string().email().max(254);
/** Entra object ids are GUIDs; test tools use longer ids, so only the character set is checked. */
const AAD_OBJECT_ID = /^[0-9A-Za-z-]{1,64}$/;
/** Slack member ids: U or W, then capital letters and digits. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

export const usersImporter: Importer<UserRecord, UsersContext> = {
  kind: 'users',
  description: 'email,name,role,scope,aad_object_id,youth_justice_upns,slack_user_id (the last three optional; youth_justice_upns: UPNs separated by ; for a youth_justice_worker)',
  columns: [
    { name: 'email', required: true },
    { name: 'name', required: true },
    { name: 'role', required: true },
    { name: 'scope', required: true },
    { name: 'aad_object_id', required: false },
    { name: 'youth_justice_upns', required: false },
    { name: 'slack_user_id', required: false },
  ],
  keyColumn: 'email',
  key: (record) => record.email,

  async prepare(db, env) {
    const districts = new Map((await db.selectFrom('district').select('name').execute()).map((d) => [d.name.toLowerCase(), d.name]));
    const schools = new Set((await db.selectFrom('school').select('urn').execute()).map((s) => s.urn));
    const aadOwners = new Map<string, string>();
    for (const u of await db.selectFrom('staff_user').select(['email', 'aad_object_id']).where('aad_object_id', 'is not', null).execute()) {
      aadOwners.set(u.aad_object_id!.toLowerCase(), u.email);
    }
    // Small enough to hold (one entry per pupil), and read once per import.
    const pupilsByUpn = new Map((await db.selectFrom('pupil').select(['id', 'upn']).execute()).map((p) => [p.upn.toUpperCase(), p.id]));
    const slackOwners = new Map<string, string>();
    for (const u of await db.selectFrom('staff_user').select(['email', 'slack_user_id']).where('slack_user_id', 'is not', null).execute()) {
      slackOwners.set(u.slack_user_id!, u.email);
    }
    return { env, districts, schools, aadOwners, aadInFile: new Map(), pupilsByUpn, slackOwners, slackInFile: new Map() };
  },

  parse(row: RowView, ctx): UserRecord | undefined {
    const rawEmail = row.get('email').toLowerCase();
    let email: string | undefined = rawEmail;
    // A staff email is personal data too: report what is wrong, not the address.
    if (rawEmail === '') email = row.fail('email', 'is empty');
    else if (!emailSchema.safeParse(rawEmail).success) email = row.fail('email', 'is not an email address');
    const name = requiredText(row, 'name', { maxLength: 200, name: true });
    const role = choice(row, 'role', ROLE_SPELLINGS, { echo: true, expected: 'la_manager, attendance_officer, school_leader, cluster_member, youth_justice_worker or admin' });
    const scope = parseScopeColumn(row, ctx);
    const aadText = row.get('aad_object_id');
    let aad: string | null | undefined = aadText === '' ? null : aadText;
    if (aad !== null) {
      if (!AAD_OBJECT_ID.test(aad)) aad = row.fail('aad_object_id', 'is not an object id (letters, digits and hyphens)');
      else {
        const key = aad.toLowerCase();
        const owner = ctx.aadOwners.get(key);
        const earlier = ctx.aadInFile.get(key);
        if (owner !== undefined && email !== undefined && owner !== email) aad = row.fail('aad_object_id', 'is already recorded for another user');
        else if (earlier !== undefined && earlier !== row.line) aad = row.fail('aad_object_id', `the same value is already on line ${earlier}`);
        else ctx.aadInFile.set(key, row.line);
      }
    }
    const youthJusticePupils = linkedPupils(row, ctx, role);
    const slackText = row.get('slack_user_id');
    let slack: string | null | undefined = slackText === '' ? null : slackText;
    if (slack !== null) {
      if (!SLACK_USER_ID.test(slack)) slack = row.fail('slack_user_id', 'is not a Slack member id (U or W, then capital letters and digits, e.g. U012AB3CD)');
      else {
        const owner = ctx.slackOwners.get(slack);
        const earlier = ctx.slackInFile.get(slack);
        if (owner !== undefined && email !== undefined && owner !== email) slack = row.fail('slack_user_id', 'is already recorded for another user');
        else if (earlier !== undefined && earlier !== row.line) slack = row.fail('slack_user_id', `the same value is already on line ${earlier}`);
        else ctx.slackInFile.set(slack, row.line);
      }
    }
    if (row.failed) return undefined;
    return { email: email!, name: name!, role: role!, scope: scope!, aad_object_id: aad ?? null, slack_user_id: slack ?? null, ...(youthJusticePupils ? { youthJusticePupils } : {}) };
  },

  batchSize: () => IMPORT_RECORDS_PER_BATCH,

  async write(tx, batch, ctx, counts) {
    const existing = new Map(
      (await tx.db.selectFrom('staff_user').selectAll().where('email', 'in', batch.map((u) => u.email)).execute()).map((u) => [u.email, u]),
    );
    const changes = [];
    for (const u of batch) {
      const old = existing.get(u.email);
      const aad = u.aad_object_id ?? old?.aad_object_id ?? null;
      const slack = u.slack_user_id ?? old?.slack_user_id ?? null;
      if (!old) counts.inserted++;
      else if (old.name === u.name && old.role === u.role && old.scope === u.scope && old.aad_object_id === aad && old.slack_user_id === slack) {
        counts.unchanged++;
        continue;
      } else counts.updated++;
      changes.push({ email: u.email, name: u.name, role: u.role, scope: u.scope, aad_object_id: aad, slack_user_id: slack, created_at: ctx.env.now });
    }
    if (changes.length > 0) {
      await tx.db
        .insertInto('staff_user')
        .values(changes)
        .onConflict((oc) =>
          oc.column('email').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            role: eb.ref('excluded.role'),
            scope: eb.ref('excluded.scope'),
            aad_object_id: eb.ref('excluded.aad_object_id'),
            slack_user_id: eb.ref('excluded.slack_user_id'),
          })),
        )
        .execute();
    }
    await writeYouthJusticeLinks(tx.db, batch, counts);
  },
};

/** Parses the scope and checks it against the store; returns the canonical text. */
function parseScopeColumn(row: RowView, ctx: UsersContext): string | undefined {
  const text = row.get('scope');
  if (text === '') return row.fail('scope', 'is empty (expected county, or district:<name> / school:<urn> items separated by ;)');
  let scope: Scope;
  try {
    scope = parseScope(text);
  } catch (error) {
    if (error instanceof ScopeSyntaxError) return row.fail('scope', error.message);
    throw error;
  }
  if (scope.county) return formatScope(scope);
  const districts: string[] = [];
  for (const d of scope.districts) {
    const stored = ctx.districts.get(d.toLowerCase());
    if (stored === undefined) row.fail('scope', `unknown district "${clip(d)}"`);
    else if (!districts.includes(stored)) districts.push(stored);
  }
  for (const urn of scope.schoolUrns) {
    if (!ctx.schools.has(urn)) row.fail('scope', `unknown school ${urn}`);
  }
  if (row.failed) return undefined;
  return formatScope({ county: false, districts, schoolUrns: scope.schoolUrns });
}

/**
 * `youth_justice_upns` (issue 12): the young people a youth justice worker is linked to, UPNs
 * separated by ';'. Only for youth_justice_worker rows; every UPN must be a known pupil. Problems
 * name the position in the list, never the UPN.
 */
function linkedPupils(row: RowView, ctx: UsersContext, role: Role | undefined): number[] | undefined {
  const text = row.get('youth_justice_upns');
  if (role === 'youth_justice_worker' && text === '') return [];
  if (text === '') return undefined;
  if (role !== undefined && role !== 'youth_justice_worker') return row.fail('youth_justice_upns', 'is only for the youth_justice_worker role (leave it empty)');
  const ids: number[] = [];
  text.split(';').map((u) => u.trim().toUpperCase()).filter(Boolean).forEach((upn, i) => {
    const id = ctx.pupilsByUpn?.get(upn);
    if (id === undefined) row.fail('youth_justice_upns', `UPN number ${i + 1} in the list is not a known pupil: import pupils first (npm run import -- pupils <file>)`);
    else if (!ids.includes(id)) ids.push(id);
  });
  return ids;
}

/** Replaces each youth justice worker's links with the file's list (after the user rows exist). */
async function writeYouthJusticeLinks(db: Kysely<Database>, batch: readonly UserRecord[], counts: ImportCounts): Promise<void> {
  const workers = batch.filter((u) => u.youthJusticePupils !== undefined);
  // Anyone who is no longer a youth justice worker loses their links.
  const others = batch.filter((u) => u.role !== 'youth_justice_worker').map((u) => u.email);
  if (workers.length === 0 && others.length === 0) return;
  const ids = new Map((await db.selectFrom('staff_user').select(['id', 'email']).where('email', 'in', batch.map((u) => u.email)).execute()).map((u) => [u.email, u.id]));
  const clear = [...workers.map((u) => u.email), ...others].map((e) => ids.get(e)).filter((id): id is number => id !== undefined);
  if (clear.length) await db.deleteFrom('pupil_youth_justice_worker').where('staff_user_id', 'in', clear).execute();
  const links = workers.flatMap((u) => u.youthJusticePupils!.map((pupil_id) => ({ pupil_id, staff_user_id: ids.get(u.email)! })));
  for (const part of chunk(links, ROWS_PER_INSERT)) await db.insertInto('pupil_youth_justice_worker').values(part).execute();
  if (links.length) counts.other['youth justice links'] = (counts.other['youth justice links'] ?? 0) + links.length;
}
