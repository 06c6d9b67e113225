import { PackageError } from './package-inputs';

/**
 * The manifest template is plain JSON with `${{NAME}}` placeholders in string values (the Teams
 * Toolkit convention, so the file also works with its tooling). Values are substituted into the
 * parsed JSON, never into the text, so a value can not break the JSON.
 */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Parses the template; a syntax error names the line and column. */
export function parseTemplateJson(text: string, fileLabel: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (!position) throw new PackageError([`${fileLabel}: not valid JSON (${message})`]);
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new PackageError([`${fileLabel} line ${line}, column ${column}: not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '')})`]);
  }
}

/**
 * Replaces placeholders. `values` lists every known name; a known name with no value may only be a
 * whole array entry (e.g. validDomains without BOT_DOMAIN), which is then dropped. Anything else
 * left unfilled is an error naming the placeholder and where it is.
 */
export function fillTemplate(template: unknown, values: Readonly<Record<string, string | undefined>>): unknown {
  const problems: string[] = [];
  const DROP = Symbol('drop');

  const fillString = (text: string, path: string, inArray: boolean): string | typeof DROP => {
    const whole = /^\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(text);
    if (whole && inArray && whole[1]! in values && values[whole[1]!] === undefined) return DROP;
    return text.replace(PLACEHOLDER, (match, name: string) => {
      if (!(name in values)) {
        problems.push(`manifest template ${path || '/'}: unknown placeholder ${match} (known: ${Object.keys(values).join(', ')})`);
        return match;
      }
      const value = values[name];
      if (value === undefined) {
        problems.push(`manifest template ${path || '/'}: ${match} has no value: set ${name}`);
        return match;
      }
      return value;
    });
  };

  const walk = (node: unknown, path: string, inArray: boolean): unknown => {
    if (typeof node === 'string') return fillString(node, path, inArray);
    if (Array.isArray(node)) {
      return node.map((item, i) => walk(item, `${path}/${i}`, true)).filter((item) => item !== DROP);
    }
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, `${path}/${key}`, false);
      return out;
    }
    return node;
  };

  const filled = walk(template, '', false);
  if (problems.length > 0) throw new PackageError(problems);
  return filled;
}

/** Every `${{NAME}}` still present anywhere in a JSON value (for checks after filling). */
export function findPlaceholders(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(PLACEHOLDER)].map((m) => m[0]);
}
