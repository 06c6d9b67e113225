/**
 * Teams (and the Agents Playground) reads `<district>` in card or message text as an HTML tag and
 * drops it; single guillemets keep the "fill this in" look and survive. Every user-visible usage
 * line or reply that names a placeholder goes through this one helper.
 */
export function placeholders(words: string): string {
  return words.replace(/<([^<>]+)>/g, '‹$1›');
}
