/**
 * The state dump as one self-contained HTML page (`bpflab verify
 * --states-html FILE`), for a student to open in a browser: the program's
 * instructions in a column, each group under its C source line; hovering
 * over an instruction (or clicking it, which pins it) shows the registers
 * and stack the verifier had there, for every path that reached it; the
 * failing instruction is highlighted with the error, the explanation and
 * the hint, and its states are shown when the page opens.
 *
 * No external assets, no dependencies: inline CSS and a few lines of
 * script (without script, clicking an instruction still shows its states
 * through a `#fragment` link and `:target`). Every text from the program
 * (names, C lines, register values, messages) is HTML-escaped.
 */
import type { Explanation } from '../explain';
import type { StatePath, StateTrace, StateVisit } from './record';
import { describePathEnd, describePathStart } from './text';

/** One verified program on the page. */
export interface StatesPage {
  /** the program's name */
  readonly program: string;
  /** a few words after the name, e.g. `rejected (program type xdp)` */
  readonly verdict: string;
  readonly ok: boolean;
  readonly trace: StateTrace;
  /** the explanation of a rejection */
  readonly explanation?: Explanation;
}

/** Options of {@link renderStatesHtml}. */
export interface StatesHtmlOptions {
  /** the page title, e.g. the object file's name */
  readonly title: string;
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; }
code, pre, .code, .states td, .states th { font-family: ui-monospace, Menlo, Consolas, monospace; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; }
.accepted { color: #176b2c; } .rejected { color: #b00020; }
.help { color: #555; }
.error { border-left: 4px solid #b00020; background: #fff0f1; padding: .5em 1em; white-space: pre-wrap; }
.cols { display: flex; gap: 1.5em; align-items: flex-start; }
table.insns { border-collapse: collapse; flex: 0 1 auto; }
table.insns td { padding: 1px 6px; vertical-align: top; }
tr.src td { color: #0b5394; padding-top: .6em; font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; }
tr.src .loc { color: #888; }
tr.insn { cursor: pointer; }
tr.insn:hover, tr.insn.pinned { background: #e8f0fe; }
tr.insn td.pc { text-align: right; color: #666; }
tr.insn td.pc a { color: inherit; text-decoration: none; }
tr.insn td.n { color: #888; font-size: .9em; }
tr.insn.unreached { cursor: default; color: #aaa; }
tr.insn.fail { background: #ffd7db; }
tr.err td { color: #b00020; font-weight: bold; padding-left: 3em; }
.panel { position: sticky; top: 0; max-height: 100vh; overflow: auto; flex: 1 1 40em; min-width: 24em; }
.states { display: none; } .states.shown, .states:target { display: block; }
.states h3 { font-size: 1em; margin: .2em 0; }
.visit { border: 1px solid #ddd; border-radius: 4px; margin: .5em 0; padding: .3em .6em; }
.visit h4 { margin: 0 0 .3em; font-size: .9em; color: #555; }
.visit table { border-collapse: collapse; margin-bottom: .3em; }
.visit th { text-align: right; padding: 0 .6em 0 0; color: #555; font-weight: normal; }
.visit td { white-space: pre-wrap; word-break: break-all; }
ol.paths li { margin: .2em 0; }
`;

const SCRIPT = `
(function () {
  var shown = {}, pinned = null;
  function show(tr) {
    var panel = tr.closest('.prog'), id = tr.getAttribute('data-states');
    var key = panel.id, old = shown[key];
    if (old) old.classList.remove('shown');
    var next = document.getElementById(id);
    if (next) { next.classList.add('shown'); shown[key] = next; }
  }
  document.querySelectorAll('.states.shown').forEach(function (s) { shown[s.closest('.prog').id] = s; });
  document.querySelectorAll('tr.insn[data-states]').forEach(function (tr) {
    tr.addEventListener('mouseenter', function () { if (!pinned) show(tr); });
    tr.addEventListener('click', function (e) {
      e.preventDefault();
      if (pinned) pinned.classList.remove('pinned');
      if (pinned === tr) { pinned = null; return; }
      pinned = tr; tr.classList.add('pinned'); show(tr);
    });
  });
})();
`;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function itemsTable(cls: string, items: readonly { readonly name: string; readonly value: string }[]): string {
  if (items.length === 0) return '';
  const rows = items.map((i) => `<tr><th>${escapeHtml(i.name)}</th><td>${escapeHtml(i.value)}</td></tr>`).join('');
  return `<table class="${cls}">${rows}</table>`;
}

function visitBlock(path: StatePath, nth: number, of: number, v: StateVisit): string {
  const label = `path ${path.index} (${describePathStart(path)})${of > 1 ? `, visit ${nth} of ${of}` : ''}${v.frame > 0 ? `, in frame ${v.frame}` : ''}`;
  const refs = v.refs.length > 0 ? `<p>references held: ${escapeHtml(v.refs.join(', '))}</p>` : '';
  const stack = v.stack.length > 0 ? itemsTable('stack', v.stack) : '<p class="help">stack: nothing written</p>';
  return `<div class="visit"><h4>${escapeHtml(label)}</h4>${itemsTable('regs', v.regs)}${stack}${refs}</div>`;
}

function sourceText(li: NonNullable<StateTrace['insns'][number]['source']>): string {
  const loc = `${li.file ?? ''}${li.lineNumber === undefined ? '' : `:${li.lineNumber}`}`;
  return `${loc === '' ? '' : `<span class="loc">${escapeHtml(loc)}:</span> `}${escapeHtml(li.line.trim())}`;
}

function programSection(page: StatesPage, p: number): string {
  const { trace } = page;
  const fail = trace.paths.flatMap((x) => (x.end.kind === 'rejected' ? [x.end] : []))[0];
  const failPc = page.explanation?.pc ?? fail?.pc;
  // visits by instruction: every path that reached it, each visit in order
  const byPc = new Map<number, { path: StatePath; visit: StateVisit; nth: number; of: number }[]>();
  for (const path of trace.paths) {
    const counts = new Map<number, number>();
    for (const v of path.visits) counts.set(v.pc, (counts.get(v.pc) ?? 0) + 1);
    const seen = new Map<number, number>();
    for (const v of path.visits) {
      const nth = (seen.get(v.pc) ?? 0) + 1;
      seen.set(v.pc, nth);
      const list = byPc.get(v.pc) ?? [];
      list.push({ path, visit: v, nth, of: counts.get(v.pc)! });
      byPc.set(v.pc, list);
    }
  }
  const id = `p${p}`;
  const rows: string[] = [];
  const panels: string[] = [];
  for (const insn of trace.insns) {
    if (insn.lineStart && insn.source !== undefined) rows.push(`<tr class="src"><td colspan="3">${sourceText(insn.source)}</td></tr>`);
    const visits = byPc.get(insn.pc) ?? [];
    const isFail = insn.pc === failPc && !page.ok;
    const code = `<td class="code">${escapeHtml(insn.text)}</td>`;
    if (visits.length === 0) {
      rows.push(`<tr class="insn unreached${isFail ? ' fail' : ''}" id="${id}-i${insn.pc}"><td class="pc">${insn.pc}</td>${code}<td class="n">not reached</td></tr>`);
    } else {
      const paths = new Set(visits.map((x) => x.path.index)).size;
      const sid = `${id}-s${insn.pc}`;
      const count = visits.length === paths ? plural(paths, 'path') : `${plural(paths, 'path')}, ${plural(visits.length, 'visit')}`;
      rows.push(
        `<tr class="insn${isFail ? ' fail' : ''}" id="${id}-i${insn.pc}" data-states="${sid}"><td class="pc"><a href="#${sid}">${insn.pc}</a></td>${code}<td class="n">${count}</td></tr>`,
      );
      const src = insn.source === undefined ? '' : `<p class="src"><code>${sourceText(insn.source)}</code></p>`;
      const err = isFail && page.explanation !== undefined ? `<pre class="error">${escapeHtml(page.explanation.text)}</pre>` : '';
      const blocks = visits.map((x) => visitBlock(x.path, x.nth, x.of, x.visit)).join('\n');
      panels.push(
        `<section class="states${isFail ? ' shown' : ''}" id="${sid}"><h3>${insn.pc}: ${escapeHtml(insn.text)}</h3>${src}${err}<p class="help">state before the instruction runs, on ${count}</p>\n${blocks}</section>`,
      );
    }
    if (isFail) {
      const message = page.explanation?.error ?? fail?.message ?? 'rejected';
      rows.push(`<tr class="err"><td colspan="3">${escapeHtml(message)}</td></tr>`);
    }
  }
  const word = page.ok ? 'accepted' : 'rejected';
  const error = page.explanation === undefined ? '' : `<pre class="error">${escapeHtml(page.explanation.text)}</pre>`;
  const pathList = trace.paths
    .map((x) => `<li>path ${x.index}: ${escapeHtml(describePathStart(x))}, ${plural(x.visits.length, 'instruction')}; ends: ${escapeHtml(describePathEnd(x.end))}</li>`)
    .join('\n');
  const truncated = trace.truncated ? '<p class="help">The recording stopped after its visit limit: later instructions and paths are not shown.</p>' : '';
  const none = trace.paths.length === 0 ? '<p class="help">No instruction was processed: the program was rejected before the paths were walked.</p>' : '';
  return [
    `<section class="prog" id="${id}">`,
    `<h2>${escapeHtml(page.program)}: <span class="${word}">${escapeHtml(page.verdict)}</span></h2>`,
    error,
    none,
    truncated,
    `<div class="cols"><table class="insns"><tbody>`,
    ...rows,
    `</tbody></table><div class="panel"><p class="help">Hover over an instruction to see its states; click to pin it.</p>`,
    ...panels,
    `</div></div>`,
    `<h3>Paths, in the order the verifier walked them</h3><ol class="paths">${pathList}</ol>`,
    `</section>`,
  ].join('\n');
}

/** The page: one section per program, in the order given. */
export function renderStatesHtml(pages: readonly StatesPage[], options: StatesHtmlOptions): string {
  const title = `bpflab verifier states: ${options.title}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    '<p class="help">Each instruction shows, for every path of the verifier that reached it, the registers and the stack before the instruction ran, in the notation of the kernel\'s verifier log (<code>fp-8=mmmmmmmm</code>: one character per stack byte, <code>m</code> written, <code>0</code> zero, <code>?</code> never written). Grey instructions were never reached.</p>',
    ...pages.map((page, i) => programSection(page, i)),
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
