/**
 * Writes data/words/english-words.txt: the English words (a-z only, five letters or more) that
 * ladder search never "corrects" as typos ("monkey" is a real word, not a misspelling of "money").
 *
 * Where the list comes from: SCOWL (Kevin Atkinson's Spell Checker Oriented Word Lists) as Debian
 * packages it in wbritish-small (British spellings, the small size), /usr/share/dict/british-english-small.
 * The shipped file was made from wbritish-small 2020.12.07-2. To regenerate (e.g. after a newer
 * package), review the diff of the data file, and commit it:
 *
 *   apt-get install wbritish-small
 *   npx tsx scripts/make-english-words.ts [path/to/word-list]
 *
 * One word a line, sorted, after a '#' header that keeps SCOWL's copyright notice (its licence asks
 * for the notice in every copy) and names the source; services/ladder/search-text.ts reads it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { projectPath } from '../services/project-paths';

const DEFAULT_SOURCE = '/usr/share/dict/british-english-small';
const OUTPUT = 'data/words/english-words.txt';

const SCOWL_NOTICE = `Copyright 2000-2011 by Kevin Atkinson

Permission to use, copy, modify, distribute and sell these word
lists, the associated scripts, the output created from the scripts,
and its documentation for any purpose is hereby granted without fee,
provided that the above copyright notice appears in all copies and
that both that copyright notice and this permission notice appear in
supporting documentation. Kevin Atkinson makes no representations
about the suitability of this array for any purpose. It is provided
"as is" without express or implied warranty.`;

/** The installed package's version, for the header; a list given by path may not come from one. */
function packageVersion(): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'wbritish-small'], { encoding: 'utf8' }).trim();
  } catch {
    return 'version unknown';
  }
}

function main(): void {
  const source = process.argv[2] ?? DEFAULT_SOURCE;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch {
    process.stderr.write(`${source}: cannot read the word list (install it with: apt-get install wbritish-small)\n`);
    process.exit(1);
  }
  // Proper nouns, possessives and short words are left out: only these can be mistaken for typos.
  const words = [...new Set(text.split('\n').map((line) => line.trim()).filter((word) => /^[a-z]{5,}$/.test(word)))].sort();
  const origin = source === DEFAULT_SOURCE ? `Debian wbritish-small ${packageVersion()} (${source})` : source;
  const header = [
    `English words (a-z, five letters or more) from SCOWL via ${origin}.`,
    'Made by scripts/make-english-words.ts: regenerate with it, do not edit by hand.',
    '',
    ...SCOWL_NOTICE.split('\n'),
  ].map((line) => (line === '' ? '#' : `# ${line}`));
  writeFileSync(projectPath(OUTPUT), `${[...header, ...words].join('\n')}\n`);
  process.stdout.write(`${OUTPUT}: ${words.length} words\n`);
}

main();
