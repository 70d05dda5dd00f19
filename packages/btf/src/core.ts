/**
 * CO-RE ("compile once, run everywhere"): resolving a program's
 * relocation records (`.BTF.ext` `bpf_core_relo`) against a target BTF,
 * usually the kernel's, with libbpf's rules, and patching the relocated
 * instruction.
 *
 * Resolution, for one record:
 * 1. the access string is walked through the program's ("local") BTF from
 *    the root type: the local spec, and the value the compiler put in the
 *    instruction;
 * 2. candidates are the target's types with the root's essential name
 *    (`task_struct___old` and `task_struct` are both `task_struct`) and a
 *    compatible kind, in id order;
 * 3. each candidate is matched: fields by name through anonymous members,
 *    array indices within bounds, compatible member types; enumerators by
 *    essential name; types by compatibility (`type_matches`: by layout);
 * 4. every matching candidate must give the same value (and field offset):
 *    otherwise the relocation is ambiguous, an error;
 * 5. no match: existence kinds give 0, type kinds 0, and the others poison
 *    the instruction.
 *
 * ```
 * relocation kinds, by what they ask
 *   field_byte_offset  field_byte_size  field_exists  field_signed     a member or element
 *   field_lshift_u64   field_rshift_u64                                a bitfield read as a u64
 *   type_id_local  type_id_target  type_exists  type_size  type_matches    a type
 *   enumval_exists  enumval_value                                      an enumerator
 * ```
 *
 * A poisoned instruction becomes a call of the invalid helper `0xbad2310`
 * (an `lddw` becomes two): the verifier refuses it where it is reachable
 * (`invalid func unknown#195896080`) and drops it where it is dead code,
 * so that `if (bpf_core_field_exists(...))` guards work.
 *
 * ```ts
 * const r = resolveCoreRelocation(programBtf, kernelBtf, relo);
 * if (r.kind === 'error') throw new Error(r.message);
 * const patched = applyCoreRelocation(insn, r);   // 'patched' | 'poisoned' | 'error'
 * ```
 */
import type { Btf } from './btf';
import type { CoreReloKind } from './ext';
import { calcValue, type CoreValue } from './internal/core-calc';
import { essentialName, kindCompat, typesCompat, typesMatch, type Tri } from './internal/core-compat';
import { describeSpec, label, matchSpec, parseLocalSpec, reloClass, specPath, type CoreSpec, type Step } from './internal/core-spec';
import type { BtfType, TypeId } from './types';

/** The helper id a poisoned instruction calls: `0xbad2310` ("bad relo"), 195896080. */
export const CORE_POISON_HELPER_ID = 0xbad2310;

/** Why a relocation cannot be resolved or applied. */
export type CoreErrorCode =
  /** the access string does not fit the program's own type (a malformed object) */
  | 'bad-access'
  /** the root type is anonymous: there is no name to search the target for */
  | 'anonymous'
  /** several candidates match and disagree */
  | 'ambiguous'
  /** a bitfield no 64-bit load can read */
  | 'bitfield'
  /** signedness or shifts asked of an array element */
  | 'array-access'
  /** a type without size where one is needed */
  | 'unsized'
  /** an access or a type comparison deeper than libbpf follows */
  | 'too-deep'
  /** the instruction cannot carry the relocation, or does not hold the value the program's BTF gives */
  | 'bad-insn'
  /** the new offset does not fit the instruction's 16-bit offset */
  | 'range';

/** The fields of a relocation record resolution needs (`parseBtfExt`'s `CoreRelo` and `@bpflab/object`'s `CoreRelocation` have them). */
export interface CoreRelocationRef {
  /** The root type, in the program's BTF. */
  readonly typeId: TypeId;
  /** The access string: `0:1:2`. */
  readonly access: string;
  readonly kind: CoreReloKind;
}

/** Options of `resolveCoreRelocation`. */
export interface ResolveCoreOptions {
  /**
   * The candidates to consider: the `candidates` an earlier resolution for
   * the same local root type returned (libbpf keeps one list per local type
   * and narrows it to the candidates that matched). Default: searched in
   * the target (same essential name, compatible kind, in id order).
   */
  readonly candidates?: readonly TypeId[];
  /** How messages name the target BTF. Default: `'the target BTF'`. */
  readonly targetName?: string;
}

/** The defaults of `ResolveCoreOptions`. */
export const DEFAULT_RESOLVE_CORE_OPTIONS: Required<Omit<ResolveCoreOptions, 'candidates'>> = Object.freeze({
  targetName: 'the target BTF',
});

/** What every resolved (or poisoned) relocation tells. */
interface CoreResultBase {
  readonly reloKind: CoreReloKind;
  /** What the access reaches in the program's BTF: `[5] struct task_struct.pid (0:0 @ offset 0)`. */
  readonly local: string;
  /** How messages name the access: the local root type's name and the path, `task_struct.pid`, `task_state::TASK_DEAD`. */
  readonly path: string;
  /** The value the compiler put in the instruction, from the program's BTF (unsigned 64-bit). */
  readonly localValue: bigint;
  /** Whether the instruction must hold `localValue` (libbpf skips the check for bitfields and type ids). */
  readonly validate: boolean;
  /** The candidate list to pass to the next resolution of the same local root type. */
  readonly candidates: readonly TypeId[];
}

/** A relocation resolved to a value. */
export interface CoreResolved extends CoreResultBase {
  readonly kind: 'ok';
  /** The new immediate or offset (unsigned 64-bit). */
  readonly value: bigint;
  /** The target type the relocation resolved against; `undefined` when none matched (existence 0, `type_id_local`). */
  readonly candidateId: TypeId | undefined;
  /** What the access reaches in the target, when a candidate matched. */
  readonly target: string | undefined;
  /** Byte size of the accessed field in the program's BTF, for load/store size adjustment (0: not a sized field offset). */
  readonly localSize: number;
  /** Byte size of the field in the target (0: not a sized field offset). */
  readonly size: number;
  /**
   * Why a load or store of the field must be poisoned instead of resized:
   * the sizes differ and the field is not a pointer or an unsigned integer
   * on both sides. `undefined` when it may be resized (or needs no resizing).
   */
  readonly sizeMismatch: string | undefined;
}

/** A relocation whose field or enumerator the target lacks: its instruction is poisoned. */
export interface CorePoisoned extends CoreResultBase {
  readonly kind: 'poison';
  /** What is missing. */
  readonly missing: 'field' | 'enumerator';
  /** `field 'task_struct.pidx' not found in the target BTF`. */
  readonly reason: string;
}

/** A relocation that cannot be resolved: the program cannot be loaded. */
export interface CoreFailure {
  readonly kind: 'error';
  readonly code: CoreErrorCode;
  readonly message: string;
}

/** The outcome of `resolveCoreRelocation`. */
export type CoreRelocationResult = CoreResolved | CorePoisoned | CoreFailure;

/** The name without its `___flavor` suffix, by which CO-RE matches types and enumerators: `task_struct___old` -> `task_struct`. */
export function coreEssentialName(name: string): string {
  return essentialName(name);
}

const candidateIndex = new WeakMap<Btf, Map<string, TypeId[]>>();

/** Named types of `btf` by essential name, in id order (built once per BTF). */
function byEssentialName(btf: Btf): Map<string, TypeId[]> {
  let index = candidateIndex.get(btf);
  if (index === undefined) {
    index = new Map();
    for (let id = 1; id < btf.types.length; id++) {
      const t = btf.types[id]!;
      if (t.name === '') continue;
      const key = essentialName(t.name);
      const list = index.get(key);
      if (list === undefined) index.set(key, [id]);
      else list.push(id);
    }
    candidateIndex.set(btf, index);
  }
  return index;
}

/** The candidates for a local root type: target types of the same essential name and a compatible kind. */
export function findCoreCandidates(localRoot: BtfType, target: Btf): readonly TypeId[] {
  if (localRoot.name === '') return [];
  const ids = byEssentialName(target).get(essentialName(localRoot.name)) ?? [];
  return ids.filter((id) => kindCompat(target.type(id), localRoot));
}

function failure(code: CoreFailure['code'], message: string): CoreFailure {
  return { kind: 'error', code, message };
}

function offsetText(bits: number): string {
  return bits % 8 === 0 ? `${bits / 8}` : `${Math.floor(bits / 8)}.${bits % 8}`;
}

/** Matches a type relocation's root against one candidate. */
function matchType(local: CoreSpec, target: Btf, candidate: TypeId): Step<CoreSpec | undefined> {
  const r: Tri =
    local.kind === 'type_matches' ? typesMatch(local.btf, local.rootId, target, candidate) : typesCompat(local.btf, local.rootId, target, candidate);
  if (r === 'too-deep') return { ok: false, code: 'too-deep', message: `comparing with ${label(target.type(candidate))}: types nest deeper than 32 levels` };
  return { ok: true, value: r ? { btf: target, rootId: candidate, kind: local.kind, raw: [], accessors: [], bitOffset: 0 } : undefined };
}

/**
 * Resolves one CO-RE relocation of a program whose BTF is `local` against
 * `target` (see the module comment). Never throws for what the program or
 * the target contain; `BtfError` only for a root type id `local` lacks.
 */
export function resolveCoreRelocation(local: Btf, target: Btf, relo: CoreRelocationRef, options: ResolveCoreOptions = {}): CoreRelocationResult {
  const targetName = options.targetName ?? DEFAULT_RESOLVE_CORE_OPTIONS.targetName;
  const parsed = parseLocalSpec(local, relo);
  if (!parsed.ok) return failure(parsed.code, parsed.message);
  const spec = parsed.value;
  const root = local.type(relo.typeId);
  const base = { reloKind: relo.kind, local: describeSpec(spec), path: specPath(spec) };
  const searched = (): readonly TypeId[] => options.candidates ?? findCoreCandidates(root, target);

  if (relo.kind === 'type_id_local') {
    const id = BigInt(relo.typeId);
    return {
      kind: 'ok',
      ...base,
      localValue: id,
      value: id,
      validate: false,
      candidates: searched(),
      candidateId: undefined,
      target: undefined,
      localSize: 0,
      size: 0,
      sizeMismatch: undefined,
    };
  }
  if (root.name === '') return failure('anonymous', `${label(root)}: an anonymous root type has no name to look for in ${targetName}`);

  const endianness = target.endianness;
  const origStep = calcValue(relo.kind, spec, endianness);
  if (!origStep.ok) return failure(origStep.code, origStep.message);
  if (origStep.value === 'poison') throw new Error('core: the local spec asked for poisoning');
  const orig: CoreValue = origStep.value;

  const candidates = searched();
  const cls = reloClass(relo.kind);
  let chosen: { readonly spec: CoreSpec; readonly value: CoreValue } | undefined;
  const matched: TypeId[] = [];
  for (const id of candidates) {
    const m = cls === 'type' ? matchType(spec, target, id) : matchSpec(spec, target, id);
    if (!m.ok) return failure(m.code, m.message);
    if (m.value === undefined) continue;
    const v = calcValue(relo.kind, m.value, endianness);
    if (!v.ok) return failure(v.code, `in ${targetName}: ${v.message}`);
    if (v.value === 'poison') throw new Error('core: a matched spec asked for poisoning');
    if (chosen === undefined) {
      chosen = { spec: m.value, value: v.value };
    } else if (m.value.bitOffset !== chosen.spec.bitOffset) {
      return failure(
        'ambiguous',
        `${base.local}: ambiguous: candidates ${label(target.type(chosen.spec.rootId))} and ${label(target.type(id))} place it at offsets ${offsetText(chosen.spec.bitOffset)} and ${offsetText(m.value.bitOffset)}`,
      );
    } else if (v.value.value !== chosen.value.value) {
      return failure(
        'ambiguous',
        `${base.local}: ambiguous: candidates ${label(target.type(chosen.spec.rootId))} and ${label(target.type(id))} give ${chosen.value.value} and ${v.value.value}`,
      );
    }
    matched.push(id);
  }
  const common = { ...base, localValue: orig.value, validate: orig.validate, candidates: matched.length > 0 ? matched : candidates };

  if (chosen === undefined) {
    const none = calcValue(relo.kind, undefined, endianness);
    if (!none.ok) return failure(none.code, none.message);
    if (none.value === 'poison') {
      const missing = cls === 'enumval' ? 'enumerator' : 'field';
      const why = candidates.length === 0 ? `: it has no ${root.kind} named '${essentialName(root.name)}'` : '';
      return { kind: 'poison', ...common, missing, reason: `${missing} '${base.path}' not found in ${targetName}${why}` };
    }
    return {
      kind: 'ok',
      ...common,
      value: none.value.value,
      candidateId: undefined,
      target: undefined,
      localSize: orig.size,
      size: 0,
      sizeMismatch: undefined,
    };
  }

  return {
    kind: 'ok',
    ...common,
    value: chosen.value.value,
    candidateId: chosen.spec.rootId,
    target: describeSpec(chosen.spec),
    localSize: orig.size,
    size: chosen.value.size,
    sizeMismatch: sizeMismatch(local, orig, target, chosen.value, base.path, targetName),
  };
}

/** libbpf's memory size adjustment rule: a load or store may change size only for pointers and unsigned integers. */
function sizeMismatch(local: Btf, orig: CoreValue, target: Btf, next: CoreValue, path: string, targetName: string): string | undefined {
  if (orig.size === next.size) return undefined;
  const a = local.type(orig.typeId);
  const b = target.type(next.typeId);
  if (a.kind === 'ptr' && b.kind === 'ptr') return undefined;
  if (a.kind === 'int' && b.kind === 'int' && a.encoding !== 'signed' && b.encoding !== 'signed') return undefined;
  return `field '${path}' is ${orig.size} bytes in the program's BTF and ${next.size} in ${targetName}: only pointers and unsigned integers can be read or written at another size`;
}

/** The instruction a poisoned one becomes: `call 0xbad2310` (structurally an `@bpflab/isa` call `Insn`). */
export interface CorePoisonInsn {
  readonly kind: 'call';
  readonly helper: number;
}

/** The outcome of `applyCoreRelocation`. */
export type CorePatch<I> =
  /** the instruction with its immediate, offset (and maybe access size) relocated */
  | { readonly kind: 'patched'; readonly insn: I }
  /** the instruction replaced by calls of the invalid helper: one, or two for an `lddw` */
  | { readonly kind: 'poisoned'; readonly insns: readonly CorePoisonInsn[]; readonly reason: string }
  /** the instruction cannot take the relocation */
  | { readonly kind: 'error'; readonly code: CoreErrorCode; readonly message: string };

/** The instruction shapes CO-RE patches (a subset of `@bpflab/isa`'s `Insn`, which this package does not depend on). */
type AluLike = { readonly kind: 'alu'; readonly src: { readonly imm: number } | { readonly reg: number } };
type MemLike = { readonly kind: 'load' | 'store' | 'atomic'; readonly size: number; readonly off: number };
type LddwLike = { readonly kind: 'lddw'; readonly pseudo: string; readonly value: bigint };

const POISON: CorePoisonInsn = Object.freeze({ kind: 'call', helper: CORE_POISON_HELPER_ID });

function patchError<I>(code: CoreErrorCode, message: string): CorePatch<I> {
  return { kind: 'error', code, message };
}

/**
 * Patches `insn` with a resolved relocation, as libbpf's
 * `bpf_core_patch_insn` does:
 * - ALU with an immediate (`r1 = 8`, `r1 += 8`): the immediate (truncated to 32 bits);
 * - load, store, atomic: the offset (at most 32767); when the field's size
 *   changed and it is a pointer or an unsigned integer on both sides, the
 *   access size too (otherwise the instruction is poisoned);
 * - `lddw` of a plain constant: the 64-bit immediate.
 * Unless the result says not to validate, the instruction must hold the
 * value the program's BTF gives. A poisoned result poisons the
 * instruction. `insn` is an `@bpflab/isa` `Insn` (any value with its shapes).
 */
export function applyCoreRelocation<I extends { readonly kind: string }>(insn: I, result: CoreResolved | CorePoisoned): CorePatch<I> {
  const poisoned = (reason: string): CorePatch<I> => ({ kind: 'poisoned', insns: insn.kind === 'lddw' ? [POISON, POISON] : [POISON], reason });
  if (result.kind === 'poison') return poisoned(result.reason);
  const { localValue: orig, value } = result;
  const unexpected = (what: string, got: bigint | number): CorePatch<I> =>
    patchError('bad-insn', `unexpected ${what} ${String(got)}: the program's BTF gives ${orig} (to become ${value})`);
  switch (insn.kind) {
    case 'alu': {
      const alu = insn as unknown as AluLike;
      if (!('imm' in alu.src)) return patchError('bad-insn', 'the ALU instruction has a register operand, not an immediate to relocate');
      const imm = alu.src.imm | 0;
      if (result.validate && BigInt.asUintN(64, BigInt(imm)) !== orig) return unexpected('ALU immediate', imm);
      return { kind: 'patched', insn: { ...insn, src: { imm: Number(BigInt.asIntN(32, value)) } } };
    }
    case 'load':
    case 'store':
    case 'atomic': {
      const mem = insn as unknown as MemLike;
      if (result.validate && BigInt.asUintN(64, BigInt(mem.off)) !== orig) return unexpected(`${insn.kind} offset`, mem.off);
      if (value > 0x7fffn) return patchError('range', `offset ${value} does not fit the instruction's 16-bit offset`);
      if (result.sizeMismatch !== undefined) return poisoned(result.sizeMismatch);
      if (result.size === result.localSize) return { kind: 'patched', insn: { ...insn, off: Number(value) } };
      if (mem.size !== result.localSize) {
        return patchError('bad-insn', `the ${insn.kind} accesses ${mem.size} bytes, but the field is ${result.localSize} bytes in the program's BTF`);
      }
      const sizes = insn.kind === 'atomic' ? [4, 8] : [1, 2, 4, 8];
      if (!sizes.includes(result.size)) return patchError('bad-insn', `no ${insn.kind} size fits the ${result.size}-byte field`);
      return { kind: 'patched', insn: { ...insn, off: Number(value), size: result.size } };
    }
    case 'lddw': {
      const ld = insn as unknown as LddwLike;
      if (ld.pseudo !== 'imm64') return patchError('bad-insn', `the lddw instruction loads a ${ld.pseudo} reference, not a constant`);
      if (result.validate && BigInt.asUintN(64, ld.value) !== orig) return unexpected('lddw immediate', ld.value);
      return { kind: 'patched', insn: { ...insn, value } };
    }
    default:
      return patchError('bad-insn', `a ${insn.kind} instruction cannot take a CO-RE relocation`);
  }
}

