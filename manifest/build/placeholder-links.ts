/**
 * The developer links in the Teams manifest (website, privacy statement, terms of use) are shown to
 * every user who installs the app, and Teams admins review them. The shipped template carries
 * example addresses; a package built for real use must carry the authority's own.
 */

const LINKS = [
  ['websiteUrl', 'developer.websiteUrl'],
  ['privacyUrl', 'developer.privacyUrl'],
  ['termsOfUseUrl', 'developer.termsOfUseUrl'],
] as const;

// Reserved example and test names (RFC 2606, RFC 6761), Microsoft's sample company names, loopback.
const PLACEHOLDER_LABELS = /^(example|contoso|fabrikam|northwind|adventure-?works|your-?(domain|company|org|authority|site)?|placeholder|changeme|localhost)$/i;
const PLACEHOLDER_TLDS = /\.(test|invalid|localhost|local|example)$/i;

/** Why `url` is a placeholder, or undefined when it looks like a real public address. */
export function placeholderReason(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'is not a web address';
  }
  if (host === '' || host === 'localhost' || /^127\.|^\[?::1\]?$|^0\.0\.0\.0$/.test(host)) return 'points at this computer (localhost)';
  if (PLACEHOLDER_TLDS.test(host)) return `uses a reserved test domain (${host})`;
  const labels = host.split('.');
  const placeholder = labels.find((label) => PLACEHOLDER_LABELS.test(label));
  if (placeholder) return `is a placeholder address (${host})`;
  return undefined;
}

/** One line per developer link that is still a placeholder, naming the manifest field. */
export function placeholderLinkProblems(manifest: Record<string, unknown>): string[] {
  const developer = (manifest.developer ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, field] of LINKS) {
    const value = developer[key];
    if (typeof value !== 'string') continue; // the schema check reports a missing link
    const reason = placeholderReason(value);
    if (reason) out.push(`${field} ${JSON.stringify(value)} ${reason}`);
  }
  return out;
}
