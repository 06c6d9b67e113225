/**
 * Unique Pupil Number check letter (DfE, UPN standard): characters 2-13 are weighted by their
 * position (2..13); digits count at face value, a temporary UPN's final letter by its index in the
 * check alphabet; the sum mod 23 indexes the alphabet, which omits I, O and S.
 */
const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

function upnCheckLetter(body12: string): string {
  if (body12.length !== 12) throw new Error('a UPN body has 12 characters');
  let total = 0;
  for (let i = 0; i < 12; i++) {
    const ch = body12[i]!;
    const value = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : UPN_ALPHABET.indexOf(ch);
    if (value < 0) throw new Error('a UPN body has digits and, last, one check-alphabet letter');
    total += (i + 2) * value;
  }
  return UPN_ALPHABET[total % 23]!;
}

export type UpnProblem = 'length' | 'characters' | 'check letter';

/** Returns what is wrong with a UPN, or null when it is valid. The caller upper-cases and trims. */
export function upnProblem(upn: string): UpnProblem | null {
  if (upn.length !== 13) return 'length';
  if (!UPN_ALPHABET.includes(upn[0]!)) return 'characters';
  for (let i = 1; i < 12; i++) {
    const c = upn.charCodeAt(i);
    if (c < 48 || c > 57) return 'characters';
  }
  const last = upn[12]!;
  if (!(last >= '0' && last <= '9') && !UPN_ALPHABET.includes(last)) return 'characters';
  return upnCheckLetter(upn.slice(1)) === upn[0] ? null : 'check letter';
}

export function isValidUpn(upn: string): boolean {
  return upnProblem(upn) === null;
}

/** Builds a permanent UPN from an LA number, establishment number, year of issue and serial. */
export function makeUpn(la: number, establishment: number, year: number, serial: number): string {
  const body =
    String(la).padStart(3, '0') +
    String(establishment).padStart(4, '0') +
    String(year % 100).padStart(2, '0') +
    String(serial).padStart(3, '0');
  return upnCheckLetter(body) + body;
}
