/**
 * CO-RE access specifications: what a relocation's access string reaches
 * in one BTF (libbpf's `bpf_core_spec`). The local spec is parsed from the
 * program's BTF; a target spec is found by matching the local one, step by
 * step, against a candidate type of the target BTF.
 *
 * A spec has two views of one access:
 * - `raw`: every index of the access string, anonymous members included
 *   (`0:1:2:3`), as it is in this BTF;
 * - `accessors`: only the steps that mean something across BTFs, named
 *   members and array elements (`[0]`, `.a`, `[3]`); these are what a
 *   target is matched on, by member name.
 *
 * ```
 * struct s { int x; struct { int y; int a[7]; }; };   access 0:1:1:3 of struct s
 * raw        0      1            1      3
 * accessors  [0]    (anonymous)  .a     [3]
 * ```
 */
import type { Btf } from '../btf';
import type { CoreErrorCode } from '../core';
import type { CoreReloKind } from '../ext';
import type { BtfType, TypeId } from '../types';
import { essentialName, fieldsCompat, isComposite, isEnum, sizeOf } from './core-compat';

/** `BPF_CORE_SPEC_MAX_LEN`: the deepest access libbpf follows. */
export const CORE_SPEC_MAX_LEN = 64;

/** The three families of relocation kinds, which resolve differently. */
export type CoreReloClass = 'field' | 'type' | 'enumval';

/** The family of a relocation kind. */
export function reloClass(kind: CoreReloKind): CoreReloClass {
  switch (kind) {
    case 'field_byte_offset':
    case 'field_byte_size':
    case 'field_exists':
    case 'field_signed':
    case 'field_lshift_u64':
    case 'field_rshift_u64':
      return 'field';
    case 'type_id_local':
    case 'type_id_target':
    case 'type_exists':
    case 'type_size':
    case 'type_matches':
      return 'type';
    case 'enumval_exists':
    case 'enumval_value':
      return 'enumval';
  }
}

/** One meaningful step of an access (`bpf_core_accessor`). */
export interface CoreAccessor {
  /** For a member: the struct or union holding it (typedefs skipped); for an element: the element type (skipped); for an enumerator: the enum. */
  readonly typeId: TypeId;
  /** Member, element or enumerator index. */
  readonly index: number;
  /** The member's or enumerator's name; `undefined` for an array element. */
  readonly name: string | undefined;
}

/** An access resolved in one BTF. */
export interface CoreSpec {
  readonly btf: Btf;
  /** The root type as the relocation (or the candidate search) names it, typedefs not skipped. */
  readonly rootId: TypeId;
  readonly kind: CoreReloKind;
  readonly raw: readonly number[];
  readonly accessors: readonly CoreAccessor[];
  /** Bit offset of the accessed field from the start of the root object. */
  readonly bitOffset: number;
}

/** A computation that may fail with a relocation error. */
export type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: CoreErrorCode; readonly message: string };

/** A step that succeeded with `value`. */
export function ok<T>(value: T): Step<T> {
  return { ok: true, value };
}

/** A step that failed with a relocation error. */
export function fail<T>(code: CoreErrorCode, message: string): Step<T> {
  return { ok: false, code, message };
}

/** `[5] struct 'task_struct'`. */
export function label(t: BtfType): string {
  return `[${t.id}] ${t.kind} '${t.name}'`;
}

const ACCESS_RE = /^[0-9]+(:[0-9]+)*$/;

/** The relocation fields a spec is parsed from. */
export interface SpecSource {
  readonly typeId: TypeId;
  readonly access: string;
  readonly kind: CoreReloKind;
}

/**
 * Parses the local spec of a relocation (libbpf's `bpf_core_parse_spec`):
 * type relocations must have access `0`; an enumerator relocation one index
 * below the enum's count; a field relocation walks its indices through
 * structs, unions and arrays (a flexible array member may be indexed past
 * its zero length).
 */
export function parseLocalSpec(btf: Btf, relo: SpecSource): Step<CoreSpec> {
  const root = btf.type(relo.typeId);
  const bad = (why: string): Step<CoreSpec> => fail('bad-access', `access '${relo.access}' of ${label(root)}: ${why}`);
  if (!ACCESS_RE.test(relo.access)) return bad('not a list of indices');
  const cls = reloClass(relo.kind);
  const base = { btf, rootId: relo.typeId, kind: relo.kind };
  if (cls === 'type') {
    if (relo.access !== '0') return bad(`a type relocation's access is '0'`);
    return ok({ ...base, raw: [], accessors: [], bitOffset: 0 });
  }
  const raw = relo.access.split(':').map(Number);
  if (raw.length > CORE_SPEC_MAX_LEN) return fail('too-deep', `access '${relo.access}' of ${label(root)}: more than ${CORE_SPEC_MAX_LEN} steps`);
  const top = btf.resolve(relo.typeId);
  const first = raw[0]!;
  if (cls === 'enumval') {
    if (!isEnum(top)) return bad(`${label(top)} is not an enum`);
    if (raw.length > 1) return bad('an enumerator relocation has one index');
    const v = top.values[first];
    if (v === undefined) return bad(`${label(top)} has ${top.values.length} enumerators`);
    return ok({ ...base, raw, accessors: [{ typeId: top.id, index: first, name: v.name }], bitOffset: 0 });
  }
  const rootSize = sizeOf(btf, top.id);
  if (rootSize === undefined) return fail('unsized', `access '${relo.access}' of ${label(root)}: ${label(top)} has no size`);
  const accessors: CoreAccessor[] = [{ typeId: top.id, index: first, name: undefined }];
  let bitOffset = first * rootSize * 8;
  let id = top.id;
  for (let i = 1; i < raw.length; i++) {
    const t = btf.resolve(id);
    const idx = raw[i]!;
    if (isComposite(t)) {
      const m = t.members[idx];
      if (m === undefined) return bad(`index ${idx} at step ${i}: ${label(t)} has ${t.members.length} members`);
      bitOffset += m.bitOffset;
      if (m.name !== '') accessors.push({ typeId: t.id, index: idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elem = btf.resolve(t.type);
      if (!isFlexArray(btf, accessors[accessors.length - 1]!, t.length) && idx >= t.length) {
        return bad(`index ${idx} at step ${i}: ${btf.typeName(t.id)} has ${t.length} elements`);
      }
      accessors.push({ typeId: elem.id, index: idx, name: undefined });
      const size = sizeOf(btf, elem.id);
      if (size === undefined) return fail('unsized', `access '${relo.access}' of ${label(root)}: ${label(elem)} has no size`);
      bitOffset += idx * size * 8;
      id = elem.id;
    } else {
      return bad(`step ${i} goes into ${label(t)}, which is neither a struct, a union nor an array`);
    }
  }
  return ok({ ...base, raw, accessors, bitOffset });
}

/** An array of zero length that is the last member of the struct the previous accessor names: a flexible array member. */
function isFlexArray(btf: Btf, prev: CoreAccessor, length: number): boolean {
  if (prev.name === undefined || length > 0) return false;
  const holder = btf.type(prev.typeId);
  return isComposite(holder) && prev.index === holder.members.length - 1;
}

/** The target spec being built while matching. */
interface Building {
  readonly raw: number[];
  readonly accessors: CoreAccessor[];
  bitOffset: number;
}

/**
 * Matches a local field or enumerator spec against one candidate type of
 * the target BTF (libbpf's `bpf_core_spec_match` for those families):
 * `undefined` when the candidate does not have the access. Type
 * relocations are matched by `typesCompat` / `typesMatch` instead.
 */
export function matchSpec(local: CoreSpec, target: Btf, candidate: TypeId): Step<CoreSpec | undefined> {
  const base = { btf: target, rootId: candidate, kind: local.kind };
  if (reloClass(local.kind) === 'enumval') {
    const e = target.resolve(candidate);
    if (!isEnum(e)) return ok(undefined);
    const want = essentialName(local.accessors[0]!.name!);
    const idx = e.values.findIndex((v) => essentialName(v.name) === want);
    if (idx < 0) return ok(undefined);
    return ok({ ...base, raw: [idx], accessors: [{ typeId: e.id, index: idx, name: e.values[idx]!.name }], bitOffset: 0 });
  }
  const state: Building = { raw: [], accessors: [], bitOffset: 0 };
  let targId = candidate;
  for (let i = 0; i < local.accessors.length; i++) {
    const acc = local.accessors[i]!;
    const t = target.resolve(targId);
    targId = t.id;
    if (acc.name !== undefined) {
      const found = matchMember(local.btf, acc, target, targId, state);
      if (!found.ok) return found;
      if (found.value === undefined) return ok(undefined);
      targId = found.value;
      continue;
    }
    if (i > 0) {
      if (t.kind !== 'array') return ok(undefined);
      if (!isFlexArray(target, state.accessors[i - 1]!, t.length) && acc.index >= t.length) return ok(undefined);
      targId = target.resolve(t.type).id;
    }
    if (state.raw.length === CORE_SPEC_MAX_LEN) return fail('too-deep', `matching ${label(target.type(candidate))}: more than ${CORE_SPEC_MAX_LEN} steps`);
    state.accessors.push({ typeId: targId, index: acc.index, name: undefined });
    state.raw.push(acc.index);
    const size = sizeOf(target, targId);
    if (size === undefined) return fail('unsized', `matching ${label(target.type(candidate))}: ${label(target.type(targId))} has no size`);
    state.bitOffset += acc.index * size * 8;
  }
  return ok({ ...base, raw: state.raw, accessors: state.accessors, bitOffset: state.bitOffset });
}

/**
 * Finds the member a local named accessor names in the target struct or
 * union `targId`, looking through anonymous members (libbpf's
 * `bpf_core_match_member`). Names must be equal, and the types compatible
 * (`fieldsCompat`). Returns the member's type, `undefined` when there is
 * no such member.
 */
function matchMember(localBtf: Btf, acc: CoreAccessor, target: Btf, targId: TypeId, state: Building): Step<TypeId | undefined> {
  const t = target.resolve(targId);
  if (!isComposite(t)) return ok(undefined);
  const holder = localBtf.type(acc.typeId);
  if (!isComposite(holder)) throw new Error(`core spec: accessor of ${label(holder)} is not a member`);
  const want = holder.members[acc.index]!;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (state.raw.length === CORE_SPEC_MAX_LEN) return fail('too-deep', `matching '${want.name}' in ${label(t)}: more than ${CORE_SPEC_MAX_LEN} steps`);
    state.bitOffset += m.bitOffset;
    state.raw.push(i);
    if (m.name === '') {
      const inner = matchMember(localBtf, acc, target, m.type, state);
      if (!inner.ok || inner.value !== undefined) return inner;
    } else if (m.name === want.name) {
      if (!fieldsCompat(localBtf, want.type, target, m.type)) {
        state.bitOffset -= m.bitOffset;
        state.raw.pop();
        return ok(undefined);
      }
      state.accessors.push({ typeId: t.id, index: i, name: m.name });
      return ok(m.type);
    }
    state.bitOffset -= m.bitOffset;
    state.raw.pop();
  }
  return ok(undefined);
}

function offsetText(bits: number): string {
  return bits % 8 === 0 ? `${bits / 8}` : `${Math.floor(bits / 8)}.${bits % 8}`;
}

/** The C-like path of a spec's accessors after the root: `.info.comm[3]`, `[1].pid`, `::TASK_DEAD`. */
function accessPath(spec: CoreSpec): string {
  if (reloClass(spec.kind) === 'enumval') return `::${spec.accessors[0]!.name!}`;
  return spec.accessors.map((a, i) => (a.name !== undefined ? `.${a.name}` : i > 0 || a.index > 0 ? `[${a.index}]` : '')).join('');
}

/**
 * What a spec reaches, in the notation of libbpf's debug log:
 * `[5] struct task_struct.info.comm[3] (0:4:0:3 @ offset 13)`,
 * `[12] enum task_state::TASK_DEAD = 128`, `[11] typedef task_t`.
 */
export function describeSpec(spec: CoreSpec): string {
  const root = spec.btf.type(spec.rootId);
  const head = `[${root.id}] ${root.kind} ${root.name === '' ? '<anon>' : root.name}`;
  switch (reloClass(spec.kind)) {
    case 'type':
      return head;
    case 'enumval': {
      const acc = spec.accessors[0]!;
      const e = spec.btf.type(acc.typeId);
      const v = isEnum(e) ? e.values[acc.index]?.value : undefined;
      return `${head}${accessPath(spec)} = ${String(v)}`;
    }
    case 'field':
      return `${head}${accessPath(spec)} (${spec.raw.join(':')} @ offset ${offsetText(spec.bitOffset)})`;
  }
}

/** How messages name what a spec reaches: `task_struct.pid`, `task_state::TASK_DEAD`, `task_t`. */
export function specPath(spec: CoreSpec): string {
  const root = spec.btf.type(spec.rootId);
  const name = root.name === '' ? '(anon)' : root.name;
  return reloClass(spec.kind) === 'type' ? name : `${name}${accessPath(spec)}`;
}
