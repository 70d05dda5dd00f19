/**
 * Register and stack state in the kernel log's notation:
 * `R0=map_value_or_null(id=1,ks=4,vs=8) R10=fp0 fp-8=mmmm????`.
 */
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, fmtSnum, fmtUnum } from '../domain/num';
import { formatTnum, tnumIsConst, tnumIsUnknown } from '../domain/tnum';
import type { RegState } from '../state/reg-state';
import { btfPtrTypeName } from '../btf-ctx/btf-ptr';
import { SLOT, type StackSlot, type VerifierState } from '../state/verifier-state';

/** The kernel's name for a register's full type (`reg_type_str`): `map_value_or_null`, `rdonly_mem`. */
export function regTypeName(r: RegState): string {
  if (r.kind === 'btf_id') return btfPtrTypeName(r);
  const base = r.kind === 'not_init' ? '?' : r.kind;
  const prefix = `${r.rdonly ? 'rdonly_' : ''}${r.ringbuf ? 'ringbuf_' : ''}`;
  return `${prefix}${base}${r.maybeNull ? '_or_null' : ''}`;
}

/** A bound's raw 64-bit pattern (module level: a closure here would be renamed at every call under tsx). */
const raw = (x: bigint): bigint => BigInt.asUintN(64, x);

function scalarRanges(r: RegState, parts: string[]): void {
  const m = [
    { name: 'smin', val: r.smin, omit: r.smin === S64_MIN, signed: true },
    { name: 'smax', val: r.smax, omit: r.smax === S64_MAX, signed: true },
    { name: 'umin', val: r.umin, omit: r.umin === 0n, signed: false },
    { name: 'umax', val: r.umax, omit: r.umax === U64_MAX, signed: false },
    { name: 'smin32', val: r.s32min, omit: r.s32min === S32_MIN, signed: true },
    { name: 'smax32', val: r.s32max, omit: r.s32max === S32_MAX, signed: true },
    { name: 'umin32', val: r.u32min, omit: r.u32min === 0n, signed: false },
    { name: 'umax32', val: r.u32max, omit: r.u32max === U32_MAX, signed: false },
  ];
  // Values are compared as the kernel compares them: the raw 64-bit pattern.
  for (let i = 0; i < m.length; i++) {
    const m1 = m[i];
    if (m1 === undefined || m1.omit) continue;
    const neg1 = m1.signed && m1.val < 0n;
    let text = `${m1.name}=`;
    for (let j = i + 2; j < m.length; j += 2) {
      const m2 = m[j];
      if (m2 === undefined || m2.omit || raw(m2.val) !== raw(m1.val)) continue;
      const neg2 = m2.signed && m2.val < 0n;
      if (neg2 !== neg1) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    // 32-bit bounds print in hex as 32-bit patterns (0x80000004, not 0xffffffff80000004)
    const is32 = m1.name.endsWith('32');
    text += m1.signed ? (is32 && (m1.val < -32768n || m1.val > 32767n) ? `0x${BigInt.asUintN(32, m1.val).toString(16)}` : fmtSnum(m1.val)) : fmtUnum(m1.val);
    parts.push(text);
  }
}

/** One register's value as the log prints it after `R<n>=` (`print_reg_state`). */
export function formatReg(r: RegState, frameno: number): string {
  let out = '';
  if (r.kind === 'scalar' && r.precise) out += 'P';
  if (r.kind === 'scalar' && tnumIsConst(r.varOff)) return out + fmtSnum(r.varOff.value);
  out += regTypeName(r);
  if (r.kind === 'btf_id') out += r.btf?.name ?? '';
  if (r.kind === 'fp') {
    if (r.frameno !== frameno) out += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return out + fmtSnum(r.varOff.value + BigInt(r.off));
  }
  const parts: string[] = [];
  if (r.id !== 0) parts.push(r.addConst !== 0 ? `id=${r.id}${r.off >= 0 ? '+' : ''}${r.off}` : `id=${r.id}`);
  if (r.refObjId !== 0) parts.push(`ref_obj_id=${r.refObjId}`);
  if ((r.kind === 'map_ptr' || r.kind === 'map_value' || r.kind === 'map_key') && r.map) {
    if (r.map.name) parts.push(`map=${r.map.name}`);
    parts.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (r.kind !== 'scalar' && r.off !== 0) parts.push(`off=${fmtSnum(BigInt(r.off))}`);
  if (r.kind === 'pkt' || r.kind === 'pkt_meta') parts.push(`r=${fmtUnum(BigInt(r.range))}`);
  if (r.kind === 'mem') parts.push(`sz=${fmtUnum(BigInt(r.memSize))}`);
  if (tnumIsConst(r.varOff)) {
    if (r.varOff.value !== 0n) parts.push(`imm=${fmtSnum(r.varOff.value)}`);
  } else {
    scalarRanges(r, parts);
    if (!tnumIsUnknown(r.varOff)) parts.push(`var_off=${formatTnum(r.varOff)}`);
  }
  return `${out}(${parts.join(',')})`;
}

/** Which registers and stack slots to print; `undefined` prints all. */
export interface Scratch {
  readonly regs: ReadonlySet<number>;
  readonly slots: ReadonlySet<number>;
}

/** One item of a printed state: `R1` and `ctx()`, or `fp-8` and `mmmmmmmm`. */
export interface StateItem {
  readonly name: string;
  readonly value: string;
}

/** The written stack slots of a frame as `fp-8` / `mmmm????` items, top of the frame first. */
export function stackItems(f: { readonly stack: readonly StackSlot[]; readonly frameno: number }, scratch?: Scratch): StateItem[] {
  const out: StateItem[] = [];
  for (let spi = 0; spi < f.stack.length; spi++) {
    if (scratch && !scratch.slots.has(spi)) continue;
    const slot = f.stack[spi];
    if (slot === undefined || slot.types === '????????') continue;
    const name = `fp${-(spi + 1) * SLOT}`;
    if (slot.types[SLOT - 1] === 'r') {
      const firstSpill = slot.types.indexOf('r');
      out.push({ name, value: `${slot.types.slice(0, firstSpill)}${formatReg(slot.spilled, f.frameno)}` });
    } else {
      out.push({ name, value: slot.types });
    }
  }
  return out;
}

/** The initialised registers of a frame as `R1` / `ctx()` items. */
export function regItems(f: { readonly regs: readonly RegState[]; readonly frameno: number }, scratch?: Scratch): StateItem[] {
  const out: StateItem[] = [];
  f.regs.forEach((r, i) => {
    if (r.kind === 'not_init') return;
    if (scratch && !scratch.regs.has(i)) return;
    out.push({ name: `R${i}`, value: formatReg(r, f.frameno) });
  });
  return out;
}

/**
 * The state of one frame after an instruction (`print_verifier_state`):
 * ` R0=2 R10=fp0 fp-8=mmmmmmmm`, without the trailing newline. With
 * `scratch`, only the registers and slots touched since the last print.
 */
export function formatFrameState(s: VerifierState, frameno: number, scratch?: Scratch): string {
  const f = s.frames[frameno];
  if (f === undefined) return '';
  let out = f.frameno !== 0 ? ` frame${f.frameno}:` : '';
  for (const item of [...regItems(f, scratch), ...stackItems(f, scratch)]) out += ` ${item.name}=${item.value}`;
  const refs = s.refs.filter((r) => r.id !== 0);
  if (refs.length > 0) out += ` refs=${refs.map((r) => r.id).join(',')}`;
  if (f.inCallback) out += ' cb';
  return out;
}
