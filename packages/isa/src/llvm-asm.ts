/**
 * Assembler for LLVM's BPF assembly syntax: what `llvm-objdump -d` prints and
 * what students read and write.
 *
 * ```
 * # comments start with '#', ';' or '//'
 * prog:                               # a label names the next instruction's slot
 *     r0 = *(u32 *)(r1 + 4)
 *     if w0 s< 5 goto LBB0_2          # to a label, or relative: goto +3 / goto -1
 *     call 6                          # helper 6; `call sub` is a BPF-to-BPF call
 * LBB0_2:
 *     exit
 * ```
 *
 * Lines of an `llvm-objdump -d` listing are accepted as they are: the slot
 * number and bytes columns are skipped, `0000000000000068 <LBB2_3>:` headers
 * define labels, `<LBB2_3>` / `<prog+0x18>` jump annotations are checked
 * against the labels they name, and the file header and one
 * `Disassembly of section` line are skipped (a second section is an error:
 * assemble one section, that is one program, at a time).
 *
 * Immediates are decimal or `0x` hex with an optional sign. A 64-bit ALU
 * operation, a 64-bit compare and a 64-bit store take a signed 32-bit
 * immediate (the CPU sign-extends it: `r1 = 0xffffffff` would load -1, so it
 * is refused with a hint to write `r1 = 0xffffffff ll`); 32-bit ones also take
 * the unsigned spelling. Offsets are signed 16-bit (`gotol` and calls: 32).
 *
 * Every error is an `IsaError` with code `bad-asm`, `source` set, and a
 * `file:line:column: ` prefix.
 */
import { formatLocation, IsaError, type SourceLocation } from './errors';
import { assertNever, LDDW_PSEUDO, type AluOp, type AtomicOp, type Insn, type JumpOp, type Operand, type Reg, type Size } from './insn';
import { LLVM_ALU_OPERATOR, LLVM_JUMP_OPERATOR } from './llvm-syntax';

/** Options of `assembleLlvm`. */
export interface LlvmAsmOptions {
  /** File name used in error locations. Default `'<input>'`. */
  readonly file?: string;
}

/** An assembled program with its labels and the source line of each instruction. */
export interface LlvmAsmProgram {
  /** The instructions, jump and call offsets resolved. */
  readonly insns: readonly Insn[];
  /** Every label and the slot it names. */
  readonly labels: ReadonlyMap<string, number>;
  /** The first label of each labelled slot, ready for `LlvmDisasmOptions.labels`. */
  readonly labelsBySlot: ReadonlyMap<number, string>;
  /** Where each instruction was written (parallel to `insns`). */
  readonly sources: readonly SourceLocation[];
}

/* --------------------------------------------------------------- tables */

const ALU_BY_OPERATOR = new Map<string, AluOp>(
  (Object.entries(LLVM_ALU_OPERATOR) as [AluOp, string][]).map(([op, sym]) => [sym, op]),
);
/** Longest first, so `s>>=` is not read as `s` and `>>=`. */
const ALU_OPERATORS = [...ALU_BY_OPERATOR.keys()].sort((a, b) => b.length - a.length);

const JUMP_BY_OPERATOR = new Map<string, JumpOp>(
  (Object.entries(LLVM_JUMP_OPERATOR) as [JumpOp, string][]).map(([op, sym]) => [sym, op]),
);
const JUMP_OPERATORS = [...JUMP_BY_OPERATOR.keys()].sort((a, b) => b.length - a.length);

const LOCK_BY_OPERATOR = new Map<string, AtomicOp>([
  ['+=', 'add'],
  ['|=', 'or'],
  ['&=', 'and'],
  ['^=', 'xor'],
]);

const CAST_TYPES = new Map<string, { readonly size: Size; readonly signed: boolean }>([
  ['u8', { size: 1, signed: false }],
  ['u16', { size: 2, signed: false }],
  ['u32', { size: 4, signed: false }],
  ['u64', { size: 8, signed: false }],
  ['s8', { size: 1, signed: true }],
  ['s16', { size: 2, signed: true }],
  ['s32', { size: 4, signed: true }],
]);

/** A label definition: a name followed by ':'. */
const LABEL = /^[A-Za-z_.$][A-Za-z0-9_.$]*(?=\s*:)/;
const ENDIAN = /^(le|be|bswap)(16|32|64)$/;
const FETCH = /^atomic_fetch_(add|or|and|xor)$/;

const I16 = { min: -(2n ** 15n), max: 2n ** 15n - 1n };
const I32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
/** A 32-bit field that is read as unsigned or signed alike (32-bit ALU, JMP32, small stores). */
const ANY32 = { min: -(2n ** 31n), max: 2n ** 32n - 1n };
const ANY64 = { min: -(2n ** 63n), max: 2n ** 64n - 1n };

/* -------------------------------------------------------------- scanner */

interface Register {
  readonly n: Reg;
  readonly wide: boolean;
  readonly name: string;
  readonly col: number;
}

interface Num {
  readonly value: bigint;
  readonly text: string;
  readonly col: number;
}

/** A jump or call target before labels are resolved. */
type Target =
  | { readonly kind: 'rel'; readonly off: bigint; readonly col: number; readonly text: string }
  | { readonly kind: 'label'; readonly name: string; readonly col: number };

interface Annotation {
  readonly name: string;
  readonly delta: bigint;
  readonly col: number;
  readonly text: string;
}

/** An instruction whose jump/call target may still name a label. */
type Pending =
  | { readonly kind: 'done'; readonly insn: Insn }
  | {
      readonly kind: 'jump';
      readonly make: (off: number) => Insn;
      readonly target: Target;
      readonly bits: 16 | 32;
      readonly what: string;
      readonly annotation?: Annotation;
    }
  | { readonly kind: 'call'; readonly target: Target & { kind: 'label' } };

class Failure {
  constructor(
    readonly file: string | undefined,
    readonly line: number,
  ) {}

  at(col: number, message: string): never {
    const source: SourceLocation = { ...(this.file === undefined ? {} : { file: this.file }), line: this.line, column: col };
    throw new IsaError('bad-asm', `${formatLocation(source)}: ${message}`, undefined, source);
  }
}

/** A cursor over one line (comments already removed). Columns are 1-based. */
class Scanner {
  pos = 0;

  constructor(
    readonly text: string,
    readonly fail: Failure,
  ) {}

  get col(): number {
    return this.pos + 1;
  }

  ws(): void {
    while (this.pos < this.text.length && (this.text[this.pos] === ' ' || this.text[this.pos] === '\t')) this.pos++;
  }

  atEnd(): boolean {
    this.ws();
    return this.pos >= this.text.length;
  }

  /** The next word or symbol, for messages. */
  found(): string {
    this.ws();
    if (this.pos >= this.text.length) return 'the end of the line';
    const m = /^([A-Za-z0-9_.$]+|[^\sA-Za-z0-9_.$]+)/.exec(this.text.slice(this.pos));
    return `'${m?.[1] ?? this.text[this.pos]}'`;
  }

  expected(what: string): never {
    this.ws();
    return this.fail.at(this.col, `expected ${what}, found ${this.found()}`);
  }

  match(re: RegExp): { readonly text: string; readonly groups: RegExpExecArray; readonly col: number } | undefined {
    this.ws();
    const m = re.exec(this.text.slice(this.pos));
    if (m === null || m.index !== 0) return undefined;
    const col = this.col;
    this.pos += m[0].length;
    return { text: m[0], groups: m, col };
  }

  /** Consumes `lit` if it is next. */
  punct(lit: string): boolean {
    this.ws();
    if (!this.text.startsWith(lit, this.pos)) return false;
    this.pos += lit.length;
    return true;
  }

  expect(lit: string, what = `'${lit}'`): void {
    if (!this.punct(lit)) this.expected(what);
  }

  peekIdent(): string | undefined {
    this.ws();
    return /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(this.text.slice(this.pos))?.[0];
  }

  ident(): { readonly text: string; readonly col: number } | undefined {
    const m = this.match(/^[A-Za-z_.$][A-Za-z0-9_.$]*/);
    return m && { text: m.text, col: m.col };
  }

  /** `r0`..`r10` / `w0`..`w10`, or undefined when the next word is not register-shaped. */
  register(): Register | undefined {
    this.ws();
    const m = /^([rw])(\d+)(?![A-Za-z0-9_.$])/.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    const col = this.col;
    const n = Number(m[2]);
    if (n > 10) this.fail.at(col, `unknown register '${m[0]}': BPF has ${m[1]}0-${m[1]}10`);
    this.pos += m[0].length;
    return { n: n as Reg, wide: m[1] === 'r', name: m[0], col };
  }

  expectRegister(what = 'a register'): Register {
    const r = this.register();
    if (r === undefined) this.expected(what);
    return r;
  }

  /** A decimal or `0x` hex integer with an optional sign. */
  number(): Num | undefined {
    const m = this.match(/^([+-]?)\s*(0[xX][0-9a-fA-F]+|[0-9]+)(?![A-Za-z0-9_.$])/);
    if (m === undefined) return undefined;
    const mag = BigInt(m.groups[2] ?? '0');
    return { value: m.groups[1] === '-' ? -mag : mag, text: m.text.replace(/\s+/g, ''), col: m.col };
  }

  expectNumber(what = 'a number'): Num {
    const n = this.number();
    if (n === undefined) this.expected(what);
    return n;
  }
}

/* --------------------------------------------------------------- parser */

function fit(fail: Failure, n: Num, range: { readonly min: bigint; readonly max: bigint }, what: string, hint = ''): number {
  if (n.value < range.min || n.value > range.max) {
    fail.at(n.col, `${what} ${n.text} is out of range ${range.min}..${range.max}${hint}`);
  }
  return Number(BigInt.asIntN(32, n.value));
}

class LineParser {
  constructor(
    private readonly s: Scanner,
    private readonly fail: Failure,
  ) {}

  private sameWidth(a: Register, b: Register): void {
    if (a.wide !== b.wide) {
      this.fail.at(b.col, `'${b.name}' does not match '${a.name}': use ${a.wide ? 'r' : 'w'} registers on both sides (w for 32-bit)`);
    }
  }

  private wideOnly(r: Register, what: string): void {
    if (!r.wide) this.fail.at(r.col, `${what} takes 64-bit registers: write r${r.n}, not ${r.name}`);
  }

  private sameReg(a: Register, b: Register, what: string): void {
    if (a.n !== b.n || a.wide !== b.wide) this.fail.at(b.col, `${what} must name the same register on both sides: ${a.name}, found ${b.name}`);
  }

  /** `(u32 *)` after the opening '(' was consumed. */
  private castType(): { readonly size: Size; readonly signed: boolean; readonly name: string; readonly col: number } {
    const t = this.s.ident();
    const c = t && CAST_TYPES.get(t.text);
    if (t === undefined || c === undefined) {
      if (t !== undefined) this.fail.at(t.col, `unknown type '${t.text}': expected u8, u16, u32, u64, s8, s16 or s32`);
      return this.s.expected('a type such as u32');
    }
    this.s.expect('*', `'*' after '${t.text}'`);
    this.s.expect(')');
    return { ...c, name: t.text, col: t.col };
  }

  /** `r10 - 8` (no parentheses), as in `xchg_64(r10 - 8, r1)`. */
  private address(): { readonly base: Reg; readonly off: number } {
    const base = this.s.expectRegister('a base register');
    this.wideOnly(base, 'a memory address');
    this.s.ws();
    const col = this.s.col;
    let sign = 0n;
    if (this.s.punct('+')) sign = 1n;
    else if (this.s.punct('-')) sign = -1n;
    if (sign === 0n) return { base: base.n, off: 0 };
    const n = this.s.expectNumber('an offset');
    const value = sign * n.value;
    const off = fit(this.fail, { value, text: `${sign < 0n ? '-' : ''}${n.text}`, col }, I16, 'offset');
    return { base: base.n, off };
  }

  /** `(r10 - 8)` */
  private memory(): { readonly base: Reg; readonly off: number } {
    this.s.expect('(', `'(' before the address`);
    const a = this.address();
    this.s.expect(')', `')' after the address`);
    return a;
  }

  private target(): Target {
    const col = this.s.col;
    const n = this.s.number();
    if (n !== undefined) return { kind: 'rel', off: n.value, col: n.col, text: n.text };
    const name = this.s.ident();
    if (name !== undefined) return { kind: 'label', name: name.text, col: name.col };
    this.s.pos = col - 1;
    return this.s.expected('a jump target (a label, +N or -N)');
  }

  /** objdump's ` <LBB0_5>` / ` <prog+0x18>` after a jump target. */
  private annotation(): Annotation | undefined {
    const m = this.s.match(/^<([^<>+\s]+)(?:\+0x([0-9a-fA-F]+))?>/);
    if (m === undefined) return undefined;
    return { name: m.groups[1] ?? '', delta: BigInt(`0x${m.groups[2] ?? '0'}`), col: m.col, text: m.text };
  }

  private jump(make: (off: number) => Insn, bits: 16 | 32, what: string): Pending {
    const target = this.target();
    const annotation = this.annotation();
    if (target.kind === 'rel') {
      fit(this.fail, { value: target.off, text: target.text, col: target.col }, bits === 16 ? I16 : I32, `${what} offset`);
    }
    return { kind: 'jump', make, target, bits, what, ...(annotation === undefined ? {} : { annotation }) };
  }

  private conditional(): Pending {
    const dst = this.s.expectRegister('a register to compare');
    const opm = JUMP_OPERATORS.find((o) => this.s.punct(o));
    if (opm === undefined) return this.s.expected('a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)');
    const op = JUMP_BY_OPERATOR.get(opm) as JumpOp;
    let src: Operand;
    const r = this.s.register();
    if (r !== undefined) {
      this.sameWidth(dst, r);
      src = { reg: r.n };
    } else {
      const n = this.s.number();
      if (n === undefined) return this.s.expected('a register or a number to compare with');
      src = { imm: fit(this.fail, n, dst.wide ? I32 : ANY32, 'immediate', dst.wide ? ' (a signed 32-bit field)' : '') };
    }
    const g = this.s.ident();
    if (g?.text !== 'goto') {
      if (g !== undefined) this.s.pos = g.col - 1;
      return this.s.expected("'goto'");
    }
    const wide = dst.wide;
    return this.jump((off) => ({ kind: 'jump', op, wide, dst: dst.n, src, off }), 16, 'jump');
  }

  private store(): Insn {
    this.s.expect('(', `'(' before the type`);
    const t = this.castType();
    if (t.signed) this.fail.at(t.col, `stores take an unsigned type: write u${t.size * 8}, not ${t.name}`);
    const { base, off } = this.memory();
    this.s.expect('=', "'='");
    const r = this.s.register();
    if (r !== undefined) {
      if (t.size === 8) this.wideOnly(r, 'a 64-bit store');
      return { kind: 'store', size: t.size, base, off, src: { reg: r.n } };
    }
    const n = this.s.number();
    if (n === undefined) return this.s.expected('a register or a number to store');
    const imm = fit(this.fail, n, t.size === 8 ? I32 : ANY32, 'immediate', t.size === 8 ? ' (a signed 32-bit field)' : '');
    return { kind: 'store', size: t.size, base, off, src: { imm } };
  }

  private lock(): Insn {
    this.s.expect('*', "'*' after 'lock'");
    this.s.expect('(', `'(' before the type`);
    const t = this.castType();
    if (t.name !== 'u32' && t.name !== 'u64') this.fail.at(t.col, `atomic operations are u32 or u64, not ${t.name}`);
    const { base, off } = this.memory();
    const opm = [...LOCK_BY_OPERATOR.keys()].find((o) => this.s.punct(o));
    if (opm === undefined) return this.s.expected('an atomic operation (+=, |=, &=, ^=)');
    const src = this.s.expectRegister();
    if (t.size === 8) this.wideOnly(src, 'a 64-bit atomic operation');
    return { kind: 'atomic', op: LOCK_BY_OPERATOR.get(opm) as AtomicOp, fetch: false, size: t.size as 4 | 8, base, off, src: src.n };
  }

  private ldPseudo(): Insn {
    const dst = this.s.expectRegister();
    this.wideOnly(dst, 'ld_pseudo');
    this.s.expect(',');
    const srcNum = this.s.expectNumber('the pseudo source (0-6)');
    const pseudo = srcNum.value >= 0n && srcNum.value <= 6n ? LDDW_PSEUDO[Number(srcNum.value)] : undefined;
    if (pseudo === undefined) this.fail.at(srcNum.col, `pseudo source ${srcNum.text} is out of range 0..6 (BPF_PSEUDO_*)`);
    this.s.expect(',');
    const n = this.s.expectNumber('an immediate');
    const imm = fit(this.fail, n, ANY32, 'immediate');
    return { kind: 'lddw', dst: dst.n, pseudo, value: BigInt(imm >>> 0) };
  }

  /** After `rD =`: everything that assigns a register. */
  private assign(dst: Register): Pending {
    const s = this.s;
    // r1 = -r1 (neg) versus r1 = -5 (mov).
    const save = s.pos;
    if (s.punct('-')) {
      const r = s.register();
      if (r !== undefined) {
        this.sameReg(dst, r, 'negation');
        return { kind: 'done', insn: { kind: 'neg', wide: dst.wide, dst: dst.n } };
      }
      s.pos = save;
    }
    // r1 = (s8)r2
    if (s.punct('(')) {
      const t = s.ident();
      if (t === undefined || !/^s(8|16|32)$/.test(t.text)) {
        if (t !== undefined) s.pos = t.col - 1;
        return s.expected('a sign-extending cast (s8), (s16) or (s32)');
      }
      s.expect(')');
      const src = s.expectRegister();
      this.sameWidth(dst, src);
      const bits = Number(t.text.slice(1)) as 8 | 16 | 32;
      if (bits === 32 && !dst.wide) this.fail.at(t.col, '(s32) needs 64-bit registers: a 32-bit move already is 32 bits');
      return { kind: 'done', insn: { kind: 'movsx', wide: dst.wide, dst: dst.n, src: src.n, bits } };
    }
    // r0 = *(u32 *)(r1 + 4), r0 = *(u8 *)skb[12]
    if (s.punct('*')) {
      s.expect('(', `'(' before the type`);
      const t = this.castType();
      if (s.peekIdent() === 'skb') return { kind: 'done', insn: this.packetLoad(dst, t) };
      const { base, off } = this.memory();
      if (t.signed) this.wideOnly(dst, 'a sign-extending load');
      else if (t.size === 8) this.wideOnly(dst, 'a 64-bit load');
      return { kind: 'done', insn: { kind: 'load', size: t.size, signed: t.signed, dst: dst.n, base, off } };
    }
    const r = s.register();
    if (r !== undefined) {
      this.sameWidth(dst, r);
      return { kind: 'done', insn: { kind: 'alu', op: 'mov', wide: dst.wide, dst: dst.n, src: { reg: r.n } } };
    }
    const word = s.ident();
    if (word !== undefined) return { kind: 'done', insn: this.named(dst, word) };
    const n = s.number();
    if (n === undefined) return s.expected('a register, a number or an expression after =');
    const ll = s.peekIdent() === 'll';
    if (ll) {
      s.ident();
      this.wideOnly(dst, 'a 64-bit constant (ll)');
      if (n.value < ANY64.min || n.value > ANY64.max) this.fail.at(n.col, `constant ${n.text} does not fit in 64 bits`);
      return { kind: 'done', insn: { kind: 'lddw', dst: dst.n, pseudo: 'imm64', value: BigInt.asUintN(64, n.value) } };
    }
    const hint = dst.wide ? ` (a signed 32-bit field): write '${dst.name} = ${n.text} ll' for a 64-bit constant` : '';
    const imm = fit(this.fail, n, dst.wide ? I32 : ANY32, 'immediate', hint);
    return { kind: 'done', insn: { kind: 'alu', op: 'mov', wide: dst.wide, dst: dst.n, src: { imm } } };
  }

  private packetLoad(dst: Register, t: { readonly size: Size; readonly signed: boolean; readonly name: string; readonly col: number }): Insn {
    const s = this.s;
    s.ident();
    if (t.signed || t.size === 8) this.fail.at(t.col, `packet loads (skb[...]) are u8, u16 or u32, not ${t.name}`);
    if (dst.n !== 0 || !dst.wide) this.fail.at(dst.col, `packet loads (skb[...]) always write r0, not ${dst.name}`);
    const size = t.size as 1 | 2 | 4;
    s.expect('[', "'[' after skb");
    const r = s.register();
    let insn: Insn;
    if (r !== undefined) {
      this.wideOnly(r, 'a packet offset register');
      insn = { kind: 'ld_ind', size, src: r.n, imm: 0 };
    } else {
      const n = s.number();
      if (n === undefined) return s.expected('a register or a number inside skb[...]');
      insn = { kind: 'ld_abs', size, imm: fit(this.fail, n, ANY32, 'packet offset') };
    }
    s.expect(']', "']'");
    return insn;
  }

  /** `le16 r1`, `bswap64 r1`, `atomic_fetch_add(...)`, `xchg_64(...)`, `cmpxchg_64(...)`. */
  private named(dst: Register, word: { readonly text: string; readonly col: number }): Insn {
    const s = this.s;
    const endian = ENDIAN.exec(word.text);
    if (endian !== null) {
      const src = s.expectRegister();
      this.wideOnly(dst, 'a byte swap');
      this.sameReg(dst, src, 'a byte swap');
      const order = endian[1] === 'bswap' ? 'swap' : (endian[1] as 'le' | 'be');
      return { kind: 'endian', order, bits: Number(endian[2]) as 16 | 32 | 64, dst: dst.n };
    }
    const fetch = FETCH.exec(word.text);
    if (fetch !== null) {
      s.expect('(', `'(' after ${word.text}`);
      s.expect('(', `'(' before the type`);
      const t = this.castType();
      if (t.name !== 'u32' && t.name !== 'u64') this.fail.at(t.col, `atomic operations are u32 or u64, not ${t.name}`);
      const { base, off } = this.memory();
      s.expect(',');
      const src = s.expectRegister();
      s.expect(')');
      this.checkAtomicWidth(dst, t.size as 4 | 8, word.text);
      this.sameReg(dst, src, word.text);
      return { kind: 'atomic', op: fetch[1] as AtomicOp, fetch: true, size: t.size as 4 | 8, base, off, src: src.n };
    }
    const xchg = /^(xchg|cmpxchg)(_64|32_32)$/.exec(word.text);
    if (xchg !== null) {
      const size = xchg[2] === '_64' ? 8 : 4;
      this.checkAtomicWidth(dst, size, word.text);
      s.expect('(', `'(' after ${word.text}`);
      const { base, off } = this.address();
      s.expect(',');
      if (xchg[1] === 'xchg') {
        const src = s.expectRegister();
        s.expect(')');
        this.sameReg(dst, src, word.text);
        return { kind: 'atomic', op: 'xchg', fetch: true, size, base, off, src: src.n };
      }
      if (dst.n !== 0) this.fail.at(dst.col, `${word.text} always writes ${dst.wide ? 'r0' : 'w0'}, not ${dst.name}`);
      const old = s.expectRegister();
      this.sameReg(dst, old, `${word.text} (its expected value)`);
      s.expect(',');
      const src = s.expectRegister();
      this.sameWidth(dst, src);
      s.expect(')');
      return { kind: 'atomic', op: 'cmpxchg', fetch: true, size, base, off, src: src.n };
    }
    if (word.text === 'll') return this.fail.at(word.col, "'ll' must follow a number: r1 = 0x1234 ll");
    return this.fail.at(
      word.col,
      `unknown operand '${word.text}': symbols need a relocation, which this assembler does not make; write a number or a register`,
    );
  }

  private checkAtomicWidth(dst: Register, size: 4 | 8, what: string): void {
    if (size === 8) this.wideOnly(dst, what);
    else if (dst.wide) this.fail.at(dst.col, `${what} is 32-bit: write w${dst.n}, not ${dst.name}`);
  }

  /** One statement (after any labels and listing columns); the scanner must end up at the end of the line. */
  statement(): Pending {
    const s = this.s;
    let result: Pending;
    if (s.punct('*')) {
      result = { kind: 'done', insn: this.store() };
    } else if (s.text.startsWith('<unknown>', s.pos)) {
      return this.fail.at(s.col, "'<unknown>' is what llvm-objdump prints for bytes it cannot decode: write the instruction itself");
    } else {
      const dst = s.register();
      if (dst !== undefined) {
        const opm = ALU_OPERATORS.find((o) => s.punct(o));
        if (opm === undefined) return s.expected(`an assignment such as '=' or '+=' after ${dst.name}`);
        if (opm === '=') {
          result = this.assign(dst);
        } else {
          const op = ALU_BY_OPERATOR.get(opm) as AluOp;
          const r = s.register();
          let src: Operand;
          if (r !== undefined) {
            this.sameWidth(dst, r);
            src = { reg: r.n };
          } else {
            const n = s.number();
            if (n === undefined) return s.expected(`a register or a number after '${opm}'`);
            src = { imm: fit(this.fail, n, dst.wide ? I32 : ANY32, 'immediate', dst.wide ? ' (a signed 32-bit field)' : '') };
          }
          result = { kind: 'done', insn: { kind: 'alu', op, wide: dst.wide, dst: dst.n, src } };
        }
      } else {
        const word = s.ident();
        if (word === undefined) return s.expected('an instruction');
        result = this.keyword(word);
      }
    }
    if (!s.atEnd()) this.fail.at(s.col, `unexpected ${s.found()} after the instruction`);
    return result;
  }

  private keyword(word: { readonly text: string; readonly col: number }): Pending {
    const s = this.s;
    switch (word.text) {
      case 'if':
        return this.conditional();
      case 'goto':
        return this.jump((off) => ({ kind: 'ja', off, long: false }), 16, 'goto');
      case 'gotol':
        return this.jump((off) => ({ kind: 'ja', off, long: true }), 32, 'gotol');
      case 'call': {
        const n = s.number();
        if (n !== undefined) return { kind: 'done', insn: { kind: 'call', helper: fit(this.fail, n, ANY32, 'helper id') } };
        const name = s.ident();
        if (name === undefined) return s.expected('a helper id or a function label');
        return { kind: 'call', target: { kind: 'label', name: name.text, col: name.col } };
      }
      case 'callx': {
        const r = s.expectRegister();
        this.wideOnly(r, 'callx');
        return { kind: 'done', insn: { kind: 'callx', reg: r.n } };
      }
      case 'exit':
        return { kind: 'done', insn: { kind: 'exit' } };
      case 'lock':
        return { kind: 'done', insn: this.lock() };
      case 'ld_pseudo':
        return { kind: 'done', insn: this.ldPseudo() };
      default:
        if (word.text.startsWith('.')) {
          return this.fail.at(word.col, `directive '${word.text}' is not supported: write instructions and labels only`);
        }
        if (/^\s*%?r\d+\s*,/.test(s.text.slice(s.pos))) {
          return this.fail.at(
            word.col,
            `unknown instruction '${word.text}': this looks like the conformance syntax ('${word.text} %r0, ...'); LLVM syntax writes 'r0 = 1', 'r0 += r1', 'if r0 > 1 goto +2'`,
          );
        }
        return this.fail.at(word.col, `unknown instruction '${word.text}'`);
    }
  }
}

/* ------------------------------------------------------------ assembler */

/** Removes a `#`, `;` or `//` comment. */
function stripComment(line: string): string {
  const m = /#|;|\/\//.exec(line);
  return m === null ? line : line.slice(0, m.index);
}

interface Placed {
  readonly pending: Pending;
  readonly pc: number;
  readonly source: SourceLocation;
  readonly fail: Failure;
}

function resolveTarget(p: Placed, target: Target, labels: ReadonlyMap<string, number>): number {
  if (target.kind === 'rel') return p.pc + 1 + Number(target.off);
  const slot = labels.get(target.name);
  if (slot === undefined) return p.fail.at(target.col, `undefined label '${target.name}'`);
  return slot;
}

function finish(p: Placed, labels: ReadonlyMap<string, number>): Insn {
  const pend = p.pending;
  switch (pend.kind) {
    case 'done':
      return pend.insn;
    case 'call': {
      const slot = resolveTarget(p, pend.target, labels);
      return { kind: 'call_local', off: slot - (p.pc + 1) };
    }
    case 'jump': {
      const slot = resolveTarget(p, pend.target, labels);
      const off = slot - (p.pc + 1);
      const range = pend.bits === 16 ? I16 : I32;
      // (Relative targets were range-checked when parsed.)
      if (pend.target.kind === 'label' && (BigInt(off) < range.min || BigInt(off) > range.max)) {
        const hint = pend.bits === 16 ? ': use gotol for long jumps' : '';
        const where = `${pend.what} to '${pend.target.name}' is ${off} slots away`;
        p.fail.at(pend.target.col, `${where}, out of range ${range.min}..${range.max}${hint}`);
      }
      const a = pend.annotation;
      const named = a === undefined ? undefined : labels.get(a.name);
      if (a !== undefined && named !== undefined) {
        const want = BigInt.asUintN(64, BigInt(named) * 8n + a.delta);
        if (want !== BigInt.asUintN(64, BigInt(slot) * 8n)) {
          const where = want % 8n === 0n && want < 2n ** 63n ? `slot ${want / 8n}` : `byte 0x${want.toString(16)}`;
          p.fail.at(a.col, `${pend.what} lands on slot ${slot}, but its annotation ${a.text} points to ${where}`);
        }
      }
      return pend.make(off);
    }
    default:
      return assertNever(pend, 'pending instruction');
  }
}

/**
 * Assembles LLVM-syntax BPF assembly, returning the instructions, labels and
 * source locations. Throws `IsaError` (code `bad-asm`, `source` set) naming
 * `file:line:column` and what was expected.
 */
export function assembleLlvmProgram(text: string, options: LlvmAsmOptions = {}): LlvmAsmProgram {
  const placed: Placed[] = [];
  const labels = new Map<string, number>();
  const labelLines = new Map<string, number>();
  const labelsBySlot = new Map<number, string>();
  let pc = 0;
  let sectionName: string | undefined;
  const define = (fail: Failure, name: string, col: number, line: number): void => {
    const first = labelLines.get(name);
    if (first !== undefined) fail.at(col, `label '${name}' is already defined on line ${first}`);
    labels.set(name, pc);
    labelLines.set(name, line);
    if (!labelsBySlot.has(pc)) labelsBySlot.set(pc, name);
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const fail = new Failure(options.file, line);
    const s = new Scanner(stripComment(raw), fail);
    // llvm-objdump file and section headers: one section can be assembled at a time.
    if (s.match(/^\S+:\tfile format \S+\s*$/) !== undefined) return;
    const section = s.match(/^Disassembly of section (.+):\s*$/);
    if (section !== undefined) {
      const name = section.groups[1] ?? '';
      if (sectionName !== undefined || placed.length > 0) {
        const after = sectionName === undefined ? 'instructions' : `section '${sectionName}'`;
        fail.at(section.col, `section '${name}' starts here, after ${after}: assemble one section at a time`);
      }
      sectionName = name;
      return;
    }
    // llvm-objdump symbol header: 0000000000000068 <LBB2_3>:
    const header = s.match(/^[0-9a-fA-F]+ <([^<>]+)>:/);
    if (header !== undefined) {
      define(fail, header.groups[1] ?? '', header.col + header.text.indexOf('<') + 1, line);
      if (!s.atEnd()) fail.at(s.col, `unexpected ${s.found()} after the symbol header`);
      return;
    }
    // llvm-objdump instruction line: slot number and bytes columns.
    s.match(/^\d+:(?:[ \t]+[0-9a-fA-F]{2}(?=[ \t]|$))*/);
    for (let label = s.match(LABEL); label !== undefined; label = s.match(LABEL)) {
      if (/^[rw]\d+$/.test(label.text)) fail.at(label.col, `'${label.text}' is a register and cannot be a label`);
      s.expect(':');
      define(fail, label.text, label.col, line);
    }
    if (s.atEnd()) return;
    const source: SourceLocation = { ...(options.file === undefined ? {} : { file: options.file }), line, column: s.col };
    const pending = new LineParser(s, fail).statement();
    placed.push({ pending, pc, source, fail });
    pc += pending.kind === 'done' && pending.insn.kind === 'lddw' ? 2 : 1;
  });
  const insns = placed.map((p) => finish(p, labels));
  return { insns, labels, labelsBySlot, sources: placed.map((p) => p.source) };
}

/**
 * Assembles LLVM-syntax BPF assembly (see `assembleLlvmProgram`) to instructions.
 *
 * @example assembleLlvm('r0 = 0\nexit') // [{ kind: 'alu', op: 'mov', ... }, { kind: 'exit' }]
 */
export function assembleLlvm(text: string, options: LlvmAsmOptions = {}): Insn[] {
  return [...assembleLlvmProgram(text, options).insns];
}
