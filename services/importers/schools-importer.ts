import type { SchoolPhase, SchoolType } from '../store/database';
import { choice, requiredText, schoolUrn, type RowView } from './fields';
import { ImportSetupError, type ImportCounts, type ImportEnv, type Importer, type ImportTx } from './importer';

/**
 * `schools`: urn,name,phase,type,district. Upserts by URN; a district named for the first time is
 * created under the store's local authority (or, when the store has none yet, under LA_CODE /
 * LA_NAME). District names match existing ones regardless of case.
 */

export interface SchoolRecord {
  urn: number;
  name: string;
  phase: SchoolPhase;
  type: SchoolType;
  district: string;
}

interface DistrictRef {
  id: number;
  name: string;
}

export interface SchoolsContext {
  env: ImportEnv;
  /** Lower-cased name -> district, including those this import created. */
  districts: Map<string, DistrictRef>;
  /** The LA new districts belong to, and whether it must be created first. */
  laCode: string;
  createLa: boolean;
}

/** Accepted spellings (after normaliseWord), including the Get Information about Schools wording. */
const PHASE_SPELLINGS: ReadonlyMap<string, SchoolPhase> = new Map<string, SchoolPhase>([
  ['nursery', 'nursery'],
  ['primary', 'primary'],
  ['middle', 'middle'],
  ['middle_deemed_primary', 'middle'],
  ['middle_deemed_secondary', 'middle'],
  ['secondary', 'secondary'],
  ['all_through', 'all_through'],
  ['sixteen_plus', 'sixteen_plus'],
  ['16_plus', 'sixteen_plus'],
]);

const TYPE_SPELLINGS: ReadonlyMap<string, SchoolType> = new Map<string, SchoolType>([
  ['community', 'community'],
  ['community_school', 'community'],
  ['voluntary_aided', 'voluntary_aided'],
  ['voluntary_aided_school', 'voluntary_aided'],
  ['va', 'voluntary_aided'],
  ['voluntary_controlled', 'voluntary_controlled'],
  ['voluntary_controlled_school', 'voluntary_controlled'],
  ['vc', 'voluntary_controlled'],
  ['foundation', 'foundation'],
  ['foundation_school', 'foundation'],
  ['academy', 'academy'],
  ['academy_converter', 'academy'],
  ['academy_sponsor_led', 'academy'],
  ['free_school', 'free_school'],
  ['free_schools', 'free_school'],
  ['special', 'special'],
  ['community_special_school', 'special'],
  ['foundation_special_school', 'special'],
  ['non_maintained_special_school', 'special'],
  ['academy_special_converter', 'special'],
  ['academy_special_sponsor_led', 'special'],
  ['free_schools_special', 'special'],
  ['alternative_provision', 'alternative_provision'],
  ['ap', 'alternative_provision'],
  ['pupil_referral_unit', 'alternative_provision'],
  ['pru', 'alternative_provision'],
  ['academy_alternative_provision_converter', 'alternative_provision'],
  ['academy_alternative_provision_sponsor_led', 'alternative_provision'],
  ['free_schools_alternative_provision', 'alternative_provision'],
]);

const PHASES = 'nursery, primary, middle, secondary, all_through or sixteen_plus';
const TYPES = 'community, voluntary_aided, voluntary_controlled, foundation, academy, free_school, special or alternative_provision';

export const schoolsImporter: Importer<SchoolRecord, SchoolsContext> = {
  kind: 'schools',
  description: 'urn,name,phase,type,district',
  columns: [
    { name: 'urn', required: true },
    { name: 'name', required: true },
    { name: 'phase', required: true },
    { name: 'type', required: true },
    { name: 'district', required: true },
  ],
  keyColumn: 'urn',
  key: (record) => String(record.urn),

  async prepare(db, env) {
    const las = await db.selectFrom('local_authority').select(['code', 'name']).orderBy('code').execute();
    let laCode = env.laCode;
    let createLa = false;
    if (las.length === 0) createLa = true;
    else if (las.length === 1) laCode = las[0]!.code;
    else if (!las.some((la) => la.code === env.laCode)) {
      throw new ImportSetupError(`the store holds several local authorities (${las.map((la) => la.code).join(', ')}): set LA_CODE to the one these schools belong to`);
    }
    const districts = new Map<string, DistrictRef>();
    for (const d of await db.selectFrom('district').select(['id', 'name']).execute()) {
      districts.set(d.name.toLowerCase(), { id: d.id, name: d.name });
    }
    return { env, districts, laCode, createLa };
  },

  parse(row: RowView): SchoolRecord | undefined {
    const urn = schoolUrn(row, 'urn');
    const name = requiredText(row, 'name', { maxLength: 200, name: true });
    const phase = choice(row, 'phase', PHASE_SPELLINGS, { echo: true, expected: PHASES });
    const type = choice(row, 'type', TYPE_SPELLINGS, { echo: true, expected: TYPES });
    const district = requiredText(row, 'district', { maxLength: 100, name: true });
    if (urn === undefined || name === undefined || phase === undefined || type === undefined || district === undefined) return undefined;
    return { urn, name, phase, type, district: district.replace(/\s+/g, ' ') };
  },

  batchSize: () => 500,

  async write(tx, batch, ctx, counts) {
    await ensureLocalAuthority(tx, ctx, counts);
    await ensureDistricts(tx, batch, ctx, counts);
    const existing = new Map(
      (await tx.db.selectFrom('school').selectAll().where('urn', 'in', batch.map((s) => s.urn)).execute()).map((s) => [s.urn, s]),
    );
    const changes = [];
    for (const s of batch) {
      const row = { urn: s.urn, name: s.name, phase: s.phase, type: s.type, district_id: ctx.districts.get(s.district.toLowerCase())!.id };
      const old = existing.get(s.urn);
      if (!old) counts.inserted++;
      else if (old.name === row.name && old.phase === row.phase && old.type === row.type && old.district_id === row.district_id) {
        counts.unchanged++;
        continue;
      } else counts.updated++;
      changes.push(row);
    }
    if (changes.length === 0) return;
    await tx.db
      .insertInto('school')
      .values(changes)
      .onConflict((oc) =>
        oc.column('urn').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          phase: eb.ref('excluded.phase'),
          type: eb.ref('excluded.type'),
          district_id: eb.ref('excluded.district_id'),
        })),
      )
      .execute();
  },
};

async function ensureLocalAuthority(tx: ImportTx, ctx: SchoolsContext, counts: ImportCounts): Promise<void> {
  if (!ctx.createLa) return;
  await tx.db.insertInto('local_authority').values({ code: ctx.env.laCode, name: ctx.env.laName }).execute();
  ctx.createLa = false;
  counts.other['local authority created'] = 1;
}

async function ensureDistricts(tx: ImportTx, batch: SchoolRecord[], ctx: SchoolsContext, counts: ImportCounts): Promise<void> {
  for (const s of batch) {
    const key = s.district.toLowerCase();
    if (ctx.districts.has(key)) continue;
    const created = await tx.db.insertInto('district').values({ name: s.district, la_code: ctx.laCode }).returning('id').executeTakeFirstOrThrow();
    ctx.districts.set(key, { id: created.id, name: s.district });
    counts.other['districts created'] = (counts.other['districts created'] ?? 0) + 1;
  }
}
