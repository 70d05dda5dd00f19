// explain(): every message of the catalog a student can meet gets its own
// explanation and hint (not the generic fallback), and the complexity
// limits are explained by where the failing instruction is: inside a loop
// (a back-edge around it in the control flow graph) the explanation names
// the loop's C line and hints at a constant bound or bpf_loop(); outside
// one, it speaks of branches and paths.
import { assembleLlvm, type Insn } from '@bpflab/isa';
import { explain, msg, SOCKET_FILTER, VerifierError, verify, type LineInfo, type MsgCode, type VerifyResult } from '../src/index';
import { findLoop } from '../src/explain';

const prog = (asm: string, lineInfo?: readonly (LineInfo | undefined)[]) => ({ insns: assembleLlvm(asm), license: 'GPL', ...(lineInfo ? { lineInfo } : {}) });
const STATS = { processed: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0, stackDepth: [0] };

/** A rejection with just this message, as verify() would return it. */
function rejected(code: MsgCode, message: string): VerifyResult {
  return { ok: false, errors: [new VerifierError(code, 0, message)], log: `${message}\n`, stats: STATS };
}

const FALLBACK = explain(rejected('unsupportedInsn', 'a message no rule knows'))!;

/** A sample value for a message parameter, by its name in the catalog. */
const SAMPLE: Readonly<Record<string, unknown>> = {
  t: 'map_value',
  func: 'bpf_lsm_file_open',
  name: 'bpf_skb_load_bytes',
  fn: 'bpf_map_lookup_elem',
  tname: 'int',
  kind: 'INT',
  member: 'f_flags',
  vo: '(0x0; 0xff)',
  what: 'At program exit',
  reg: 'R0',
  valueText: 'smin=7 smax=7',
  op: 'add',
  dir: 'write to',
  v: 5n,
  lo: 0n,
  hi: 1n,
  off: -520,
};
/** Parameter names of a catalog entry, from its source: `(r, t) => ...`. */
const paramsOf = (f: (...a: never[]) => string): string[] =>
  (/^\(([^)]*)\)/.exec(f.toString())?.[1] ?? '').split(',').map((p) => p.trim().split(/[:\s]/)[0] ?? '').filter((p) => p !== '');
/** Messages whose parameters need other values than the samples. */
const ARGS: Partial<Record<MsgCode, readonly unknown[]>> = {
  ptrPtrArith: [1, '+='],
  ptrBitwise: [1, '&='],
  ptrArithOp: [1, '*='],
  misalignedAccess: ['packet ', '(0x0; 0x0)', 0, 1, 4],
  referenceLeak: ['tail_call'],
  unsupportedInsn: ['ldimm64 insn specifies invalid btf_id 7.'],
};
/** Not errors: lines the verifier logs on the way. */
const NOT_ERRORS: ReadonlySet<MsgCode> = new Set<MsgCode>(['btfCtxArgInfo']);

describe('every message of the catalog is explained', () => {
  const codes = (Object.keys(msg) as MsgCode[]).filter((c) => !NOT_ERRORS.has(c));
  it.each(codes)('%s', (code) => {
    const make = msg[code] as (...a: unknown[]) => string;
    const message = make(...(ARGS[code] ?? paramsOf(make).map((p) => SAMPLE[p] ?? 3)));
    const e = explain(rejected(code, message))!;
    expect(e.error).toBe(message);
    expect(e.explanation).not.toBe(FALLBACK.explanation);
    expect(e.hint).not.toBe(FALLBACK.hint);
    expect(e.text).toContain(`why: ${e.explanation}`);
  });

  it('the fallback says what the kernel line is', () => {
    expect(FALLBACK.explanation).toMatch(/stopped at the first problem/);
    expect(FALLBACK.hint).toMatch(/Read the log backwards/);
  });

  it.each<[what: string, message: string, explains: RegExp]>([
    ['an out-of-frame stack write', msg.invalidStackRange('write to', 1, -520, 8), /outside the 512-byte stack frame/],
    ['an out-of-frame stack read', msg.invalidStackRange('read from', 1, -8, 16), /outside the 512-byte stack frame/],
    ['an uninitialised stack read', msg.invalidStackRange('read from', 2, -4, 4), /before the program has written it/],
    ['a Spectre refusal', msg.mixedSignedBounds(1), /Spectre/],
    ['the combined stack size', msg.combinedStackTooLarge(2, 544), /add up to 544 bytes.*at most 512/],
    ['a tail call from a subprogram', msg.tailCallStackTooLarge(288), /at most 256 bytes/],
    ['a for_each_map_elem callback on a wrong map', msg.callbackNotAllowedForMap(), /bpf_for_each_map_elem\(\) does not work on this map type/],
    ['a callback return value', msg.returnRange('At callback return', 'R0', 'smin=2 smax=2', 0n, 1n), /0 means go on, 1 means stop/],
    ['a helper not allowed in this program type', msg.helperNotAllowed('bpf_skb_load_bytes', 26), /bpf_skb_load_bytes\(\) exists, but programs of this type may not call it/],
    ['a helper this kernel does not have', msg.invalidFunc('unknown', 999), /Helper number 999 does not exist/],
  ])('%s gets the right explanation', (_what, message, explains) => {
    expect(explain(rejected('unsupportedInsn', message))!.explanation).toMatch(explains);
  });
});

describe('complexity limits: inside a loop or not', () => {
  // the bound is the packet length, unknown: the verifier walks the loop until too many branches are pending
  // (the exit side of each test is left pending, as clang lays out `for (;;) { i++; if (i >= n) break; }`)
  const unbounded = 'r6 = *(u32 *)(r1 + 0)\nr2 = 0\nl:\nr2 += 1\nif r2 >= r6 goto +1\ngoto l\nr0 = 0\nexit';
  const lines: (LineInfo | undefined)[] = [
    { line: 'int n = skb->len;', file: 'loop.c', lineNumber: 3 },
    { line: 'int i = 0;', file: 'loop.c', lineNumber: 4 },
    { line: '\ti++;', file: 'loop.c', lineNumber: 6 },
    { line: '\tif (i >= n) break;', file: 'loop.c', lineNumber: 7 },
    undefined,
    { line: 'return 0;', file: 'loop.c', lineNumber: 9 },
  ];

  it('too many pending jumps in a loop: the loop is named and a constant bound hinted', () => {
    const r = verify(prog(unbounded, lines), SOCKET_FILTER);
    expect(r.errors[0]?.message).toBe('The sequence of 8193 jumps is too complex.');
    const e = explain(r)!;
    expect(e.loop).toMatchObject({ header: 2, latch: 4, source: { lineNumber: 7 } });
    expect(e.explanation).toMatch(/^The failing instruction is inside the loop at loop\.c:7, `if \(i >= n\) break;`, and the verifier could not bound that loop\./);
    expect(e.hint).toMatch(/for \(i = 0; i < MAX && i < n; i\+\+\)/);
    expect(e.hint).toMatch(/bpf_loop\(/);
    expect(e.text).not.toMatch(/independent conditions/);
    // the failing instruction is the loop's own line: not repeated
    expect(e.text).not.toContain('in the loop at');
  });

  it('the instruction budget used up in a loop', () => {
    const r = verify(prog('r0 = 0\nl:\nr0 += 1\nif r0 < 100000 goto l\nr0 = 0\nexit'), SOCKET_FILTER, { insnLimit: 1000 });
    expect(r.errors[0]?.message).toBe('BPF program is too large. Processed 1001 insn');
    const e = explain(r)!;
    expect(e.loop).toMatchObject({ header: 1, latch: 2 });
    expect(e.explanation).toMatch(/inside the loop from insn 2 back to insn 1\. The verifier walks a loop one iteration at a time/);
    expect(e.hint).toMatch(/i < MAX && i < n/);
  });

  it('the instruction budget used up in straight-line code', () => {
    const r = verify(prog(`${'r0 = 0\n'.repeat(20)}exit`), SOCKET_FILTER, { insnLimit: 10 });
    expect(r.errors[0]?.message).toBe('BPF program is too large. Processed 11 insn');
    const e = explain(r)!;
    expect(e.loop).toBeUndefined();
    expect(e.explanation).toMatch(/the paths add up to more than its budget/);
  });

  it('too many pending jumps without a loop: branches, not loops', () => {
    // 8200 conditions in a row on an unknown value, each left pending
    const asm = `r6 = *(u32 *)(r1 + 0)\nr0 = 0\n${Array.from({ length: 8200 }, (_, i) => `if r6 == ${i} goto +1\nr0 += 1\n`).join('')}exit`;
    const r = verify(prog(asm), SOCKET_FILTER);
    expect(r.errors[0]?.message).toBe('The sequence of 8193 jumps is too complex.');
    const e = explain(r)!;
    expect(e.loop).toBeUndefined();
    expect(e.explanation).toMatch(/^Too many branches are pending at once/);
    expect(e.hint).toMatch(/fewer independent conditions/);
  });

  it('an infinite loop names its loop line when it differs from the failing line', () => {
    const r = verify(prog('r0 = 0\nl:\nr1 = 1\nif r0 == 0 goto l\nexit', [undefined, { line: 'x = 1;', file: 'l.c', lineNumber: 5 }, { line: 'while (!done)', file: 'l.c', lineNumber: 4 }]), SOCKET_FILTER);
    expect(r.errors[0]?.code).toBe('infiniteLoop');
    const e = explain(r)!;
    expect(e.text).toContain('\n  at l.c:5: x = 1;\n  in the loop at l.c:4: while (!done)\n');
  });
});

describe('findLoop', () => {
  /** the program by slot, as verify() reports it */
  const program = (asm: string) => {
    const insns = assembleLlvm(asm).flatMap((i): (Insn | undefined)[] => (i.kind === 'lddw' ? [i, undefined] : [i]));
    return { insns, lineInfo: insns.map(() => undefined) };
  };

  it('finds the innermost loop around an instruction', () => {
    // outer: 1..6, inner: 2..4
    const p = program('r1 = 0\nouter:\nr2 = 0\ninner:\nr2 += 1\nif r2 < 4 goto inner\nr1 += 1\nif r1 < 4 goto outer\nexit');
    expect(findLoop(p, 3)).toEqual({ header: 2, latch: 3 });
    expect(findLoop(p, 4)).toEqual({ header: 1, latch: 5 });
    expect(findLoop(p, 0)).toBeUndefined();
    expect(findLoop(p, 6)).toBeUndefined();
  });

  it('counts an lddw as two slots', () => {
    const p = program('l:\nr1 = 0x100000000 ll\nif r1 != 0 goto l\nexit');
    expect(findLoop(p, 2)).toEqual({ header: 0, latch: 2 });
  });
});

describe('return values out of range', () => {
  it.each([
    ['At program exit the register R0 has smin=1 smax=1 should have been in [-4095, 0]', /negative errno/],
    ['At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]', /Return 0 or 1/],
    ['At program exit the register R0 has smin=5 smax=5 should have been in [0, 0]', /must return 0/],
    ['At program exit the register R0 has smin=9 smax=9 should have been in [0, 4]', /XDP_PASS\/XDP_DROP/],
  ])('%s', (line, hint) => {
    expect(explain(rejected('returnRange', line))?.hint).toMatch(hint);
  });
});
