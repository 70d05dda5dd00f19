/**
 * CO-RE relocation as libbpf performs it at load time: every relocation
 * record of a program (`BPF_CORE_READ(file, f_inode, i_ino)`, a field read
 * through a `preserve_access_index` struct of `vmlinux.h`, `bpf_core_*`
 * existence and size checks) is resolved against the kernel's BTF and its
 * instruction patched with the kernel's value.
 *
 * The rules are libbpf's: candidates are kernel types of a compatible kind
 * whose name equals the local type's without its `___flavor` suffix; a
 * field is found by name, looking through anonymous structs and unions,
 * and must be of a compatible type; the instruction must hold the value
 * the local type gives (else the program and its BTF disagree); a field or
 * enumerator the kernel lacks poisons the instruction with a call to the
 * helper `0xbad2310`, which fails verification
 * (`invalid func unknown#195896080`) if the program ever reaches it, while
 * existence checks just yield 0.
 *
 * ```ts
 * const kernel = new Kernel({ btf: { btf: kernelBtf() }, coreRelocator: kernelCoreRelocator });
 * ```
 */
import type { Btf, BtfEnum, BtfEnum64, BtfMember, BtfType, CoreReloKind, TypeId } from '@bpflab/btf';
import type { Insn, Size } from '@bpflab/isa';
import { fail, ok, type CoreRelocationRequest, type SysResult } from '@bpflab/kernel';
import type { CoreRelocation } from '@bpflab/object';
import { ERRNO } from '@bpflab/uapi';

/** The helper id libbpf calls in a poisoned instruction (`0xbad2310`). */
export const CORE_POISON_HELPER = 0xbad2310;

/** How deep libbpf follows nested structs, arrays and pointers (`BPF_CORE_SPEC_MAX_LEN`). */
const MAX_SPEC_LEN = 64;
/** How deep type compatibility checks recurse. */
const MAX_DEPTH = 32;

/** One step of an access: a named member, or an array index (`name` undefined). */
interface Accessor {
  /** the struct/union holding the member, or the array element type */
  readonly typeId: TypeId;
  readonly idx: number;
  readonly name: string | undefined;
}

/** An access resolved in one BTF (libbpf's `bpf_core_spec`). */
interface Spec {
  readonly btf: Btf;
  readonly rootId: TypeId;
  readonly accessors: readonly Accessor[];
  readonly bitOffset: number;
}

/** What a relocation computes, for the local type and for the kernel's. */
interface Value {
  readonly value: bigint;
  /** field size for a memory access (0 when not a field access) */
  readonly size: number;
  /** the field's type id (for size adjustment checks) */
  readonly typeId: TypeId;
  /** whether the instruction must hold the local value */
  readonly validate: boolean;
}

type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const isFieldKind = (k: CoreReloKind): boolean => k.startsWith('field_');
const isTypeKind = (k: CoreReloKind): boolean => k.startsWith('type_');
const isEnumKind = (k: CoreReloKind): boolean => k.startsWith('enumval_');

/** libbpf's `bpf_core_essential_name_len`: the name without a `___flavor` suffix. */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name.startsWith('___', i + 1) && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

/** The type behind typedefs and qualifiers. */
function skip(btf: Btf, id: TypeId): BtfType {
  return btf.resolve(id);
}

function isComposite(t: BtfType): t is BtfType & { kind: 'struct' | 'union' } {
  return t.kind === 'struct' || t.kind === 'union';
}

function isEnum(t: BtfType): t is BtfEnum | BtfEnum64 {
  return t.kind === 'enum' || t.kind === 'enum64';
}

/** libbpf's `btf_kind_core_compat`: the same kind, or enum and enum64. */
function kindCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isEnum(a) && isEnum(b));
}

function sizeOf(btf: Btf, id: TypeId): number | undefined {
  try {
    return btf.sizeof(id);
  } catch {
    return undefined;
  }
}

/* ----------------------------------------------------------- local spec */

function parseSpec(btf: Btf, relo: CoreRelocation): Step<Spec> {
  const raw = relo.access.split(':').map(Number);
  if (raw.length === 0 || raw.some((n) => !Number.isInteger(n) || n < 0)) return bad(`bad access string '${relo.access}'`);
  if (raw.length > MAX_SPEC_LEN) return bad(`access string '${relo.access}' is too deep`);
  const root = btf.types[relo.typeId];
  if (root === undefined) return bad(`type id ${relo.typeId} does not exist in the program's BTF`);
  if (isTypeKind(relo.kind)) {
    if (raw.length !== 1 || raw[0] !== 0) return bad(`type relocation with access string '${relo.access}' (want '0')`);
    return good({ btf, rootId: relo.typeId, accessors: [], bitOffset: 0 });
  }
  if (isEnumKind(relo.kind)) {
    const e = skip(btf, relo.typeId);
    if (!isEnum(e) || raw.length !== 1 || raw[0]! >= e.values.length) return bad(`enum relocation with access string '${relo.access}' on ${btf.typeName(relo.typeId)}`);
    return good({ btf, rootId: relo.typeId, accessors: [{ typeId: e.id, idx: raw[0]!, name: e.values[raw[0]!]!.name }], bitOffset: 0 });
  }
  const rootSize = sizeOf(btf, relo.typeId);
  if (rootSize === undefined) return bad(`${btf.typeName(relo.typeId)} has no size`);
  const accessors: Accessor[] = [{ typeId: relo.typeId, idx: raw[0]!, name: undefined }];
  let bitOffset = raw[0]! * rootSize * 8;
  let id = relo.typeId;
  for (let i = 1; i < raw.length; i++) {
    const t = skip(btf, id);
    const idx = raw[i]!;
    if (isComposite(t)) {
      const m = t.members[idx];
      if (m === undefined) return bad(`member #${idx} of ${btf.typeName(t.id)} does not exist`);
      bitOffset += m.bitOffset;
      if (m.name !== '') accessors.push({ typeId: t.id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elem = skip(btf, t.type);
      const flex = isFlexArray(accessors[accessors.length - 1], btf, t.length);
      if (!flex && idx >= t.length) return bad(`index ${idx} is past the ${t.length} elements of ${btf.typeName(t.id)}`);
      const sz = sizeOf(btf, elem.id);
      if (sz === undefined) return bad(`${btf.typeName(elem.id)} has no size`);
      accessors.push({ typeId: elem.id, idx, name: undefined });
      bitOffset += idx * sz * 8;
      id = elem.id;
    } else {
      return bad(`access ${relo.access} goes into ${btf.typeName(t.id)}, which is neither a struct, a union nor an array`);
    }
  }
  return good({ btf, rootId: relo.typeId, accessors, bitOffset });
}

/** A zero-length array that is the last member of its struct (a flexible array member). */
function isFlexArray(prev: Accessor | undefined, btf: Btf, length: number): boolean {
  if (length !== 0 || prev === undefined || prev.name === undefined) return false;
  const t = btf.types[prev.typeId];
  return t !== undefined && isComposite(t) && prev.idx === t.members.length - 1;
}

/* ------------------------------------------------------------ candidates */

const candidateIndex = new WeakMap<Btf, Map<string, TypeId[]>>();

/** Kernel types by essential name (built once per BTF). */
function byEssentialName(btf: Btf): Map<string, TypeId[]> {
  let index = candidateIndex.get(btf);
  if (index === undefined) {
    index = new Map();
    for (const t of btf.types) {
      if (t.name === '') continue;
      const key = essentialName(t.name);
      const list = index.get(key);
      if (list === undefined) index.set(key, [t.id]);
      else list.push(t.id);
    }
    candidateIndex.set(btf, index);
  }
  return index;
}

function candidates(local: BtfType, target: Btf): readonly BtfType[] {
  const ids = byEssentialName(target).get(essentialName(local.name)) ?? [];
  return ids.map((id) => target.type(id)).filter((t) => kindCompat(t, local));
}

/* -------------------------------------------------------------- matching */

/** libbpf's `bpf_core_fields_are_compat`. */
function fieldsCompat(lb: Btf, lid: TypeId, tb: Btf, tid: TypeId, depth = MAX_DEPTH): boolean {
  if (depth <= 0) return false;
  const l = skip(lb, lid);
  const t = skip(tb, tid);
  if (isComposite(l) && isComposite(t)) return true;
  if (!kindCompat(l, t)) return false;
  switch (l.kind) {
    case 'ptr':
    case 'float':
      return true;
    case 'fwd':
    case 'enum':
    case 'enum64': {
      const ln = essentialName(l.name);
      const tn = essentialName(t.name);
      return ln === '' || tn === '' || ln === tn;
    }
    case 'int':
      return l.offset === 0 && t.kind === 'int' && t.offset === 0;
    case 'array':
      return t.kind === 'array' && fieldsCompat(lb, l.type, tb, t.type, depth - 1);
    default:
      return false;
  }
}

interface MatchState {
  bitOffset: number;
  readonly accessors: Accessor[];
}

/** libbpf's `bpf_core_match_member`: finds the local member's name in `targId`, through anonymous members. */
function matchMember(local: Spec, acc: Accessor, tb: Btf, targId: TypeId, state: MatchState, depth: number): TypeId | undefined {
  if (depth <= 0) return undefined;
  const t = skip(tb, targId);
  if (!isComposite(t)) return undefined;
  const lt = local.btf.type(acc.typeId) as BtfType & { members: readonly BtfMember[] };
  const lm = lt.members[acc.idx]!;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    state.bitOffset += m.bitOffset;
    if (m.name === '') {
      const found = matchMember(local, acc, tb, m.type, state, depth - 1);
      if (found !== undefined) return found;
    } else if (m.name === lm.name) {
      if (!fieldsCompat(local.btf, lm.type, tb, m.type)) {
        state.bitOffset -= m.bitOffset;
        return undefined;
      }
      state.accessors.push({ typeId: t.id, idx: i, name: m.name });
      return m.type;
    }
    state.bitOffset -= m.bitOffset;
  }
  return undefined;
}

/** libbpf's `bpf_core_spec_match` for field and enum relocations; type relocations are matched by `typesCompat`/`typesMatch`. */
function matchSpec(local: Spec, kind: CoreReloKind, tb: Btf, candidate: BtfType): Spec | undefined {
  if (isEnumKind(kind)) {
    const e = skip(tb, candidate.id);
    if (!isEnum(e)) return undefined;
    const want = essentialName(local.accessors[0]!.name!);
    const idx = e.values.findIndex((v) => essentialName(v.name) === want);
    return idx < 0 ? undefined : { btf: tb, rootId: candidate.id, accessors: [{ typeId: e.id, idx, name: e.values[idx]!.name }], bitOffset: 0 };
  }
  const state: MatchState = { bitOffset: 0, accessors: [] };
  let targId = candidate.id;
  for (let i = 0; i < local.accessors.length; i++) {
    const acc = local.accessors[i]!;
    if (acc.name !== undefined) {
      const next = matchMember(local, acc, tb, targId, state, MAX_SPEC_LEN);
      if (next === undefined) return undefined;
      targId = next;
      continue;
    }
    if (i > 0) {
      const arr = skip(tb, targId);
      if (arr.kind !== 'array') return undefined;
      const flex = isFlexArray(state.accessors[state.accessors.length - 1], tb, arr.length);
      if (!flex && acc.idx >= arr.length) return undefined;
      targId = skip(tb, arr.type).id;
    }
    const sz = sizeOf(tb, targId);
    if (sz === undefined) return undefined;
    state.accessors.push({ typeId: targId, idx: acc.idx, name: undefined });
    state.bitOffset += acc.idx * sz * 8;
  }
  return { btf: tb, rootId: candidate.id, accessors: state.accessors, bitOffset: state.bitOffset };
}

/** libbpf's `__bpf_core_types_are_compat` (for `type_exists`, `type_size`, `type_id_target`). */
function typesCompat(lb: Btf, lid: TypeId, tb: Btf, tid: TypeId, depth = MAX_DEPTH): boolean {
  if (depth <= 0) return false;
  const l = skip(lb, lid);
  const t = skip(tb, tid);
  if (!kindCompat(l, t)) return false;
  switch (l.kind) {
    case 'void':
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
    case 'fwd':
      return true;
    case 'int':
      return t.kind === 'int' && l.offset === 0 && t.offset === 0;
    case 'ptr':
      return t.kind === 'ptr' && typesCompat(lb, l.type, tb, t.type, depth - 1);
    case 'array':
      return t.kind === 'array' && typesCompat(lb, l.type, tb, t.type, depth - 1);
    case 'func_proto':
      return (
        t.kind === 'func_proto' &&
        l.params.length === t.params.length &&
        l.params.every((p, i) => typesCompat(lb, p.type, tb, t.params[i]!.type, depth - 1)) &&
        typesCompat(lb, l.returnType, tb, t.returnType, depth - 1)
      );
    default:
      return false;
  }
}

function namesMatch(a: string, b: string): boolean {
  return essentialName(a) === essentialName(b);
}

/** libbpf's `__bpf_core_types_match` (for `type_matches`): a stricter, layout-aware comparison. */
function typesMatch(lb: Btf, lid: TypeId, tb: Btf, tid: TypeId, behindPtr: boolean, depth = MAX_DEPTH): boolean {
  if (depth <= 0) return false;
  const l = skip(lb, lid);
  const t = skip(tb, tid);
  if (!namesMatch(l.name, t.name)) return false;
  switch (l.kind) {
    case 'void':
      return t.kind === 'void';
    case 'fwd':
      if (t.kind === 'fwd') return l.fwdKind === t.fwdKind;
      return isComposite(t) && t.kind === l.fwdKind;
    case 'enum':
    case 'enum64':
      return isEnum(t) && l.size === t.size && l.values.every((v) => t.values.some((w) => namesMatch(v.name, w.name)));
    case 'struct':
    case 'union':
      if (behindPtr) return l.kind === t.kind || (t.kind === 'fwd' && t.fwdKind === l.kind);
      if (l.kind !== t.kind || !isComposite(t)) return false;
      return l.members.every((m) => t.members.some((n) => namesMatch(m.name, n.name) && typesMatch(lb, m.type, tb, n.type, behindPtr, depth - 1)));
    case 'int':
      return t.kind === 'int' && l.size === t.size && (l.encoding === 'signed') === (t.encoding === 'signed');
    case 'ptr':
      return t.kind === 'ptr' && typesMatch(lb, l.type, tb, t.type, true, depth - 1);
    case 'array':
      return t.kind === 'array' && l.length === t.length && typesMatch(lb, l.type, tb, t.type, behindPtr, depth - 1);
    case 'func_proto':
      return (
        t.kind === 'func_proto' &&
        l.params.length === t.params.length &&
        l.params.every((p, i) => typesMatch(lb, p.type, tb, t.params[i]!.type, behindPtr, depth - 1)) &&
        typesMatch(lb, l.returnType, tb, t.returnType, behindPtr, depth - 1)
      );
    default:
      return false;
  }
}

/* ----------------------------------------------------------- the values */

/** libbpf's `bpf_core_calc_field_relo`; `undefined` spec: the kernel lacks the field. */
function fieldValue(kind: CoreReloKind, spec: Spec | undefined): Step<Value | 'poison'> {
  if (kind === 'field_exists') return good({ value: spec === undefined ? 0n : 1n, size: 0, typeId: 0, validate: true });
  if (spec === undefined) return good('poison');
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    const sz = sizeOf(btf, acc.typeId);
    if (sz === undefined) return bad(`${btf.typeName(acc.typeId)} has no size`);
    if (kind === 'field_byte_offset') return good({ value: BigInt(spec.bitOffset / 8), size: sz, typeId: acc.typeId, validate: true });
    if (kind === 'field_byte_size') return good({ value: BigInt(sz), size: 0, typeId: 0, validate: true });
    return bad(`${kind} cannot be applied to an array access`);
  }
  const holder = btf.type(acc.typeId) as BtfType & { members: readonly BtfMember[] };
  const m = holder.members[acc.idx]!;
  const mt = skip(btf, m.type);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = sizeOf(btf, mt.id) ?? 0;
    if (byteSz === 0) return bad(`bitfield ${m.name} has an unsized type`);
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) return bad(`bitfield ${m.name} cannot be read with a 64-bit load`);
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    const sz = sizeOf(btf, mt.id);
    if (sz === undefined) return bad(`field ${m.name} has an unsized type`);
    byteSz = sz;
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  switch (kind) {
    case 'field_byte_offset':
      return good({ value: BigInt(byteOff), size: bitfield ? 0 : byteSz, typeId: bitfield ? 0 : mt.id, validate: !bitfield });
    case 'field_byte_size':
      return good({ value: BigInt(byteSz), size: 0, typeId: 0, validate: !bitfield });
    case 'field_signed': {
      const signed = (isEnum(mt) && mt.signed) || (mt.kind === 'int' && mt.encoding === 'signed');
      return good({ value: signed ? 1n : 0n, size: 0, typeId: 0, validate: true });
    }
    case 'field_lshift_u64':
      return good({ value: BigInt(64 - (bitOff + bitSz - byteOff * 8)), size: 0, typeId: 0, validate: !bitfield });
    case 'field_rshift_u64':
      return good({ value: BigInt(64 - bitSz), size: 0, typeId: 0, validate: true });
    default:
      return bad(`unrecognized CO-RE relocation ${kind}`);
  }
}

function typeValue(kind: CoreReloKind, spec: Spec | undefined): Step<Value> {
  if (spec === undefined) return good({ value: 0n, size: 0, typeId: 0, validate: true });
  switch (kind) {
    case 'type_id_target':
      return good({ value: BigInt(spec.rootId), size: 0, typeId: 0, validate: false });
    case 'type_exists':
    case 'type_matches':
      return good({ value: 1n, size: 0, typeId: 0, validate: true });
    case 'type_size': {
      const sz = sizeOf(spec.btf, spec.rootId);
      return sz === undefined ? bad(`${spec.btf.typeName(spec.rootId)} has no size`) : good({ value: BigInt(sz), size: 0, typeId: 0, validate: true });
    }
    default:
      return bad(`unrecognized CO-RE relocation ${kind}`);
  }
}

function enumValue(kind: CoreReloKind, spec: Spec | undefined): Step<Value | 'poison'> {
  if (kind === 'enumval_exists') return good({ value: spec === undefined ? 0n : 1n, size: 0, typeId: 0, validate: true });
  if (spec === undefined) return good('poison');
  const e = spec.btf.type(spec.accessors[0]!.typeId) as BtfEnum | BtfEnum64;
  return good({ value: BigInt.asUintN(64, BigInt(e.values[spec.accessors[0]!.idx]!.value)), size: 0, typeId: 0, validate: true });
}

function value(kind: CoreReloKind, spec: Spec | undefined): Step<Value | 'poison'> {
  if (isFieldKind(kind)) return fieldValue(kind, spec);
  if (isEnumKind(kind)) return enumValue(kind, spec);
  return typeValue(kind, spec);
}

/* ------------------------------------------------------------ resolution */

/** What one relocation resolves to. */
interface Resolution {
  readonly poison: boolean;
  readonly orig: Value;
  readonly next: Value | undefined;
  /** a load/store whose size would change in a way that reads a wrong value */
  readonly failMemSize: boolean;
}

function resolve(relo: CoreRelocation, objectBtf: Btf, target: Btf): Step<Resolution> {
  const local = parseSpec(objectBtf, relo);
  if (!local.ok) return local;
  if (relo.kind === 'type_id_local') {
    const v: Value = { value: BigInt(relo.typeId), size: 0, typeId: 0, validate: true };
    return good({ poison: false, orig: v, next: v, failMemSize: false });
  }
  const orig = value(relo.kind, local.value);
  if (!orig.ok) return orig;
  if (orig.value === 'poison') return bad('the local type does not describe the access');
  const localType = objectBtf.type(relo.typeId);
  if (essentialName(localType.name) === '') return bad(`${objectBtf.typeName(relo.typeId)} is anonymous: CO-RE needs a named type`);
  let chosen: Value | 'poison' | undefined;
  for (const cand of candidates(localType, target)) {
    let spec: Spec | undefined;
    if (isTypeKind(relo.kind)) {
      const matched = relo.kind === 'type_matches' ? typesMatch(objectBtf, relo.typeId, target, cand.id, false) : typesCompat(objectBtf, relo.typeId, target, cand.id);
      spec = matched ? { btf: target, rootId: cand.id, accessors: [], bitOffset: 0 } : undefined;
    } else {
      spec = matchSpec(local.value, relo.kind, target, cand);
    }
    if (spec === undefined) continue;
    const v = value(relo.kind, spec);
    if (!v.ok) return v;
    if (chosen === undefined) chosen = v.value;
    else if (chosen !== 'poison' && v.value !== 'poison' && chosen.value !== v.value.value) {
      return bad(`candidates [${cand.id}] and earlier ones give different results (${chosen.value} and ${v.value.value})`);
    }
  }
  if (chosen === undefined) {
    const none = value(relo.kind, undefined);
    if (!none.ok) return none;
    chosen = none.value;
  }
  if (chosen === 'poison') return good({ poison: true, orig: orig.value, next: undefined, failMemSize: false });
  let failMemSize = false;
  if (isFieldKind(relo.kind) && orig.value.size !== chosen.size && orig.value.size > 0) {
    const a = skip(objectBtf, orig.value.typeId);
    const b = skip(target, chosen.typeId);
    const bothPtr = a.kind === 'ptr' && b.kind === 'ptr';
    const bothUnsigned = a.kind === 'int' && b.kind === 'int' && a.encoding !== 'signed' && b.encoding !== 'signed';
    failMemSize = !bothPtr && !bothUnsigned;
  }
  return good({ poison: false, orig: orig.value, next: chosen, failMemSize });
}

const POISON: Insn = { kind: 'call', helper: CORE_POISON_HELPER };

/** libbpf's `bpf_core_patch_insn`: the instruction(s) that replace `insn`. */
function patch(insn: Insn, r: Resolution, where: string): Step<readonly Insn[]> {
  const poisoned = insn.kind === 'lddw' ? [POISON, POISON] : [POISON];
  if (r.poison || r.next === undefined) return good(poisoned);
  const orig = r.orig.value;
  const next = r.next.value;
  switch (insn.kind) {
    case 'alu': {
      if (!('imm' in insn.src)) return bad(`${where}: the ALU instruction takes a register, not an immediate`);
      if (r.orig.validate && BigInt.asUintN(32, BigInt(insn.src.imm)) !== BigInt.asUintN(32, orig)) {
        return bad(`${where}: unexpected insn value: got ${insn.src.imm >>> 0}, exp ${orig} -> ${next}`);
      }
      if (next > 0x7fffffffn) return bad(`${where}: value too big for an ALU immediate: ${next}`);
      return good([{ ...insn, src: { imm: Number(next) } }]);
    }
    case 'load':
    case 'store':
    case 'atomic': {
      if (r.orig.validate && BigInt(insn.off) !== orig) return bad(`${where}: unexpected insn value: got ${insn.off}, exp ${orig} -> ${next}`);
      if (next > 0x7fffn) return bad(`${where}: value too big for an offset: ${next}`);
      if (r.failMemSize) return good(poisoned);
      const moved: Insn = { ...insn, off: Number(next) };
      if (r.next.size === r.orig.size || r.orig.size === 0 || insn.kind === 'atomic') return good([moved]);
      if (insn.size !== r.orig.size) return bad(`${where}: unexpected memory size: got ${insn.size}, exp ${r.orig.size}`);
      if (![1, 2, 4, 8].includes(r.next.size)) return bad(`${where}: the kernel's field has ${r.next.size} bytes, no load size fits`);
      return good([{ ...insn, off: Number(next), size: r.next.size as Size }]);
    }
    case 'lddw':
      if (insn.pseudo !== 'imm64') return bad(`${where}: the LDIMM64 instruction has an unexpected form`);
      if (r.orig.validate && BigInt.asUintN(64, insn.value) !== orig) return bad(`${where}: unexpected insn value: got ${insn.value}, exp ${orig} -> ${next}`);
      return good([{ ...insn, value: next }]);
    default:
      return bad(`${where}: cannot relocate a ${insn.kind} instruction`);
  }
}

/**
 * Resolves the CO-RE relocations of one program against the kernel's BTF
 * (a `CoreRelocator` for `new Kernel({ btf, coreRelocator })`): the
 * program's instructions with every relocated value patched in, or EINVAL
 * and libbpf's reason.
 */
export function kernelCoreRelocator(request: CoreRelocationRequest): SysResult<readonly Insn[]> {
  const { program, objectBtf } = request;
  const target = request.kernelBtf.btf;
  const replaced = new Map<number, readonly Insn[]>();
  for (let i = 0; i < program.coreRelocations.length; i++) {
    const relo = program.coreRelocations[i]!;
    const where = `relo #${i}: ${relo.kind} of ${relo.description} at insn #${relo.pc}`;
    const insn = replaced.get(relo.insn)?.[0] ?? program.insns[relo.insn];
    if (insn === undefined) return fail(ERRNO.EINVAL, `${where}: the instruction does not exist`);
    const r = resolve(relo, objectBtf, target);
    if (!r.ok) return fail(ERRNO.EINVAL, `${where}: ${r.message}`);
    const p = patch(insn, r.value, where);
    if (!p.ok) return fail(ERRNO.EINVAL, p.message);
    replaced.set(relo.insn, p.value);
  }
  const out: Insn[] = [];
  program.insns.forEach((insn, i) => out.push(...(replaced.get(i) ?? [insn])));
  return ok(out);
}

function good<T>(value: T): Step<T> {
  return { ok: true, value };
}

function bad<T>(message: string): Step<T> {
  return { ok: false, message };
}
