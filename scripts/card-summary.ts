/**
 * An Adaptive Card as readable lines for a terminal: headings and text without Markdown, facts as
 * "title: value", checklists as [ ] / [x], and the buttons a user could press. Elements behind
 * "Show more" are listed under a marker, so everything the card holds can be read.
 */

type Node = Record<string, unknown>;

/** Card Markdown to plain text: **bold**, _italic_, [title](link) -> title (link), \\-escapes. */
function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*]*)\*\*/g, '$1')
    .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:])/g, '$1$2')
    .replace(/\\([\\`*_[\]<>#|~+\-.])/g, '$1');
}

function buttonTitles(actions: unknown): string[] {
  if (!Array.isArray(actions)) return [];
  return actions.filter((a): a is Node => !!a && typeof a === 'object' && typeof (a as Node).title === 'string').map((a) => `[${String(a.title)}]`);
}

function walk(nodes: unknown, out: string[], indent: string): void {
  if (!Array.isArray(nodes)) return;
  for (const raw of nodes) {
    if (!raw || typeof raw !== 'object') continue;
    const node = raw as Node;
    const hidden = node.isVisible === false;
    if (hidden && node.type === 'ActionSet') continue; // "Show less" and similar
    const before = out.length;
    const pad = hidden ? `${indent}  ` : indent;
    switch (node.type) {
      case 'TextBlock':
        // A lone chevron is a tap target's decoration, not text.
        if (/^[›‹>]$/.test(String(node.text ?? '').trim())) break;
        for (const line of plainText(String(node.text ?? '')).split('\n')) if (line.trim()) out.push(`${pad}${line}`);
        break;
      case 'FactSet':
        for (const f of (node.facts as Array<{ title: string; value: string }>) ?? []) out.push(`${pad}${plainText(f.title)}: ${plainText(f.value)}`);
        break;
      case 'Input.Toggle':
        out.push(`${pad}[${node.value === 'true' ? 'x' : ' '}] ${plainText(String(node.title ?? ''))}`);
        break;
      case 'Input.Text':
      case 'Input.Date':
      case 'Input.ChoiceSet':
        out.push(`${pad}(${String(node.label ?? node.placeholder ?? node.id ?? 'input')}: ____)`);
        break;
      case 'ActionSet': {
        const titles = buttonTitles(node.actions);
        if (titles.length) out.push(`${pad}${titles.join(' ')}`);
        break;
      }
      case 'Container':
        walk(node.items, out, pad);
        break;
      case 'ColumnSet': {
        // Columns side by side read best as one line each.
        for (const column of (node.columns as Node[]) ?? []) walk(column.items, out, pad);
        break;
      }
      default:
        break;
    }
    if (hidden && out.length > before) out.splice(before, 0, `${indent}(behind "Show more":)`);
  }
}

export function summariseCard(card: unknown): string[] {
  const out: string[] = [];
  if (!card || typeof card !== 'object') return out;
  const c = card as Node;
  walk(c.body, out, '');
  const buttons = buttonTitles(c.actions);
  if (buttons.length) out.push(`Buttons: ${buttons.join(' ')}`);
  return out;
}

/** Every reply activity as text: its own text, then each card summarised. */
export function summariseReplies(replies: readonly unknown[]): string {
  const blocks: string[] = [];
  for (const raw of replies) {
    const reply = raw as { text?: string; attachments?: Array<{ contentType?: string; content?: unknown }> };
    if (reply.text?.trim()) blocks.push(plainText(reply.text.trim()));
    for (const attachment of reply.attachments ?? []) {
      if (attachment.contentType === 'application/vnd.microsoft.card.adaptive') blocks.push(summariseCard(attachment.content).join('\n'));
      else if (attachment.contentType === 'application/vnd.microsoft.card.hero') {
        // The plain-language assistant's choices: each button sends its command as typed.
        const buttons = ((attachment.content as { buttons?: Array<{ title?: string }> }).buttons ?? []).map((b) => `[${b.title ?? ''}]`);
        blocks.push(`Buttons: ${buttons.join(' ')}`);
      } else blocks.push(`(an attachment of type ${attachment.contentType ?? 'unknown'})`);
    }
  }
  return blocks.length ? blocks.join('\n\n') : '(no reply)';
}
