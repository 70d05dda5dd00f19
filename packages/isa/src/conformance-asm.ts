/**
 * Assembler for the syntax of the bpf_conformance suite's `.data` files.
 *
 * ```
 * # a comment                      labels and instructions, one per line
 * mov %r0, 1                       ALU64 (mov, add, ..., arsh, sdiv, smod)
 * add32 %r0, %r1                   ALU32: the same mnemonic with 32
 * neg %r0 / neg32 %r0
 * movsx832 %r0, %r1                sign-extending move: from 8/16/32 bits, into 32/64
 * be16 %r0 / le32 %r0              BPF_END to big/little endian (class ALU)
 * bswap64 %r0 (or swap64 %r0)      unconditional byte swap (class ALU64, RFC 9669 BSWAP)
 * ldxw %r0, [%r1+4]                loads; ldxsb/ldxsh/ldxsw sign-extend
 * stw [%r10-8], 7                  store immediate; stxdw [%r10-8], %r1 stores a register
 * lddw %r0, 0x1122334455667788     64-bit immediate (lddw %r1, map_fd 4 for a pseudo source)
 * lock fetch add32 [%r10-8], %r1   atomics: add/or/and/xor [with fetch], xchg, cmpxchg
 * jeq %r1, 0xb, L1                 conditional jumps to a label or +N/-N slots; jeq32 compares 32 bits
 * ja L1 / ja32 L1                  ja32 is gotol (offset in imm)
 * call 5 / call local f / call %r2 helper, BPF-to-BPF call, callx
 * exit
 * L1:                              a label (may also precede an instruction on its line)
 * ```
 *
 * Immediates: decimal must fit in a signed 32-bit value; hex may also be the
 * unsigned 32-bit pattern (`0xffffffff` is -1). `lddw` takes any 64-bit value.
 * Memory and jump offsets must fit in a signed 16-bit value (32 bits for `ja32`
 * and `call local`). The jump target `exit` names the first `exit` instruction
 * unless the program defines a label `exit:` itself (as the suite's own
 * assembler does).
 *
 * Beyond the suite, so that every `Insn` has a spelling: `ldabs{b,h,w} imm`,
 * `ldind{b,h,w} %rS, imm`, `call helper N`, `call runtime ID[, MODULE]` (kfunc),
 * and `lddw %rD, <pseudo> value` for `map_fd`, `map_value`, `btf_id`, `func`,
 * `map_idx`, `map_idx_value`.
 *
 * Errors are `IsaError` with code `bad-asm`, a `source` location, and a message
 * that starts with `file:line:column`. Two messages use the suite's own wording
 * (`Invalid register`, `Invalid number of operands for lock`) because the
 * suite's negative tests expect it.
 */
import { IsaError, formatLocation, type SourceLocation } from './errors';
import { LDDW_PSEUDO, type AluOp, type AtomicOp, type Insn, type JumpOp, type LddwPseudo, type Reg, type Size } from './insn';

/** Options of {@link assembleConformance}. */
export interface ConformanceAsmOptions {
  /** File name used in error messages (default: none, shown as `<input>`). */
  readonly file?: string;
  /**
   * Line number of the first line of `text` (default 1): for assembly cut out
   * of a larger file, such as the `-- asm` section of a `.data` file.
   */
  readonly firstLine?: number;
}

/** An assembled program with the source line of each instruction. */
export interface AssembledConformance {
  readonly insns: Insn[];
  /** `lines[i]` is the line (counted as `firstLine` says) of `insns[i]`. */
  readonly lines: readonly number[];
}

/* ------------------------------------------------------------------ lexer */

type TokenKind = 'word' | 'reg' | 'num' | 'punct';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the first character. */
  readonly col: number;
  /** 1-based column just past the last character. */
  readonly end: number;
}

/** One source line being assembled: where it is, for error messages. */
interface Line {
  readonly text: string;
  readonly lineNo: number;
  readonly file: string | undefined;
}

function fail(line: Line, column: number, message: string): never {
  const source: SourceLocation = { file: line.file, line: line.lineNo, column };
  throw new IsaError('bad-asm', `${formatLocation(source)}: ${message}`, undefined, source);
}

const WORD_START = /[A-Za-z_.]/;
const WORD_CHAR = /[A-Za-z0-9_.]/;
const PUNCT = new Set(['[', ']', '+', '-', ',', ':']);

function lex(line: Line): Token[] {
  const s = line.text;
  const out: Token[] = [];
  let i = 0;
  const take = (kind: TokenKind, start: number, re: RegExp): void => {
    let j = start;
    while (j < s.length && re.test(s[j]!)) j++;
    out.push({ kind, text: s.slice(i, j), col: i + 1, end: j + 1 });
    i = j;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '#') break;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (WORD_START.test(c)) {
      take('word', i + 1, WORD_CHAR);
    } else if (c === '%') {
      take('reg', i + 1, /[A-Za-z0-9_]/);
    } else if (c >= '0' && c <= '9') {
      take('num', i + 1, /[A-Za-z0-9_]/);
    } else if (PUNCT.has(c)) {
      out.push({ kind: 'punct', text: c, col: i + 1, end: i + 2 });
      i++;
    } else {
      fail(line, i + 1, `unexpected character '${c}'`);
    }
  }
  return out;
}

/* ---------------------------------------------------------------- numbers */

const TWO_15 = 1n << 15n;
const TWO_31 = 1n << 31n;
const TWO_63 = 1n << 63n;

interface ParsedNumber {
  readonly value: bigint;
  readonly hex: boolean;
  /** As written, sign included, for messages. */
  readonly text: string;
}

/** Parses `[-]digits` or `[-]0xhex` from a token group (sign token optional). */
function parseNumber(line: Line, group: readonly Token[], what: string): ParsedNumber {
  const first = group[0]!;
  let i = 0;
  let negative = false;
  if (first.kind === 'punct' && (first.text === '-' || first.text === '+') && group.length >= 2) {
    negative = first.text === '-';
    i = 1;
  }
  const tok = group[i];
  if (tok !== undefined && tok.kind === 'num' && group[i + 1] !== undefined) {
    fail(line, group[i + 1]!.col, `unexpected '${group[i + 1]!.text}' after '${tok.text}': separate operands with ','`);
  }
  if (tok === undefined || tok.kind !== 'num') fail(line, first.col, `expected ${what}, got '${textOf(line, group)}'`);
  const hex = /^0[xX][0-9a-fA-F]+$/.test(tok.text);
  if (!hex && !/^[0-9]+$/.test(tok.text)) fail(line, tok.col, `invalid number '${tok.text}'`);
  const magnitude = BigInt(tok.text);
  return { value: negative ? -magnitude : magnitude, hex, text: textOf(line, group) };
}

/**
 * A 32-bit immediate: decimal in [-2^31, 2^31-1]; hex also as the unsigned
 * pattern up to 0xffffffff. Returns the signed value the encoding holds.
 */
function imm32(line: Line, group: readonly Token[], what = 'an immediate'): number {
  const n = parseNumber(line, group, what);
  const ok = n.hex ? n.value >= -TWO_31 && n.value < 2n * TWO_31 : n.value >= -TWO_31 && n.value < TWO_31;
  if (!ok) {
    fail(
      line,
      group[0]!.col,
      `immediate ${n.text} does not fit in 32 bits: decimal must be -2147483648 to 2147483647, hex 0x0 to 0xffffffff`,
    );
  }
  return Number(BigInt.asIntN(32, n.value));
}

/** A 64-bit `lddw` immediate, signed or unsigned; returns the unsigned value. */
function imm64(line: Line, group: readonly Token[]): bigint {
  const n = parseNumber(line, group, 'a 64-bit immediate');
  if (n.value < -TWO_63 || n.value >= 2n * TWO_63) {
    fail(line, group[0]!.col, `immediate ${n.text} does not fit in 64 bits`);
  }
  return BigInt.asUintN(64, n.value);
}

/** A signed offset of the given width (no unsigned spelling: `+0xffff` is 65535, not -1). */
function signed(line: Line, group: readonly Token[], bits: 16 | 32, what: string): number {
  const n = parseNumber(line, group, what);
  const half = bits === 16 ? TWO_15 : TWO_31;
  if (n.value < -half || n.value >= half) {
    fail(line, group[0]!.col, `${what} ${n.text} does not fit in ${bits} bits (${-half} to ${half - 1n})`);
  }
  return Number(n.value);
}

/* --------------------------------------------------------------- operands */

function textOf(line: Line, group: readonly Token[]): string {
  if (group.length === 0) return '';
  return line.text.slice(group[0]!.col - 1, group[group.length - 1]!.end - 1);
}

const REG_NAME = /^%r(0|[1-9][0-9]*)$/;

function reg(line: Line, group: readonly Token[]): Reg {
  const tok = group[0]!;
  if (tok.kind === 'reg' && group.length > 1) {
    fail(line, group[1]!.col, `unexpected '${group[1]!.text}' after '${tok.text}': separate operands with ','`);
  }
  if (tok.kind === 'reg') {
    const m = REG_NAME.exec(tok.text);
    const n = m === null ? NaN : Number(m[1]);
    if (!(n >= 0 && n <= 10)) fail(line, tok.col, `Invalid register '${tok.text}': the registers are %r0 to %r10`);
    return n as Reg;
  }
  if (group.length === 1 && tok.kind === 'word' && /^r[0-9]+$/.test(tok.text)) {
    fail(line, tok.col, `Invalid register '${tok.text}': registers are written with a '%', as in %r1`);
  }
  return fail(line, tok.col, `expected a register like %r1, got '${textOf(line, group)}'`);
}

/** `[%rN]`, `[%rN+off]` or `[%rN-off]`. */
function mem(line: Line, group: readonly Token[]): { readonly base: Reg; readonly off: number } {
  const t = group[0]!;
  const usage = `expected a memory operand like [%r1+4], got '${textOf(line, group)}'`;
  if (t.kind !== 'punct' || t.text !== '[') fail(line, t.col, usage);
  const closeAt = group.findIndex((x) => x.kind === 'punct' && x.text === ']');
  if (closeAt < 0) fail(line, group[group.length - 1]!.end, `${usage}: missing ']'`);
  const after = group[closeAt + 1];
  if (after !== undefined) fail(line, after.col, `unexpected '${after.text}' after ']': separate operands with ','`);
  const inner = group.slice(1, -1);
  if (inner.length === 0) fail(line, t.col, usage);
  const base = reg(line, inner.slice(0, 1));
  if (inner.length === 1) return { base, off: 0 };
  const sign = inner[1]!;
  if (sign.kind !== 'punct' || (sign.text !== '+' && sign.text !== '-') || inner.length !== 3) {
    fail(line, sign.col, `${usage}: write the offset as +N or -N after the register`);
  }
  return { base, off: signed(line, inner.slice(1), 16, 'offset') };
}

/** A jump target: a label name, or a signed slot offset `+N`/`-N`. */
type Target = { readonly label: string; readonly tok: Token } | { readonly off: number };

function target(line: Line, group: readonly Token[], bits: 16 | 32): Target {
  const t = group[0]!;
  if (group.length === 1 && t.kind === 'word') return { label: t.text, tok: t };
  if (t.kind === 'punct' && (t.text === '+' || t.text === '-')) return { off: signed(line, group, bits, 'jump offset') };
  return fail(line, t.col, `expected a label or an offset like +2 or -3, got '${textOf(line, group)}'`);
}

/* ------------------------------------------------------------- statements */

/** One instruction line, split into its mnemonic words and comma-separated operands. */
interface Stmt {
  readonly line: Line;
  readonly mnemonic: Token;
  /** Words between the mnemonic and the first operand (`lock fetch add`, `call local`). */
  readonly words: readonly Token[];
  readonly operands: readonly (readonly Token[])[];
}

/** What a mnemonic handler produces; a label target is resolved after all lines are read. */
interface Built {
  readonly insn: Insn;
  /** Set only when `insn` is a `Targeted` instruction whose offset waits for a label. */
  readonly target?: { readonly label: string; readonly tok: Token; readonly bits: 16 | 32 };
}

interface Handler {
  /** How the instruction is written, for operand-count messages. */
  readonly usage: string;
  /** Number of comma-separated operands. */
  readonly operands: number;
  readonly build: (s: Stmt) => Built;
}

function operandCount(s: Stmt, h: Handler): void {
  const n = s.operands.length;
  if (n === h.operands) return;
  const m = s.mnemonic.text;
  const col = n > h.operands ? s.operands[h.operands]![0]!.col : s.mnemonic.col;
  fail(s.line, col, `'${m}' takes ${h.operands} operand${h.operands === 1 ? '' : 's'} (${h.usage}), got ${n}`);
}

const op = (s: Stmt, i: number): readonly Token[] => s.operands[i]!;

/** The instructions whose `off` is a jump or call distance. */
type Targeted = Extract<Insn, { readonly kind: 'jump' | 'ja' | 'call_local' }>;

/** Fills a jump-like instruction's offset from a target, or defers it to label resolution. */
function withTarget(insn: Targeted, t: Target, bits: 16 | 32): Built {
  if ('off' in t) return { insn: { ...insn, off: t.off } };
  return { insn, target: { label: t.label, tok: t.tok, bits } };
}

const ALU_OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
const JUMP_OPS: readonly JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const SIZE_SUFFIX: ReadonlyMap<Size, string> = new Map<Size, string>([
  [1, 'b'],
  [2, 'h'],
  [4, 'w'],
  [8, 'dw'],
]);
const ATOMIC_OPS: readonly AtomicOp[] = ['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'];
const PSEUDO_WORDS: ReadonlySet<string> = new Set(LDDW_PSEUDO.filter((p) => p !== 'imm64'));

function buildHandlers(): ReadonlyMap<string, Handler> {
  const h = new Map<string, Handler>();
  for (const aluOp of ALU_OPS) {
    for (const wide of [true, false]) {
      const name = wide ? aluOp : `${aluOp}32`;
      h.set(name, {
        usage: `${name} %rD, %rS or ${name} %rD, imm`,
        operands: 2,
        build: (s) => {
          const dst = reg(s.line, op(s, 0));
          const src = op(s, 1);
          return {
            insn: {
              kind: 'alu',
              op: aluOp,
              wide,
              dst,
              src: src[0]!.kind === 'reg' ? { reg: reg(s.line, src) } : { imm: imm32(s.line, src) },
            },
          };
        },
      });
    }
  }
  for (const wide of [true, false]) {
    const name = wide ? 'neg' : 'neg32';
    h.set(name, { usage: `${name} %rD`, operands: 1, build: (s) => ({ insn: { kind: 'neg', wide, dst: reg(s.line, op(s, 0)) } }) });
  }
  for (const [bits, wide] of [
    [8, false],
    [16, false],
    [8, true],
    [16, true],
    [32, true],
  ] as const) {
    const name = `movsx${bits}${wide ? 64 : 32}`;
    h.set(name, {
      usage: `${name} %rD, %rS`,
      operands: 2,
      build: (s) => ({ insn: { kind: 'movsx', wide, bits, dst: reg(s.line, op(s, 0)), src: reg(s.line, op(s, 1)) } }),
    });
  }
  for (const bits of [16, 32, 64] as const) {
    for (const [prefix, order] of [
      ['le', 'le'],
      ['be', 'be'],
      ['swap', 'swap'],
      ['bswap', 'swap'],
    ] as const) {
      const name = `${prefix}${bits}`;
      h.set(name, { usage: `${name} %rD`, operands: 1, build: (s) => ({ insn: { kind: 'endian', order, bits, dst: reg(s.line, op(s, 0)) } }) });
    }
  }
  for (const [size, suffix] of SIZE_SUFFIX) {
    for (const sign of size === 8 ? [false] : [false, true]) {
      const name = `ldx${sign ? 's' : ''}${suffix}`;
      h.set(name, {
        usage: `${name} %rD, [%rS+off]`,
        operands: 2,
        build: (s) => {
          const dst = reg(s.line, op(s, 0));
          const { base, off } = mem(s.line, op(s, 1));
          return { insn: { kind: 'load', size, signed: sign, dst, base, off } };
        },
      });
    }
    h.set(`st${suffix}`, {
      usage: `st${suffix} [%rD+off], imm`,
      operands: 2,
      build: (s) => {
        const { base, off } = mem(s.line, op(s, 0));
        return { insn: { kind: 'store', size, base, off, src: { imm: imm32(s.line, op(s, 1)) } } };
      },
    });
    h.set(`stx${suffix}`, {
      usage: `stx${suffix} [%rD+off], %rS`,
      operands: 2,
      build: (s) => {
        const { base, off } = mem(s.line, op(s, 0));
        return { insn: { kind: 'store', size, base, off, src: { reg: reg(s.line, op(s, 1)) } } };
      },
    });
    if (size === 8) continue;
    const legacy = size;
    h.set(`ldabs${suffix}`, {
      usage: `ldabs${suffix} imm`,
      operands: 1,
      build: (s) => ({ insn: { kind: 'ld_abs', size: legacy, imm: imm32(s.line, op(s, 0)) } }),
    });
    h.set(`ldind${suffix}`, {
      usage: `ldind${suffix} %rS, imm`,
      operands: 2,
      build: (s) => ({ insn: { kind: 'ld_ind', size: legacy, src: reg(s.line, op(s, 0)), imm: imm32(s.line, op(s, 1)) } }),
    });
  }
  h.set('lddw', {
    usage: 'lddw %rD, imm64',
    operands: 2,
    build: (s) => {
      const dst = reg(s.line, op(s, 0));
      const v = op(s, 1);
      const first = v[0]!;
      if (first.kind === 'word') {
        if (!PSEUDO_WORDS.has(first.text)) {
          fail(s.line, first.col, `unknown lddw source '${first.text}': expected a number or one of ${[...PSEUDO_WORDS].join(', ')}`);
        }
        if (v.length === 1) fail(s.line, first.end, `expected a value after '${first.text}'`);
        return { insn: { kind: 'lddw', dst, pseudo: first.text as LddwPseudo, value: imm64(s.line, v.slice(1)) } };
      }
      return { insn: { kind: 'lddw', dst, pseudo: 'imm64', value: imm64(s.line, v) } };
    },
  });
  for (const jop of JUMP_OPS) {
    for (const wide of [true, false]) {
      const name = wide ? jop : `${jop}32`;
      h.set(name, {
        usage: `${name} %rD, %rS|imm, label|+off`,
        operands: 3,
        build: (s) => {
          const dst = reg(s.line, op(s, 0));
          const srcG = op(s, 1);
          const src = srcG[0]!.kind === 'reg' ? { reg: reg(s.line, srcG) } : { imm: imm32(s.line, srcG) };
          return withTarget({ kind: 'jump', op: jop, wide, dst, src, off: 0 }, target(s.line, op(s, 2), 16), 16);
        },
      });
    }
  }
  for (const long of [false, true]) {
    const bits = long ? 32 : 16;
    const name = long ? 'ja32' : 'ja';
    h.set(name, {
      usage: `${name} label|+off`,
      operands: 1,
      build: (s) => withTarget({ kind: 'ja', long, off: 0 }, target(s.line, op(s, 0), bits), bits),
    });
  }
  h.set('exit', { usage: 'exit', operands: 0, build: () => ({ insn: { kind: 'exit' } }) });
  return h;
}

const HANDLERS = buildHandlers();
const CALL_USAGE = 'call N, call %rN, call local label, call helper N or call runtime N[, module]';
const LOCK_USAGE = "write 'lock [fetch] OP [%rD+off], %rS' where OP is add, or, and, xor, xchg or cmpxchg (OP32 for 32 bits)";

/** All mnemonics the assembler knows (for suggestions and tests). */
export const CONFORMANCE_MNEMONICS: readonly string[] = [...HANDLERS.keys(), 'call', 'lock'].sort();

function buildCall(s: Stmt): Built {
  const mode = s.words[0]?.text;
  const n = s.operands.length;
  const want = (count: number, usage: string): void => {
    if (n === count) return;
    const what = mode === undefined ? 'call' : `call ${mode}`;
    fail(s.line, (s.operands[count]?.[0] ?? s.mnemonic).col, `'${what}' takes ${count} operand (${usage}), got ${n}`);
  };
  if (mode === 'local') {
    want(1, 'call local label|+off');
    return withTarget({ kind: 'call_local', off: 0 }, target(s.line, op(s, 0), 32), 32);
  }
  if (mode === 'runtime') {
    if (n !== 1 && n !== 2) fail(s.line, s.mnemonic.col, `'call runtime' takes 1 or 2 operands (call runtime btf_id[, module]), got ${n}`);
    const btfId = imm32(s.line, op(s, 0), 'a BTF id');
    const module = n === 2 ? signed(s.line, op(s, 1), 16, 'module') : 0;
    return { insn: { kind: 'call_kfunc', btfId, module } };
  }
  if (n === 1 && s.operands[0]!.length === 1 && s.operands[0]![0]!.kind === 'word' && mode === undefined) {
    const t = s.operands[0]![0]!;
    fail(s.line, t.col, `expected a helper id or a register, got '${t.text}': to call a label write 'call local ${t.text}'`);
  }
  want(1, CALL_USAGE);
  const g = op(s, 0);
  if (g[0]!.kind === 'reg') return { insn: { kind: 'callx', reg: reg(s.line, g) } };
  return { insn: { kind: 'call', helper: imm32(s.line, g, 'a helper id') } };
}

function buildLock(s: Stmt): Built {
  const words = [...s.words];
  let fetch = false;
  if (words[0]?.text === 'fetch') {
    fetch = true;
    words.shift();
  }
  const opTok = words.shift();
  if (opTok === undefined) {
    const col = s.operands[0]?.[0]?.col ?? (s.words[s.words.length - 1] ?? s.mnemonic).end;
    if (s.operands.length === 0) fail(s.line, col, `Invalid number of operands for lock: ${LOCK_USAGE}`);
    fail(s.line, col, `expected an atomic operation after 'lock': ${LOCK_USAGE}`);
  }
  if (words.length > 0) fail(s.line, words[0]!.col, `unexpected '${words[0]!.text}' after 'lock ${opTok.text}'`);
  const m = /^([a-z]+?)(32)?$/.exec(opTok.text);
  const aop = ATOMIC_OPS.find((a) => a === m?.[1]);
  if (m === null || aop === undefined) {
    fail(s.line, opTok.col, `unknown atomic operation '${opTok.text}': expected add, or, and, xor, xchg or cmpxchg, optionally with 32`);
  }
  if (s.operands.length !== 2) {
    const form = `lock${fetch ? ' fetch' : ''} ${opTok.text} [%rD+off], %rS`;
    fail(s.line, (s.operands[2]?.[0] ?? opTok).col, `Invalid number of operands for lock: write '${form}'`);
  }
  const { base, off } = mem(s.line, op(s, 0));
  const src = reg(s.line, op(s, 1));
  // xchg and cmpxchg always fetch; a redundant `fetch` is accepted.
  const always = aop === 'xchg' || aop === 'cmpxchg';
  return { insn: { kind: 'atomic', op: aop, fetch: fetch || always, size: m[2] === '32' ? 4 : 8, base, off, src } };
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggest(word: string): string {
  const lower = word.toLowerCase();
  // Short words are near too many mnemonics: only one edit away counts for them.
  const limit = lower.length <= 4 ? 1 : 2;
  let best = limit + 1;
  let near: string[] = [];
  for (const m of CONFORMANCE_MNEMONICS) {
    const d = editDistance(lower, m);
    if (d > limit) continue;
    if (d < best) {
      best = d;
      near = [m];
    } else if (d === best) {
      near.push(m);
    }
  }
  if (near.length === 0) return '';
  const shown = near.slice(0, 4);
  const list = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]!}`;
  return `: did you mean ${list}?`;
}

const CALL_MODES: ReadonlySet<string> = new Set(['local', 'helper', 'runtime']);

/** Splits the tokens after the mnemonic into leading words and comma-separated operands. */
function statement(line: Line, mnemonic: Token, rest: readonly Token[]): Stmt {
  const words: Token[] = [];
  let i = 0;
  if (mnemonic.text === 'lock') {
    // `lock fetch add [%r10-8], %r1`: the words before the first operand.
    while (i < rest.length && rest[i]!.kind === 'word') words.push(rest[i++]!);
  } else if (mnemonic.text === 'call' && rest[0]?.kind === 'word' && CALL_MODES.has(rest[0].text)) {
    words.push(rest[i++]!);
  }
  const operands: Token[][] = [];
  let cur: Token[] = [];
  for (; i < rest.length; i++) {
    const t = rest[i]!;
    if (t.kind === 'punct' && t.text === ',') {
      if (cur.length === 0) fail(line, t.col, `missing operand before ','`);
      operands.push(cur);
      cur = [];
    } else {
      cur.push(t);
    }
  }
  if (cur.length > 0) operands.push(cur);
  else if (operands.length > 0) fail(line, rest[rest.length - 1]!.end, `missing operand after ','`);
  return { line, mnemonic, words, operands };
}

/**
 * Finds operands run together without a comma (`mov %r0 %r1`), before the
 * operand count is checked, so the message points at the missing comma.
 */
function checkSeparators(s: Stmt): void {
  for (const g of s.operands) {
    const first = g[0]!;
    let end: number;
    if (first.kind === 'punct' && first.text === '[') {
      end = g.findIndex((t) => t.kind === 'punct' && t.text === ']');
      if (end < 0) continue;
    } else if (first.kind === 'word' && s.mnemonic.text === 'lddw') {
      continue; // `lddw %r1, map_fd 4`: the lddw handler checks it
    } else {
      end = first.kind === 'punct' && (first.text === '+' || first.text === '-') ? 1 : 0;
    }
    const head = g[end];
    const next = g[end + 1];
    if (head !== undefined && next !== undefined && (head.kind !== 'punct' || head.text === ']')) {
      fail(s.line, next.col, `unexpected '${next.text}' after '${head.text}': separate operands with ','`);
    }
  }
}

function buildStmt(s: Stmt): Built {
  checkSeparators(s);
  const m = s.mnemonic.text;
  if (m === 'lock') return buildLock(s);
  if (m === 'call') return buildCall(s);
  const h = HANDLERS.get(m);
  if (h === undefined) return fail(s.line, s.mnemonic.col, `unknown mnemonic '${m}'${suggest(m)}`);
  if (s.words.length > 0) fail(s.line, s.words[0]!.col, `unexpected '${s.words[0]!.text}'`);
  operandCount(s, h);
  return h.build(s);
}

interface Pending {
  readonly built: Built;
  readonly line: Line;
  readonly pc: number;
}

/**
 * Assembles text in the bpf_conformance syntax, returning each instruction's
 * source line too. Throws `IsaError` (code `bad-asm`) on the first error.
 */
export function assembleConformanceWithLines(text: string, options: ConformanceAsmOptions = {}): AssembledConformance {
  const firstLine = options.firstLine ?? 1;
  const labels = new Map<string, { readonly pc: number; readonly line: number }>();
  let firstExit: number | undefined;
  const pending: Pending[] = [];
  let pc = 0;
  text.split('\n').forEach((raw, i) => {
    const line: Line = { text: raw, lineNo: firstLine + i, file: options.file };
    let tokens = lex(line);
    if (tokens.length >= 2 && tokens[1]!.kind === 'punct' && tokens[1]!.text === ':') {
      const name = tokens[0]!;
      if (name.kind !== 'word') fail(line, name.col, `invalid label name '${name.text}': a label starts with a letter or '_'`);
      const prev = labels.get(name.text);
      if (prev !== undefined) fail(line, name.col, `duplicate label '${name.text}': first defined at line ${prev.line}`);
      labels.set(name.text, { pc, line: line.lineNo });
      tokens = tokens.slice(2);
    }
    if (tokens.length === 0) return;
    const mnemonic = tokens[0]!;
    if (mnemonic.kind !== 'word') fail(line, mnemonic.col, `expected a mnemonic or a label, got '${mnemonic.text}'`);
    const built = buildStmt(statement(line, mnemonic, tokens.slice(1)));
    if (built.insn.kind === 'exit' && firstExit === undefined) firstExit = pc;
    pending.push({ built, line, pc });
    pc += built.insn.kind === 'lddw' ? 2 : 1;
  });
  const insns = pending.map(({ built, line, pc: at }): Insn => {
    const t = built.target;
    if (t === undefined) return built.insn;
    const dest = labels.get(t.label)?.pc ?? (t.label === 'exit' ? firstExit : undefined);
    if (dest === undefined) {
      const hint = t.label === 'exit' ? ': the program has no exit instruction' : '';
      fail(line, t.tok.col, `unknown label '${t.label}'${hint}`);
    }
    const off = dest - (at + 1);
    const half = t.bits === 16 ? 2 ** 15 : 2 ** 31;
    if (off < -half || off >= half) {
      fail(line, t.tok.col, `label '${t.label}' is ${off} slots away: does not fit in ${t.bits} bits (${-half} to ${half - 1})`);
    }
    return { ...(built.insn as Targeted), off };
  });
  return { insns, lines: pending.map((p) => p.line.lineNo) };
}

/**
 * Assembles text in the bpf_conformance suite's syntax (see the module
 * comment for the full syntax). Jump and call offsets come out relative, in
 * slots, as `Insn` keeps them.
 *
 * @throws IsaError with code `bad-asm`, a `source` location and a message that
 * starts with `file:line:column`, on the first error.
 */
export function assembleConformance(text: string, options: ConformanceAsmOptions = {}): Insn[] {
  return assembleConformanceWithLines(text, options).insns;
}
