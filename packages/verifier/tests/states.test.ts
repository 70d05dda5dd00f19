// The state dump (`recordStates`): the state before each processed
// instruction, per path, how each path ended; its text form; and the HTML
// page (structure, coverage, escaping of everything that comes from the
// program).
import { assembleLlvm } from '@bpflab/isa';
import {
  escapeHtml,
  explain,
  formatStateTrace,
  renderStatesHtml,
  SOCKET_FILTER,
  verify,
  type StateTrace,
  type VerifyProgram,
  type VerifyResult,
} from '../src/index';
import { StateRecorder } from '../src/states/record';
import { initialState } from '../src/pipeline/explore';

const HASH = { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 };
const LOOKUP = 'r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nld_pseudo r1, 1, 0\ncall 1\n';
const CHECKED = `${LOOKUP}if r0 == 0 goto +2\nr1 = *(u64 *)(r0 + 0)\nr0 = 0\nr0 = 0\nexit`;
const UNCHECKED = `${LOOKUP}r1 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`;

const run = (asm: string, lineInfo?: VerifyProgram['lineInfo']): VerifyResult =>
  verify({ insns: assembleLlvm(asm), license: 'GPL', ...(lineInfo === undefined ? {} : { lineInfo }) }, SOCKET_FILTER, { maps: [HASH], recordStates: true });

const states = (r: VerifyResult): StateTrace => {
  if (r.states === undefined) throw new Error('no states recorded');
  return r.states;
};

describe('recording', () => {
  it('records nothing unless asked', () => {
    expect(verify({ insns: assembleLlvm(CHECKED), license: 'GPL' }, SOCKET_FILTER, { maps: [HASH] }).states).toBeUndefined();
  });

  it('gives the state before each instruction, and every path with how it ended', () => {
    const r = run(CHECKED);
    const t = states(r);
    expect(r.ok).toBe(true);
    expect(t.insns.map((i) => i.pc)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(t.insns[4]).toMatchObject({ pc: 4, text: '(18) r1 = 0xffff888100001000' });
    expect(t.paths.map((p) => [p.index, p.from, p.start, p.visits.map((v) => v.pc), p.end])).toEqual([
      [1, undefined, 0, [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11], { kind: 'exit', pc: 11 }],
      [2, 7, 10, [], { kind: 'pruned', pc: 10 }],
    ]);
    const [first, , , , , , lookup, deref] = t.paths[0]!.visits;
    expect(first).toEqual({ pc: 0, frame: 0, regs: [{ name: 'R1', value: 'ctx()' }, { name: 'R10', value: 'fp0' }], stack: [], refs: [] });
    expect(lookup!.regs).toContainEqual({ name: 'R0', value: 'map_value_or_null(id=1,ks=4,vs=8)' });
    expect(lookup!.stack).toEqual([{ name: 'fp-8', value: '0' }]);
    // after the jump, on the fall-through path, R0 is known non-NULL
    expect(deref!.regs).toContainEqual({ name: 'R0', value: 'map_value(ks=4,vs=8)' });
    // every processed instruction is a visit or a pruned path end
    expect(t.paths.flatMap((p) => p.visits).length + t.paths.filter((p) => p.end.kind === 'pruned').length).toBe(r.stats.processed);
  });

  it('ends the walked path at the rejected instruction', () => {
    const t = states(run(UNCHECKED));
    expect(t.paths).toHaveLength(1);
    expect(t.paths[0]!.end).toEqual({ kind: 'rejected', pc: 7, message: "R0 invalid mem access 'map_value_or_null'" });
    expect(t.paths[0]!.visits.at(-1)!.pc).toBe(7);
  });

  it('has no paths when the program is refused before exploration', () => {
    const t = states(run('r0 = 0\nexit\nr0 = 1\nexit'));
    expect(t.paths).toEqual([]);
    expect(formatStateTrace(t)).toContain('no instruction was processed: the program was rejected before the paths were walked\n');
  });

  it('stops at its visit limit and says so', () => {
    const insns = assembleLlvm('r0 = 0\nexit');
    const rec = new StateRecorder(insns, [], () => 0n, 3);
    const st = initialState();
    for (let i = 0; i < 5; i++) rec.insn(0, st);
    rec.branch(0, 1);
    const t = rec.finish([]);
    expect(t.truncated).toBe(true);
    expect(t.paths).toHaveLength(1);
    expect(t.paths[0]!.visits).toHaveLength(3);
    expect(t.paths[0]!.end).toEqual({ kind: 'truncated' });
    expect(formatStateTrace(t)).toMatch(/, truncated\) ---\n$/);
  });
});

describe('text', () => {
  it('prints one block per path, the C line when it changes, each instruction with its state', () => {
    const lineInfo = assembleLlvm(UNCHECKED).map((_, i) => (i === 0 ? { line: '__u32 key = 0;', file: 'p.c', lineNumber: 3 } : i === 6 ? { line: '  *v += 1;', file: 'p.c', lineNumber: 5 } : undefined));
    const text = formatStateTrace(states(run(UNCHECKED, lineInfo)));
    expect(text.split('\n').slice(0, 6)).toEqual([
      '--- states: registers and stack when the verifier reached each instruction, path by path ---',
      'path 1: from the start',
      '  ; __u32 key = 0;',
      '  0: (b7) r1 = 0',
      '      R1=ctx() R10=fp0',
      '  1: (7b) *(u64 *)(r10 -8) = r1',
    ]);
    expect(text).toContain('  ; *v += 1;\n  7: (79) r1 = *(u64 *)(r0 +0)\n      R0=map_value_or_null(id=1,ks=4,vs=8) R10=fp0 fp-8=0\n');
    expect(text).toContain("  path ends: rejected at 7: R0 invalid mem access 'map_value_or_null'\n");
    expect(text).toMatch(/--- end of states \(1 path, 7 instruction visits\) ---\n$/);
  });
});

/** Elements opened and closed in order, outside script and style. */
function tagsBalanced(html: string): boolean {
  const VOID = new Set(['meta', '!doctype']);
  const stack: string[] = [];
  const body = html.replace(/<script>[\s\S]*?<\/script>|<style>[\s\S]*?<\/style>/g, '');
  for (const m of body.matchAll(/<(\/?)([!a-zA-Z][\w-]*)[^>]*>/g)) {
    const tag = m[2]!.toLowerCase();
    if (VOID.has(tag)) continue;
    if (m[1] === '') stack.push(tag);
    else if (stack.pop() !== tag) return false;
  }
  return stack.length === 0;
}

describe('HTML', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`a < b && c > "d" 'e'`, 'a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;'],
  ])('escapes %s', (have, want) => {
    expect(escapeHtml(have)).toBe(want);
  });

  it('escapes program names, C lines, instructions and messages; rows and panels for every processed instruction', () => {
    const evil = '<img src=x onerror=alert(1)> if (a < b && c > 0)';
    const lineInfo = assembleLlvm(UNCHECKED).map((_, i) => (i === 6 ? { line: evil, file: 'x"<y>.c', lineNumber: 9 } : undefined));
    const r = run(UNCHECKED, lineInfo);
    const html = renderStatesHtml([{ program: '<b>prog</b>', verdict: 'rejected', ok: false, trace: states(r), explanation: explain(r)! }], { title: 'a&b.o' });
    expect(tagsBalanced(html)).toBe(true);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>prog');
    expect(html).toContain('&lt;b&gt;prog&lt;/b&gt;');
    expect(html).toContain('<title>bpflab verifier states: a&amp;b.o</title>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; if (a &lt; b &amp;&amp; c &gt; 0)');
    expect(html).toContain('x&quot;&lt;y&gt;.c:9:');
    expect(html).toContain('<td class="code">(7b) *(u64 *)(r10 -8) = r1</td>');
    for (const pc of [0, 1, 2, 3, 4, 6]) expect(html).toContain(`<tr class="insn" id="p0-i${pc}" data-states="p0-s${pc}">`);
    expect(html).toContain('<tr class="insn fail" id="p0-i7" data-states="p0-s7">');
    expect(html).toContain('<tr class="insn unreached" id="p0-i8">');
    expect(html).toContain('<section class="states shown" id="p0-s7">');
    expect(html).toContain('<tr class="err"><td colspan="3">R0 invalid mem access &#39;map_value_or_null&#39;</td></tr>');
    expect(html.match(/<section class="states/g)).toHaveLength(7);
  });
});
