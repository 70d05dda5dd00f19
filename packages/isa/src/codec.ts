/**
 * Encoder and decoder between `Insn` values and the RFC 9669 byte encoding.
 *
 * ```
 *  byte 0     byte 1          bytes 2-3          bytes 4-7
 * +--------+--------+-------+------------------+----------------------------------+
 * | opcode | src:4  | dst:4 |  offset (s16 LE) |          imm (s32 LE)            |
 * +--------+--------+-------+------------------+----------------------------------+
 * ```
 * `lddw` is followed by a second slot whose opcode, registers and offset are
 * zero and whose imm holds the upper 32 bits.
 *
 * The decoder is strict: fields RFC 9669 says must be zero are checked, and a
 * violation is an `IsaError` naming the byte offset.
 */
import { IsaError } from './errors';
import { ALU_OP, ATOMIC_IMM, CALL_SRC, CLASS, JMP_OP, MODE, OPCODE_LDDW, SIZE_BITS, SRC } from './opcodes';
import {
  assertNever,
  isReg,
  LDDW_PSEUDO,
  type AluOp,
  type AtomicOp,
  type Insn,
  type JumpOp,
  type Reg,
  type Size,
} from './insn';

/** The raw fields of one 8-byte slot (the private wire layer). */
interface RawInsn {
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

const ALU_BY_CODE = new Map<number, AluOp>([
  [ALU_OP.add, 'add'],
  [ALU_OP.sub, 'sub'],
  [ALU_OP.mul, 'mul'],
  [ALU_OP.div, 'div'],
  [ALU_OP.or, 'or'],
  [ALU_OP.and, 'and'],
  [ALU_OP.lsh, 'lsh'],
  [ALU_OP.rsh, 'rsh'],
  [ALU_OP.mod, 'mod'],
  [ALU_OP.xor, 'xor'],
  [ALU_OP.mov, 'mov'],
  [ALU_OP.arsh, 'arsh'],
]);

const JUMP_BY_CODE = new Map<number, JumpOp>([
  [JMP_OP.jeq, 'jeq'],
  [JMP_OP.jgt, 'jgt'],
  [JMP_OP.jge, 'jge'],
  [JMP_OP.jset, 'jset'],
  [JMP_OP.jne, 'jne'],
  [JMP_OP.jsgt, 'jsgt'],
  [JMP_OP.jsge, 'jsge'],
  [JMP_OP.jlt, 'jlt'],
  [JMP_OP.jle, 'jle'],
  [JMP_OP.jslt, 'jslt'],
  [JMP_OP.jsle, 'jsle'],
]);

const SIZE_BY_BITS = new Map<number, Size>([
  [0x10, 1],
  [0x08, 2],
  [0x00, 4],
  [0x18, 8],
]);

const ATOMIC_BY_IMM = new Map<number, { op: AtomicOp; fetch: boolean }>([
  [ATOMIC_IMM.add, { op: 'add', fetch: false }],
  [ATOMIC_IMM.or, { op: 'or', fetch: false }],
  [ATOMIC_IMM.and, { op: 'and', fetch: false }],
  [ATOMIC_IMM.xor, { op: 'xor', fetch: false }],
  [ATOMIC_IMM.add | ATOMIC_IMM.FETCH, { op: 'add', fetch: true }],
  [ATOMIC_IMM.or | ATOMIC_IMM.FETCH, { op: 'or', fetch: true }],
  [ATOMIC_IMM.and | ATOMIC_IMM.FETCH, { op: 'and', fetch: true }],
  [ATOMIC_IMM.xor | ATOMIC_IMM.FETCH, { op: 'xor', fetch: true }],
  [ATOMIC_IMM.xchg, { op: 'xchg', fetch: true }],
  [ATOMIC_IMM.cmpxchg, { op: 'cmpxchg', fetch: true }],
]);

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/* ------------------------------------------------------------------ decode */

function readRaw(view: DataView, at: number): RawInsn {
  const regs = view.getUint8(at + 1);
  return {
    opcode: view.getUint8(at),
    dst: regs & 0x0f,
    src: regs >> 4,
    off: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
  };
}

class Decoder {
  constructor(
    private readonly raw: RawInsn,
    private readonly at: number,
  ) {}

  fail(what: string): never {
    throw new IsaError(
      'bad-encoding',
      `invalid instruction at byte offset ${this.at} (opcode ${hex2(this.raw.opcode)}): ${what}`,
      this.at,
    );
  }

  reg(field: 'dst' | 'src'): Reg {
    const n = this.raw[field];
    if (n > 10) this.fail(`${field} register r${n} does not exist (r0-r10)`);
    return n as Reg;
  }

  zero(field: 'dst' | 'src' | 'off' | 'imm'): void {
    if (this.raw[field] !== 0) this.fail(`reserved ${field} field must be zero, is ${this.raw[field]}`);
  }
}

function decodeAlu(d: Decoder, r: RawInsn, wide: boolean): Insn {
  const code = r.opcode & 0xf0;
  const x = (r.opcode & SRC.X) !== 0;
  const dst = d.reg('dst');
  if (code === ALU_OP.neg) {
    if (x) d.fail('neg takes no source operand (BPF_X set)');
    d.zero('src');
    d.zero('off');
    d.zero('imm');
    return { kind: 'neg', wide, dst };
  }
  if (code === ALU_OP.end) {
    d.zero('src');
    d.zero('off');
    if (r.imm !== 16 && r.imm !== 32 && r.imm !== 64) d.fail(`byte swap width must be 16, 32 or 64, is ${r.imm}`);
    const bits = r.imm as 16 | 32 | 64;
    if (wide) {
      if (x) d.fail('bswap (ALU64 | END) must have the source bit clear');
      return { kind: 'endian', order: 'swap', bits, dst };
    }
    return { kind: 'endian', order: x ? 'be' : 'le', bits, dst };
  }
  const base = ALU_BY_CODE.get(code);
  if (base === undefined) d.fail('unknown ALU operation');
  let op: AluOp = base;
  if (base === 'div' || base === 'mod') {
    if (r.off === 1) op = base === 'div' ? 'sdiv' : 'smod';
    else d.zero('off');
  } else if (base === 'mov' && x && r.off !== 0) {
    const bits = r.off;
    if (!(bits === 8 || bits === 16 || (bits === 32 && wide))) {
      d.fail(`movsx offset must be ${wide ? '8, 16 or 32' : '8 or 16'}, is ${bits}`);
    }
    d.zero('imm');
    return { kind: 'movsx', wide, dst, src: d.reg('src'), bits: bits as 8 | 16 | 32 };
  } else {
    d.zero('off');
  }
  if (x) {
    d.zero('imm');
    return { kind: 'alu', op, wide, dst, src: { reg: d.reg('src') } };
  }
  d.zero('src');
  return { kind: 'alu', op, wide, dst, src: { imm: r.imm } };
}

function decodeJump(d: Decoder, r: RawInsn, wide: boolean): Insn {
  const code = r.opcode & 0xf0;
  const x = (r.opcode & SRC.X) !== 0;
  switch (code) {
    case JMP_OP.ja:
      if (x) d.fail('ja must have the source bit clear');
      d.zero('dst');
      d.zero('src');
      if (wide) {
        d.zero('imm');
        return { kind: 'ja', off: r.off, long: false };
      }
      d.zero('off');
      return { kind: 'ja', off: r.imm, long: true };
    case JMP_OP.call:
      if (!wide) d.fail('call is only defined in the JMP class');
      if (x) {
        // callx: the register holding the helper id is in dst.
        d.zero('src');
        d.zero('off');
        d.zero('imm');
        return { kind: 'callx', reg: d.reg('dst') };
      }
      d.zero('dst');
      if (r.src === CALL_SRC.kfunc) return { kind: 'call_kfunc', btfId: r.imm, module: r.off };
      d.zero('off');
      if (r.src === CALL_SRC.helper) return { kind: 'call', helper: r.imm };
      if (r.src === CALL_SRC.local) return { kind: 'call_local', off: r.imm };
      return d.fail(`call src must be 0 (helper), 1 (local) or 2 (kfunc), is ${r.src}`);
    case JMP_OP.exit:
      if (!wide) d.fail('exit is only defined in the JMP class');
      if (x) d.fail('exit must have the source bit clear');
      d.zero('dst');
      d.zero('src');
      d.zero('off');
      d.zero('imm');
      return { kind: 'exit' };
    default: {
      const op = JUMP_BY_CODE.get(code);
      if (op === undefined) d.fail('unknown jump operation');
      const dst = d.reg('dst');
      if (x) {
        d.zero('imm');
        return { kind: 'jump', op, wide, dst, src: { reg: d.reg('src') }, off: r.off };
      }
      d.zero('src');
      return { kind: 'jump', op, wide, dst, src: { imm: r.imm }, off: r.off };
    }
  }
}

function decodeOne(view: DataView, at: number, total: number): { insn: Insn; slots: 1 | 2 } {
  const r = readRaw(view, at);
  const d: Decoder = new Decoder(r, at);
  const cls = r.opcode & 0x07;
  switch (cls) {
    case CLASS.ALU:
    case CLASS.ALU64:
      return { insn: decodeAlu(d, r, cls === CLASS.ALU64), slots: 1 };
    case CLASS.JMP:
    case CLASS.JMP32:
      return { insn: decodeJump(d, r, cls === CLASS.JMP), slots: 1 };
    case CLASS.LD: {
      if (r.opcode === OPCODE_LDDW) {
        const dst = d.reg('dst');
        d.zero('off');
        const pseudo = LDDW_PSEUDO[r.src];
        if (pseudo === undefined) d.fail(`lddw src must be 0-6 (BPF_PSEUDO_*), is ${r.src}`);
        if (at + 16 > total) d.fail('lddw needs a second 8-byte slot, but the program ends');
        const r2 = readRaw(view, at + 8);
        if (r2.opcode !== 0 || r2.dst !== 0 || r2.src !== 0 || r2.off !== 0) {
          throw new IsaError(
            'bad-encoding',
            `invalid instruction at byte offset ${at + 8}: second slot of lddw must have opcode, registers and offset zero`,
            at + 8,
          );
        }
        const value = (BigInt(r2.imm >>> 0) << 32n) | BigInt(r.imm >>> 0);
        return { insn: { kind: 'lddw', dst, pseudo, value }, slots: 2 };
      }
      const mode = r.opcode & 0xe0;
      const size = SIZE_BY_BITS.get(r.opcode & 0x18);
      if ((mode === MODE.ABS || mode === MODE.IND) && size !== undefined && size !== 8) {
        d.zero('dst');
        d.zero('off');
        if (mode === MODE.ABS) {
          d.zero('src');
          return { insn: { kind: 'ld_abs', size, imm: r.imm }, slots: 1 };
        }
        return { insn: { kind: 'ld_ind', size, src: d.reg('src'), imm: r.imm }, slots: 1 };
      }
      return d.fail('unknown LD instruction');
    }
    case CLASS.LDX: {
      const mode = r.opcode & 0xe0;
      const size = SIZE_BY_BITS.get(r.opcode & 0x18) as Size;
      if (mode !== MODE.MEM && mode !== MODE.MEMSX) d.fail('LDX mode must be MEM or MEMSX');
      if (mode === MODE.MEMSX && size === 8) d.fail('sign-extending load of 8 bytes does not exist');
      d.zero('imm');
      return {
        insn: { kind: 'load', size, signed: mode === MODE.MEMSX, dst: d.reg('dst'), base: d.reg('src'), off: r.off },
        slots: 1,
      };
    }
    case CLASS.ST: {
      const mode = r.opcode & 0xe0;
      const size = SIZE_BY_BITS.get(r.opcode & 0x18) as Size;
      if (mode !== MODE.MEM) d.fail('ST mode must be MEM');
      d.zero('src');
      return { insn: { kind: 'store', size, base: d.reg('dst'), off: r.off, src: { imm: r.imm } }, slots: 1 };
    }
    case CLASS.STX: {
      const mode = r.opcode & 0xe0;
      const size = SIZE_BY_BITS.get(r.opcode & 0x18) as Size;
      if (mode === MODE.MEM) {
        d.zero('imm');
        return { insn: { kind: 'store', size, base: d.reg('dst'), off: r.off, src: { reg: d.reg('src') } }, slots: 1 };
      }
      if (mode === MODE.ATOMIC) {
        if (size !== 4 && size !== 8) d.fail('atomic operations are 32 or 64 bit only');
        const a = ATOMIC_BY_IMM.get(r.imm);
        if (a === undefined) d.fail(`unknown atomic operation imm ${hex2(r.imm)}`);
        return {
          insn: { kind: 'atomic', op: a.op, fetch: a.fetch, size, base: d.reg('dst'), off: r.off, src: d.reg('src') },
          slots: 1,
        };
      }
      return d.fail('STX mode must be MEM or ATOMIC');
    }
    default:
      return d.fail('unknown instruction class');
  }
}

/**
 * Decodes a program. Throws `IsaError` (code `bad-encoding`, with `byteOffset`)
 * on a length that is not a multiple of 8 or on any invalid instruction.
 */
export function decode(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) {
    const at = bytes.length - (bytes.length % 8);
    throw new IsaError(
      'bad-encoding',
      `program length ${bytes.length} is not a multiple of 8: ${bytes.length % 8} trailing bytes at byte offset ${at}`,
      at,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let at = 0; at < bytes.length; ) {
    const { insn, slots } = decodeOne(view, at, bytes.length);
    out.push(insn);
    at += slots * 8;
  }
  return out;
}

/* ------------------------------------------------------------------ encode */

const SIZE_CODE = SIZE_BITS;

function checkInt(v: number, bits: 16 | 32, what: string, insn: Insn): number {
  const min = -(2 ** (bits - 1));
  const maxU = 2 ** bits - 1;
  if (!Number.isInteger(v) || v < min || v > maxU) {
    throw new IsaError('bad-insn', `cannot encode ${insn.kind}: ${what} ${v} does not fit in ${bits} bits`);
  }
  // Accept the unsigned spelling of a negative value (e.g. 0xffffffff for -1).
  return bits === 16 ? (v << 16) >> 16 : v | 0;
}

function checkReg(r: number, what: string, insn: Insn): number {
  if (!Number.isInteger(r) || r < 0 || r > 10) {
    throw new IsaError('bad-insn', `cannot encode ${insn.kind}: ${what} register r${r} does not exist`);
  }
  return r;
}

function raw(insn: Insn): RawInsn[] {
  const one = (opcode: number, dst: number, src: number, off: number, imm: number): RawInsn[] => [
    {
      opcode,
      dst: checkReg(dst, 'dst', insn),
      src: checkReg(src, 'src', insn),
      off: checkInt(off, 16, 'offset', insn),
      imm: checkInt(imm, 32, 'immediate', insn),
    },
  ];
  switch (insn.kind) {
    case 'alu': {
      const cls = insn.wide ? CLASS.ALU64 : CLASS.ALU;
      const base = insn.op === 'sdiv' ? 'div' : insn.op === 'smod' ? 'mod' : insn.op;
      const off = insn.op === 'sdiv' || insn.op === 'smod' ? 1 : 0;
      if (isReg(insn.src)) return one(cls | SRC.X | ALU_OP[base], insn.dst, insn.src.reg, off, 0);
      return one(cls | SRC.K | ALU_OP[base], insn.dst, 0, off, insn.src.imm);
    }
    case 'neg':
      return one((insn.wide ? CLASS.ALU64 : CLASS.ALU) | ALU_OP.neg, insn.dst, 0, 0, 0);
    case 'movsx':
      return one((insn.wide ? CLASS.ALU64 : CLASS.ALU) | SRC.X | ALU_OP.mov, insn.dst, insn.src, insn.bits, 0);
    case 'endian': {
      const cls = insn.order === 'swap' ? CLASS.ALU64 : CLASS.ALU;
      const src = insn.order === 'be' ? SRC.X : SRC.K;
      return one(cls | src | ALU_OP.end, insn.dst, 0, 0, insn.bits);
    }
    case 'load':
      return one(CLASS.LDX | (insn.signed ? MODE.MEMSX : MODE.MEM) | SIZE_CODE[insn.size], insn.dst, insn.base, insn.off, 0);
    case 'store':
      if (isReg(insn.src)) return one(CLASS.STX | MODE.MEM | SIZE_CODE[insn.size], insn.base, insn.src.reg, insn.off, 0);
      return one(CLASS.ST | MODE.MEM | SIZE_CODE[insn.size], insn.base, 0, insn.off, insn.src.imm);
    case 'atomic': {
      let imm: number = ATOMIC_IMM[insn.op];
      if (insn.fetch) imm |= ATOMIC_IMM.FETCH;
      return one(CLASS.STX | MODE.ATOMIC | SIZE_CODE[insn.size], insn.base, insn.src, insn.off, imm);
    }
    case 'lddw': {
      const v = BigInt.asUintN(64, insn.value);
      const src = LDDW_PSEUDO.indexOf(insn.pseudo);
      return [
        { opcode: OPCODE_LDDW, dst: checkReg(insn.dst, 'dst', insn), src, off: 0, imm: Number(BigInt.asIntN(32, v)) },
        { opcode: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v >> 32n)) },
      ];
    }
    case 'ld_abs':
      return one(CLASS.LD | MODE.ABS | SIZE_CODE[insn.size], 0, 0, 0, insn.imm);
    case 'ld_ind':
      return one(CLASS.LD | MODE.IND | SIZE_CODE[insn.size], 0, insn.src, 0, insn.imm);
    case 'jump': {
      const cls = insn.wide ? CLASS.JMP : CLASS.JMP32;
      if (isReg(insn.src)) return one(cls | SRC.X | JMP_OP[insn.op], insn.dst, insn.src.reg, insn.off, 0);
      return one(cls | SRC.K | JMP_OP[insn.op], insn.dst, 0, insn.off, insn.src.imm);
    }
    case 'ja':
      return insn.long ? one(CLASS.JMP32 | JMP_OP.ja, 0, 0, 0, insn.off) : one(CLASS.JMP | JMP_OP.ja, 0, 0, insn.off, 0);
    case 'call':
      return one(CLASS.JMP | JMP_OP.call, 0, CALL_SRC.helper, 0, insn.helper);
    case 'call_local':
      return one(CLASS.JMP | JMP_OP.call, 0, CALL_SRC.local, 0, insn.off);
    case 'call_kfunc':
      return one(CLASS.JMP | JMP_OP.call, 0, CALL_SRC.kfunc, insn.module, insn.btfId);
    case 'callx':
      return one(CLASS.JMP | SRC.X | JMP_OP.call, insn.reg, 0, 0, 0);
    case 'exit':
      return one(CLASS.JMP | JMP_OP.exit, 0, 0, 0, 0);
    default:
      return assertNever(insn, 'instruction');
  }
}

/** Encodes a program to bytes. Throws `IsaError` (code `bad-insn`) on out-of-range fields. */
export function encode(insns: readonly Insn[]): Uint8Array {
  const raws = insns.flatMap(raw);
  const out = new Uint8Array(raws.length * 8);
  const view = new DataView(out.buffer);
  raws.forEach((r, i) => {
    const at = i * 8;
    view.setUint8(at, r.opcode);
    view.setUint8(at + 1, (r.src << 4) | r.dst);
    view.setInt16(at + 2, r.off, true);
    view.setInt32(at + 4, r.imm, true);
  });
  return out;
}

/** Encodes one instruction (8 or 16 bytes). */
export function encodeOne(insn: Insn): Uint8Array {
  return encode([insn]);
}
