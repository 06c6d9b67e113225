/**
 * A staff user's scope: the whole county, or a set of districts and schools. Stored as text
 * (`county`, or `district:<name>` / `school:<urn>` items separated by ';') and parsed here once.
 */
export interface Scope {
  county: boolean;
  /** District names as written in the district table. */
  districts: string[];
  schoolUrns: number[];
}

export class ScopeSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeSyntaxError';
  }
}

export function parseScope(text: string): Scope {
  const value = text.trim();
  if (value.toLowerCase() === 'county') return { county: true, districts: [], schoolUrns: [] };
  if (value === '') throw new ScopeSyntaxError('scope is empty: use county, district:<name> or school:<urn>');
  const scope: Scope = { county: false, districts: [], schoolUrns: [] };
  for (const raw of value.split(';')) {
    const item = raw.trim();
    if (item === '') continue;
    const colon = item.indexOf(':');
    const kind = colon < 0 ? item.toLowerCase() : item.slice(0, colon).trim().toLowerCase();
    const arg = colon < 0 ? '' : item.slice(colon + 1).trim();
    if (kind === 'county') throw new ScopeSyntaxError('county cannot be combined with other scope items');
    if (kind === 'district' && arg !== '') {
      if (!scope.districts.includes(arg)) scope.districts.push(arg);
    } else if (kind === 'school' && /^\d{6}$/.test(arg)) {
      const urn = Number(arg);
      if (!scope.schoolUrns.includes(urn)) scope.schoolUrns.push(urn);
    } else {
      throw new ScopeSyntaxError(`scope item "${item}" is not district:<name> or school:<six-digit URN>`);
    }
  }
  if (scope.districts.length === 0 && scope.schoolUrns.length === 0) {
    throw new ScopeSyntaxError('scope is empty: use county, district:<name> or school:<urn>');
  }
  return scope;
}

export function formatScope(scope: Scope): string {
  if (scope.county) return 'county';
  return [...scope.districts.map((d) => `district:${d}`), ...scope.schoolUrns.map((u) => `school:${u}`)].join(';');
}

/** Short words for a person: "the whole county", "Boston", "2 schools". */
export function describeScope(scope: Scope): string {
  if (scope.county) return 'the whole county';
  const parts: string[] = [];
  if (scope.districts.length) parts.push(scope.districts.join(', '));
  if (scope.schoolUrns.length) parts.push(scope.schoolUrns.length === 1 ? '1 school' : `${scope.schoolUrns.length} schools`);
  return parts.join(' and ');
}
