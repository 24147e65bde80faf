// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { mentionToken } from '../../../../protocol/rules/mentions.ts';
import { renderMarkdown, sanitizeHtml } from './markdown.ts';

const ann = { id: '0f8fad5b-d9cb-469f-a165-70867728950e', name: 'Ann Admin' };

/** The rendered markup as a DOM, to ask what is in it rather than match strings. */
function rendered(text: string, names: ReadonlyMap<string, string> = new Map()): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = renderMarkdown(text, names);
  return div;
}

/** Every attribute of every element, as "tag attr=value". */
function attributes(root: HTMLElement): string[] {
  return [...root.querySelectorAll('*')].flatMap((el) =>
    [...el.attributes].map((a) => `${el.tagName.toLowerCase()} ${a.name}=${a.value}`),
  );
}

describe('Markdown in descriptions and comments', () => {
  it('renders the GitHub-flavoured basics', () => {
    const md = [
      '## Plan',
      '',
      '**bold** and _em_ and ~~gone~~ and `code`',
      '',
      '- one',
      '- two',
      '',
      'Tasks:',
      '',
      '- [x] done',
      '- [ ] todo',
      '',
      '```ts',
      'const a = 1 < 2;',
      '```',
      '',
      '| a | b |',
      '|---|--:|',
      '| 1 | 2 |',
    ].join('\n');
    const root = rendered(md);
    expect(root.querySelector('h2')?.textContent).toBe('Plan');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelector('em')?.textContent).toBe('em');
    expect(root.querySelector('del')?.textContent).toBe('gone');
    expect(root.querySelectorAll('ul')[0]?.querySelectorAll('li')).toHaveLength(2);
    expect(root.querySelector('pre code.language-ts')?.textContent).toBe('const a = 1 < 2;\n');
    expect(root.querySelectorAll('td')).toHaveLength(2);
    expect(root.querySelector('td:last-child')?.getAttribute('align')).toBe('right');
  });

  it('shows task lists as boxes that cannot be ticked', () => {
    const boxes = [...rendered('- [x] done\n- [ ] todo').querySelectorAll('input')];
    expect(boxes.map((b) => [b.type, b.checked, b.disabled])).toEqual([
      ['checkbox', true, true],
      ['checkbox', false, true],
    ]);
  });

  it('keeps line breaks as written', () => {
    expect(rendered('one\ntwo').querySelector('p')?.innerHTML).toBe('one<br>two');
  });

  it('opens web links in a new tab that cannot reach back to the app', () => {
    const a = rendered('[docs](https://example.com/a) and https://example.org').querySelectorAll('a');
    expect([...a].map((l) => [l.getAttribute('href'), l.target, l.rel])).toEqual([
      ['https://example.com/a', '_blank', 'noopener noreferrer'],
      ['https://example.org', '_blank', 'noopener noreferrer'],
    ]);
  });

  it.each([
    ['javascript: link', '[x](javascript:alert(1))'],
    ['encoded javascript: link', '[x](jav&#x61;script:alert(1))'],
    ['upper-case scheme', '[x](JAVASCRIPT:alert(1))'],
    ['data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['vbscript: link', '[x](vbscript:msgbox(1))'],
    ['reference link', '[x][r]\n\n[r]: javascript:alert(1)'],
    ['autolink', '<javascript:alert(1)>'],
  ])('drops the target of a %s', (_, md) => {
    const root = rendered(md);
    expect(root.querySelectorAll('a[href]')).toHaveLength(0);
    expect(attributes(root).filter((a) => /javascript:|vbscript:|data:/i.test(a))).toEqual([]);
  });

  it.each([
    ['img onerror', '<img src=x onerror="alert(1)">'],
    ['svg onload', '<svg onload="alert(1)"><circle/></svg>'],
    ['script', '<script>alert(1)</script>'],
    ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['inline tag in a paragraph', 'hi <a href="javascript:alert(1)" onclick="alert(1)">x</a> there'],
    ['style', '<style>body{display:none}</style>'],
    ['details ontoggle', '<details open ontoggle=alert(1)>'],
  ])('shows raw HTML (%s) as text, with no element made of it', (_, md) => {
    const root = rendered(md);
    expect(
      root.querySelectorAll('img, svg, script, iframe, style, details, [onclick], [onerror], [onload]'),
    ).toHaveLength(0);
    expect(attributes(root).filter((a) => / on\w+=/.test(a))).toEqual([]);
    // The writer sees what they wrote.
    expect(root.textContent).toContain(md.split('\n')[0]!.slice(0, 6));
  });

  it('shows an image as a link to it, not as an image that loads', () => {
    const root = rendered('![the chart](https://tracker.example/pixel.png)');
    expect(root.querySelector('img')).toBeNull();
    const a = root.querySelector('a');
    expect(a?.textContent).toBe('the chart');
    expect(a?.getAttribute('href')).toBe('https://tracker.example/pixel.png');
    expect(a?.rel).toBe('noopener noreferrer');
  });

  it('drops an image written as a javascript: link', () => {
    const root = rendered('![x](javascript:alert(1))');
    expect(root.querySelectorAll('img, a[href]')).toHaveLength(0);
  });

  it('sanitises HTML the parser might let through: only the allow-list is left', () => {
    // Markdown cannot produce this; the sanitiser is fed it directly, as the layer that holds anyway.
    const div = document.createElement('div');
    div.innerHTML = sanitizeHtml(
      '<p class="btn danger" style="position:fixed" data-x="1" aria-hidden="true" onclick="alert(1)">a</p>' +
        '<img src=x onerror="alert(1)"><svg onload="alert(1)"></svg><form action="/x"><input type="text" name="q"></form>' +
        '<a href="javascript:alert(1)">b</a><span class="mention fake">c</span><code class="language-js">d</code>',
    );
    expect(div.querySelectorAll('img, svg, form')).toHaveLength(0);
    expect(attributes(div)).toEqual(['input type=checkbox', 'input disabled=', 'code class=language-js']);
  });
});

describe('@mentions', () => {
  it('renders a mention as a chip with the member’s current name, not as a link', () => {
    const root = rendered(`Ask ${mentionToken(ann)} today`, new Map([[ann.id, 'Ann Renamed']]));
    const chip = root.querySelector('span.mention');
    expect(chip?.textContent).toBe('@Ann Renamed');
    expect(chip?.getAttribute('data-user-id')).toBe(ann.id);
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent?.trim()).toBe('Ask @Ann Renamed today');
  });

  it('falls back to the name stored in the token for someone no longer on the board', () => {
    expect(rendered(mentionToken(ann)).querySelector('.mention')?.textContent).toBe('@Ann Admin');
  });

  it('renders mentions inside emphasis and lists, and several in a line', () => {
    const bob = { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', name: 'Bob' };
    const root = rendered(`- **${mentionToken(ann)}** and ${mentionToken(bob)}`);
    expect([...root.querySelectorAll('li .mention')].map((c) => c.textContent)).toEqual([
      '@Ann Admin',
      '@Bob',
    ]);
    expect(root.querySelector('strong .mention')).not.toBeNull();
  });

  it('escapes a stored name that holds markup', () => {
    const root = rendered(mentionToken({ id: ann.id, name: '<img src=x onerror=alert(1)>' }));
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('.mention')?.textContent).toBe('@<img src=x onerror=alert(1)>');
  });

  it('leaves text that only looks like a mention alone', () => {
    const root = rendered('@[Ann](user:not-a-uuid) and mail ann@example.com');
    expect(root.querySelector('.mention')).toBeNull();
    // Read as the link it is, whose scheme is not allowed.
    expect(root.querySelectorAll('a[href^="user:"]')).toHaveLength(0);
  });
});
