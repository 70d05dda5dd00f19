/**
 * Disassembler to LLVM's BPF assembly syntax, printing exactly what
 * `llvm-objdump -d` prints for an instruction:
 *
 * ```
 *       16:	2d 23 0c 00 00 00 00 00	if r3 > r2 goto +0xc <LBB0_5>
 *  ^ slot  ^ the instruction's bytes    ^ the text formatLlvmInsn gives
 * ```
 *
 * Two generations of llvm-objdump are imitated, checked against real output
 * (see tests/fixtures/objdump/): LLVM 19 prints immediates and offsets in hex
 * (`w0 += 0x1`, `goto -0x3`) and knows every instruction of cpu v4; LLVM 14
 * prints them in decimal (`w0 += 1`) and prints `<unknown>` for what it did
 * not know (mod, cpu v4 instructions, `BPF_ST` stores, `jset`). Both print a
 * fetching 32-bit atomic add as a plain `lock ... +=`, and `<unknown>` for the
 * other 32-bit atomics, unless `--mattr=+alu32` (option `alu32`) is given.
 */
import { decode, encode } from './codec';
import { assertNever, isReg, LDDW_PSEUDO, slotIndex, type Insn, type Operand, type Reg } from './insn';
import { isLockOp, LLVM_ALU_OPERATOR, LLVM_JUMP_OPERATOR, signedType, unsignedType } from './llvm-syntax';

/**
 * The llvm-objdump generations the disassembler imitates, each checked against
 * real output (14.0.6 and 19.1.7). Versions in between are not modelled: the
 * set of instructions they know and their default immediate style lie between
 * these two.
 */
export type LlvmVersion = 14 | 19;

/** How immediates and offsets are printed. */
export type LlvmImmediateStyle =
  /** as the chosen llvm-objdump does by default: hex for 19, decimal for 14 */
  | 'auto'
  /** `--print-imm-hex`: `-0x8`, `+0xc` */
  | 'hex'
  /** `--no-print-imm-hex`: `-8`, `+12` */
  | 'decimal';

/** Options of `formatLlvmInsn`, `disassembleLlvm` and `formatLlvmListing`. */
export interface LlvmDisasmOptions {
  /** Which llvm-objdump to imitate. Default 19. */
  readonly llvmVersion?: LlvmVersion;
  /** Immediate and offset style. Default `'auto'` (what that llvm-objdump prints without flags). */
  readonly immediates?: LlvmImmediateStyle;
  /**
   * Imitate `llvm-objdump --mattr=+alu32`: 8/16/32-bit loads, stores and atomics
   * name `w` registers, and 32-bit fetching atomics are shown as such.
   * Default false, as plain `llvm-objdump -d`.
   */
  readonly alu32?: boolean;
  /**
   * Symbol names by slot index (e.g. `0 → 'prog'`, `13 → 'LBB2_3'`). Jumps are
   * annotated with the nearest symbol at or before their target, as
   * llvm-objdump does with the object's symbol table: `goto -0x7 <LBB2_3>`,
   * `goto +0x1 <h+0x18>`. Default: none, so no annotation.
   */
  readonly labels?: ReadonlyMap<number, string>;
}

/** Defaults of `LlvmDisasmOptions`. */
export const DEFAULT_LLVM_DISASM_OPTIONS: Required<LlvmDisasmOptions> = Object.freeze({
  llvmVersion: 19,
  immediates: 'auto',
  alu32: false,
  labels: new Map<number, string>(),
});

/** What llvm-objdump prints for bytes it cannot decode. */
export const LLVM_UNKNOWN = '<unknown>';

/** Resolved options plus the sorted symbol table used for jump annotations. */
interface Style {
  readonly v19: boolean;
  readonly hex: boolean;
  readonly alu32: boolean;
  readonly symbols: readonly { readonly addr: bigint; readonly name: string }[];
}

const U64 = 1n << 64n;

function resolve(options: LlvmDisasmOptions | undefined): Style {
  const o = { ...DEFAULT_LLVM_DISASM_OPTIONS, ...options };
  const symbols = [...o.labels.entries()]
    .map(([slot, name]) => ({ addr: BigInt(slot) * 8n, name }))
    .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return {
    v19: o.llvmVersion === 19,
    hex: o.immediates === 'auto' ? o.llvmVersion === 19 : o.immediates === 'hex',
    alu32: o.alu32,
    symbols,
  };
}

/** A signed immediate as llvm-objdump prints it: `-0x5` / `-5`. */
function imm(s: Style, n: number | bigint): string {
  const v = BigInt(n);
  if (!s.hex) return v.toString();
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** A jump offset: always signed, `+0x0` / `-3`. */
function jumpOff(s: Style, n: number): string {
  return n < 0 ? imm(s, n) : `+${imm(s, n)}`;
}

/** A memory operand: `(r10 - 0x8)`, `(r1 + 0x0)`. */
function mem(s: Style, base: Reg, off: number): string {
  return off < 0 ? `(r${base} - ${imm(s, -off)})` : `(r${base} + ${imm(s, off)})`;
}

function reg(wide: boolean, r: Reg): string {
  return `${wide ? 'r' : 'w'}${r}`;
}

function operand(s: Style, wide: boolean, src: Operand): string {
  return isReg(src) ? reg(wide, src.reg) : imm(s, src.imm);
}

/** ` <LBB0_5>` or ` <prog+0x18>` for a jump to `target` (a slot, may be negative), or '' without symbols. */
function annotation(s: Style, target: number): string {
  if (s.symbols.length === 0) return '';
  const addr = (((BigInt(target) * 8n) % U64) + U64) % U64;
  let best: { readonly addr: bigint; readonly name: string } | undefined;
  for (const sym of s.symbols) {
    if (sym.addr <= addr) best = sym;
    else break;
  }
  if (best === undefined) return '';
  const delta = addr - best.addr;
  return delta === 0n ? ` <${best.name}>` : ` <${best.name}+0x${delta.toString(16)}>`;
}

function formatAtomic(s: Style, insn: Extract<Insn, { kind: 'atomic' }>): string {
  const { op, fetch, size, base, off, src } = insn;
  const at = mem(s, base, off);
  if (size === 4 && !s.alu32) {
    // Without alu32 llvm-objdump only knows the 32-bit add, and ignores its fetch bit.
    return op === 'add' ? `lock *(u32 *)${at} += r${src}` : LLVM_UNKNOWN;
  }
  const r = (n: Reg): string => reg(size === 8, n);
  const t = unsignedType(size);
  if (isLockOp(op)) {
    if (!fetch) return `lock *(${t} *)${at} ${LLVM_ALU_OPERATOR[op]} ${r(src)}`;
    return `${r(src)} = atomic_fetch_${op}((${t} *)${at}, ${r(src)})`;
  }
  const sfx = size === 8 ? '_64' : '32_32';
  const addr = at.slice(1, -1);
  if (op === 'xchg') return `${r(src)} = xchg${sfx}(${addr}, ${r(src)})`;
  return `${r(0)} = cmpxchg${sfx}(${addr}, ${r(0)}, ${r(src)})`;
}

function formatInsn(s: Style, insn: Insn, pc: number): string {
  switch (insn.kind) {
    case 'alu': {
      const { op, wide, dst, src } = insn;
      if (!s.v19 && (op === 'mod' || op === 'smod')) return LLVM_UNKNOWN;
      const sym = !s.v19 && op === 'sdiv' ? '/=' : LLVM_ALU_OPERATOR[op];
      return `${reg(wide, dst)} ${sym} ${operand(s, wide, src)}`;
    }
    case 'neg':
      return `${reg(insn.wide, insn.dst)} = -${reg(insn.wide, insn.dst)}`;
    case 'movsx':
      // LLVM 14 ignores the offset field and prints a plain move.
      return s.v19
        ? `${reg(insn.wide, insn.dst)} = (s${insn.bits})${reg(insn.wide, insn.src)}`
        : `${reg(insn.wide, insn.dst)} = ${reg(insn.wide, insn.src)}`;
    case 'endian':
      if (insn.order === 'swap') return s.v19 ? `r${insn.dst} = bswap${insn.bits} r${insn.dst}` : LLVM_UNKNOWN;
      return `r${insn.dst} = ${insn.order}${insn.bits} r${insn.dst}`;
    case 'load':
      if (insn.signed) {
        return s.v19 ? `r${insn.dst} = *(${signedType(insn.size)} *)${mem(s, insn.base, insn.off)}` : LLVM_UNKNOWN;
      }
      return `${reg(!s.alu32 || insn.size === 8, insn.dst)} = *(${unsignedType(insn.size)} *)${mem(s, insn.base, insn.off)}`;
    case 'store': {
      const target = `*(${unsignedType(insn.size)} *)${mem(s, insn.base, insn.off)}`;
      if (isReg(insn.src)) return `${target} = ${reg(!s.alu32 || insn.size === 8, insn.src.reg)}`;
      return s.v19 ? `${target} = ${imm(s, insn.src.imm)}` : LLVM_UNKNOWN;
    }
    case 'atomic':
      return formatAtomic(s, insn);
    case 'lddw': {
      if (insn.pseudo === 'imm64') return `r${insn.dst} = ${imm(s, BigInt.asIntN(64, insn.value))} ll`;
      // llvm-objdump shows the src field and the first imm only.
      const src = LDDW_PSEUDO.indexOf(insn.pseudo);
      return `ld_pseudo\tr${insn.dst}, ${imm(s, src)}, ${imm(s, BigInt.asUintN(32, insn.value))}`;
    }
    case 'ld_abs':
      return `r0 = *(${unsignedType(insn.size)} *)skb[${imm(s, insn.imm)}]`;
    case 'ld_ind':
      // llvm-objdump does not show the imm of BPF_IND loads.
      return `r0 = *(${unsignedType(insn.size)} *)skb[r${insn.src}]`;
    case 'jump': {
      const { op, wide, dst, src, off } = insn;
      if (!s.v19 && op === 'jset') return LLVM_UNKNOWN;
      const cond = `${reg(wide, dst)} ${LLVM_JUMP_OPERATOR[op]} ${operand(s, wide, src)}`;
      return `if ${cond} goto ${jumpOff(s, off)}${annotation(s, pc + 1 + off)}`;
    }
    case 'ja':
      if (insn.long && !s.v19) return LLVM_UNKNOWN;
      return `${insn.long ? 'gotol' : 'goto'} ${jumpOff(s, insn.off)}${annotation(s, pc + 1 + insn.off)}`;
    case 'call':
      return `call ${imm(s, insn.helper)}`;
    case 'call_local':
      return `call ${imm(s, insn.off)}`;
    case 'call_kfunc':
      return `call ${imm(s, insn.btfId)}`;
    case 'callx':
      // LLVM 14 read the register number from the (zero) imm field.
      return s.v19 ? `callx r${insn.reg}` : 'callx r0';
    case 'exit':
      return 'exit';
    default:
      return assertNever(insn, 'instruction');
  }
}

/**
 * The text llvm-objdump prints for one instruction at slot `pc` (the slot only
 * matters for the `<symbol>` annotation of jumps, see `labels`).
 *
 * @example formatLlvmInsn({ kind: 'alu', op: 'add', wide: false, dst: 0, src: { imm: 1 } }) // 'w0 += 0x1'
 */
export function formatLlvmInsn(insn: Insn, pc = 0, options?: LlvmDisasmOptions): string {
  return formatInsn(resolve(options), insn, pc);
}

function toInsns(code: readonly Insn[] | Uint8Array): readonly Insn[] {
  return code instanceof Uint8Array ? decode(code) : code;
}

/**
 * Disassembles a program (instructions, or bytes that are decoded first and
 * may throw `IsaError` code `bad-encoding`) to one line of LLVM syntax per
 * instruction; `lddw` is one line.
 */
export function disassembleLlvm(code: readonly Insn[] | Uint8Array, options?: LlvmDisasmOptions): string[] {
  const s = resolve(options);
  const insns = toInsns(code);
  const { pcs } = slotIndex(insns);
  return insns.map((insn, i) => formatInsn(s, insn, pcs[i] ?? 0));
}

/** One section of a listing: its name, its code and its symbols by slot. */
export interface LlvmListingSection {
  /** The ELF section name, e.g. `.text`, `xdp`, `tp/syscalls/sys_enter_execve`. */
  readonly name: string;
  /** The section's instructions, or its bytes (decoded; their exact bytes are shown). */
  readonly code: readonly Insn[] | Uint8Array;
  /** Symbols by slot index: printed as `0000000000000068 <LBB2_3>:` headers and used for jump annotations. */
  readonly labels?: ReadonlyMap<number, string>;
}

/** Options of `formatLlvmListing`. */
export interface LlvmListingOptions extends Omit<LlvmDisasmOptions, 'labels'> {
  /** The object file name of the `prog.o:\tfile format elf64-bpf` header; without it the header is left out. */
  readonly fileName?: string;
}

const hexByte = (b: number): string => b.toString(16).padStart(2, '0');

/**
 * A listing as `llvm-objdump -d` prints it: the file header (with
 * `fileName`), then per non-empty section `Disassembly of section <name>:`,
 * symbol headers, and one line per instruction: the slot number right-aligned
 * in 8 columns, a tab, the instruction's bytes (16 for `lddw`), a tab, the text.
 */
export function formatLlvmListing(sections: readonly LlvmListingSection[], options?: LlvmListingOptions): string {
  const out: string[] = [];
  if (options?.fileName !== undefined) out.push('', `${options.fileName}:\tfile format elf64-bpf`);
  for (const section of sections) {
    const bytes = section.code instanceof Uint8Array ? section.code : encode(section.code);
    if (bytes.length === 0) continue;
    const insns = toInsns(section.code);
    const labels = section.labels ?? new Map<number, string>();
    const s = resolve({ ...options, labels });
    const { pcs } = slotIndex(insns);
    out.push('', `Disassembly of section ${section.name}:`);
    insns.forEach((insn, i) => {
      const pc = pcs[i] ?? 0;
      const label = labels.get(pc);
      if (label !== undefined) out.push('', `${(pc * 8).toString(16).padStart(16, '0')} <${label}>:`);
      const width = insn.kind === 'lddw' ? 16 : 8;
      const hex = Array.from(bytes.subarray(pc * 8, pc * 8 + width), hexByte).join(' ');
      out.push(`${String(pc).padStart(8)}:\t${hex}\t${formatInsn(s, insn, pc)}`);
    });
  }
  return `${out.join('\n')}\n`;
}
