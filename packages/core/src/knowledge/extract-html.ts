import { Parser } from 'htmlparser2';
import type { JsonObject } from '../contracts/json.ts';
import type { TextBlock } from './document-model.ts';

const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'nav',
  'header',
  'footer',
  'aside',
  'form',
  'iframe',
  'button',
  'select',
]);
const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'li',
  'ul',
  'ol',
  'table',
  'tr',
  'blockquote',
  'dd',
  'dt',
  'figcaption',
  'br',
  'hr',
  'body',
]);
const HEADING = /^h([1-6])$/;

/**
 * The main text of an HTML page: headings, paragraphs and `<pre>` blocks, without scripts,
 * styles, navigation, headers, footers, asides and forms. When the page has a `<main>` or
 * `<article>`, only what is inside it counts. The `<title>` and meta description go to metadata.
 */
export function extractHtml(html: string): { blocks: TextBlock[]; metadata: JsonObject } {
  const all: Array<TextBlock & { main: boolean }> = [];
  const stack: string[] = [];
  let skipDepth = 0;
  let mainDepth = 0;
  let text = '';
  let title = '';
  let inTitle = false;
  let description: string | undefined;
  const headings: Array<{ level: number; title: string }> = [];
  let headingLevel = 0;
  let preDepth = 0;

  const sectionOf = (): string | undefined =>
    headings.length === 0 ? undefined : headings.map((heading) => heading.title).join(' › ');
  const emit = (kind: TextBlock['kind']): void => {
    const content = kind === 'code' ? text.replace(/^\n+|\s+$/g, '') : text.replace(/\s+/g, ' ').trim();
    text = '';
    if (content === '') return;
    if (kind === 'heading') {
      while (headings.length > 0 && (headings.at(-1)?.level ?? 0) >= headingLevel) headings.pop();
      headings.push({ level: headingLevel, title: content });
      all.push({
        kind,
        text: `${'#'.repeat(headingLevel)} ${content}`,
        section: sectionOf() ?? content,
        main: mainDepth > 0,
      });
      return;
    }
    const section = sectionOf();
    all.push({ kind, text: content, ...(section === undefined ? {} : { section }), main: mainDepth > 0 });
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        stack.push(name);
        if (name === 'title') inTitle = true;
        if (name === 'meta' && (attributes['name'] ?? '').toLowerCase() === 'description')
          description = attributes['content'];
        if (SKIPPED.has(name)) skipDepth++;
        if (skipDepth > 0) return;
        if (name === 'main' || name === 'article') mainDepth++;
        const heading = HEADING.exec(name);
        if (heading !== null) {
          emit(preDepth > 0 ? 'code' : 'prose');
          headingLevel = Number(heading[1]);
        } else if (name === 'pre') {
          emit('prose');
          preDepth++;
        } else if (BLOCK.has(name) && preDepth === 0) {
          emit('prose');
        }
      },
      ontext(data) {
        if (inTitle) title += data;
        if (skipDepth > 0 || stack.includes('head')) return;
        text += decode(data);
      },
      onclosetag(name) {
        stack.pop();
        if (name === 'title') inTitle = false;
        if (SKIPPED.has(name)) {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth > 0) return;
        if (HEADING.test(name)) emit('heading');
        else if (name === 'pre') {
          emit('code');
          preDepth = Math.max(0, preDepth - 1);
        } else if (BLOCK.has(name) && preDepth === 0) emit('prose');
        if (name === 'main' || name === 'article') {
          emit('prose');
          mainDepth = Math.max(0, mainDepth - 1);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  emit('prose');
  const main = all.filter((block) => block.main);
  const chosen = main.some((block) => block.kind !== 'heading') ? main : all;
  const metadata: JsonObject = {};
  if (title.trim() !== '') metadata['title'] = title.replace(/\s+/g, ' ').trim();
  if (description !== undefined && description.trim() !== '') metadata['description'] = description.trim();
  return { blocks: chosen.map(({ main: _main, ...block }) => block), metadata };
}

function decode(text: string): string {
  return text.replace(/\u00a0/g, ' ');
}
