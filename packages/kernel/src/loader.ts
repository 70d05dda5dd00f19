/**
 * The object loader: what libbpf's `bpf_object__load` does, against the
 * simulated kernel. From an `ObjectSpec`:
 *
 * 1. maps: BTF-defined and legacy maps (reusing a pinned map for
 *    `LIBBPF_PIN_BY_NAME` when its definition matches), the inner map
 *    template of a map of maps, global data sections as one-element arrays
 *    holding their initial bytes (`.rodata` frozen, read-only to programs),
 *    `.kconfig` filled with the kernel's configuration;
 * 2. initial slots of maps of maps;
 * 3. each program to load: map references become map fds, global
 *    variables references into their data map's value, callback addresses
 *    relative offsets, kconfig externs references into `.kconfig`, typeless
 *    ksyms their addresses; CO-RE relocations go to the kernel's relocator
 *    (a poisoned instruction the program can reach refuses the load, naming
 *    the relocation); then `BPF_PROG_LOAD` (verification included);
 * 4. initial slots of prog arrays, then pins.
 *
 * On any failure everything created is closed again, and the failure names
 * the map, program or extern concerned, in libbpf's words where it has some.
 */
import { slotIndex, type Insn } from '@bpflab/isa';
import type { MapSpec, ObjectSpec, ProgramSpec } from '@bpflab/object';
import { ERRNO, MAP_TYPE, PROG_LOAD_FLAG, type MapTypeName } from '@bpflab/uapi';
import { CORE_POISON_HELPER, type CorePoisonedInsn } from './core-relocator';
import { KernelError } from './errors';
import { reachableSlots } from './internal/core-reach';
import { resolveKconfig } from './kconfig';
import type { Kernel } from './kernel';
import type { KernelMap } from './objects';
import type { LoadedProgram } from './program';
import type { ProgLoadFailure } from './prog-load';

/** Per-map settings made between open and load. */
export interface MapOverrides {
  /** the initial value of a global data map (`bpf_map__set_initial_value`) */
  readonly initialValue?: Uint8Array;
  /** `bpf_map__set_max_entries` */
  readonly maxEntries?: number;
  /** where to pin (`bpf_map__set_pin_path`); `null`: do not pin */
  readonly pinPath?: string | null;
}

/** What to load. */
export interface ObjectLoadPlan {
  readonly spec: ObjectSpec;
  /** settings by map name (the map's `name`) */
  readonly maps: ReadonlyMap<string, MapOverrides>;
  /** names of the programs to load */
  readonly programs: ReadonlySet<string>;
  /** directory of `LIBBPF_PIN_BY_NAME` pins; default `/sys/fs/bpf` */
  readonly pinRoot: string;
}

/** Why an object failed to load. */
export type ObjectLoadFailureReason =
  /** a map could not be created, reused or pinned */
  | 'map'
  /** an extern could not be resolved */
  | 'extern'
  /** a program refers to something the object does not define */
  | 'relocation'
  /** the kernel refused a program before or outside verification */
  | 'program'
  /** the verifier refused a program */
  | 'verifier'
  /** something bpflab does not model */
  | 'unsupported';

/** A failed load. */
export interface ObjectLoadFailure {
  readonly ok: false;
  readonly errno: number;
  readonly message: string;
  readonly reason: ObjectLoadFailureReason;
  /** for `unsupported`: what */
  readonly feature?: string;
  readonly program?: string;
  readonly map?: string;
  /** the verifier log of a program that failed to load */
  readonly log?: string;
}

/** What a successful load created: fds and objects by name. */
export interface LoadedObjectParts {
  readonly ok: true;
  readonly mapFds: ReadonlyMap<string, number>;
  readonly maps: ReadonlyMap<string, KernelMap>;
  readonly programFds: ReadonlyMap<string, number>;
  readonly programs: ReadonlyMap<string, LoadedProgram>;
  /** verifier logs by program name */
  readonly logs: ReadonlyMap<string, string>;
  /** paths pinned by the load */
  readonly pins: ReadonlyMap<string, string>;
}

/** The default directory of `LIBBPF_PIN_BY_NAME` pins. */
export const DEFAULT_PIN_ROOT = '/sys/fs/bpf';

type Failure = Omit<ObjectLoadFailure, 'ok'>;

class LoadError {
  constructor(readonly failure: Failure) {}
}

function stop(failure: Failure): never {
  throw new LoadError(failure);
}

/** The u32 key 0 of a one-element array. */
const KEY0 = new Uint8Array(4);

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** Loads `plan` into `kernel` (see the module comment). */
export function loadObjectSpec(kernel: Kernel, plan: ObjectLoadPlan): LoadedObjectParts | ObjectLoadFailure {
  const bpf = kernel.bpf;
  const opened: number[] = [];
  const mapFds = new Map<string, number>();
  const programFds = new Map<string, number>();
  const logs = new Map<string, string>();
  const pins = new Map<string, string>();
  const { spec } = plan;
  const track = (fd: number): number => {
    opened.push(fd);
    return fd;
  };
  try {
    const toPin: [string, number][] = [];
    const reusedMaps = new Set<string>();
    for (const m of spec.maps) {
      const o = plan.maps.get(m.name) ?? {};
      const pinPath = o.pinPath === null ? undefined : (o.pinPath ?? (m.kind === 'btf' && m.pinning === 'by_name' ? `${plan.pinRoot}/${m.name}` : undefined));
      if (pinPath !== undefined) {
        const reused = reusePinned(kernel, m, o, pinPath);
        if (reused !== undefined) {
          mapFds.set(m.name, track(reused));
          pins.set(m.name, pinPath);
          reusedMaps.add(m.name);
          continue;
        }
      }
      const fd = track(createMap(kernel, spec, m, o));
      mapFds.set(m.name, fd);
      if (pinPath !== undefined) toPin.push([pinPath, fd]);
    }

    // initial slots are set in maps this load created, not in reused pinned ones
    for (const m of spec.maps) {
      if ((m.kind !== 'btf' && m.kind !== 'legacy') || reusedMaps.has(m.name)) continue;
      for (const slot of m.initialSlots) {
        if (slot.kind !== 'map') continue;
        const inner = mapFds.get(slot.name) ?? stop({ errno: ERRNO.EINVAL, reason: 'relocation', map: m.name, message: `map '${m.name}': slot ${slot.index} refers to map '${slot.name}', which the object does not define` });
        const r = bpf.mapUpdateElem(mapFds.get(m.name)!, u32(slot.index), u32(inner));
        if (!r.ok) stop({ errno: r.errno, reason: 'map', map: m.name, message: `map '${m.name}': failed to initialize slot [${slot.index}] to map '${slot.name}': ${r.message}` });
      }
    }

    const ksyms = resolveKsyms(kernel, spec);
    const loaded = new Map<string, LoadedProgram>();
    for (const p of spec.programs) {
      if (!plan.programs.has(p.name)) continue;
      const fd = track(loadProgramSpec(kernel, spec, p, mapFds, ksyms, logs));
      programFds.set(p.name, fd);
      const o = kernel.fds.get(fd);
      if (o?.kind === 'prog') loaded.set(p.name, o);
    }

    for (const m of spec.maps) {
      if ((m.kind !== 'btf' && m.kind !== 'legacy') || reusedMaps.has(m.name)) continue;
      for (const slot of m.initialSlots) {
        if (slot.kind !== 'program') continue;
        const progFd =
          programFds.get(slot.name) ??
          stop({ errno: ERRNO.EINVAL, reason: 'relocation', map: m.name, message: `map '${m.name}': slot ${slot.index} refers to program '${slot.name}', which is not loaded` });
        const r = bpf.mapUpdateElem(mapFds.get(m.name)!, u32(slot.index), u32(progFd));
        if (!r.ok) stop({ errno: r.errno, reason: 'map', map: m.name, message: `map '${m.name}': failed to initialize slot [${slot.index}] to program '${slot.name}': ${r.message}` });
      }
    }

    for (const [path, fd] of toPin) {
      const name = [...mapFds.entries()].find(([, f]) => f === fd)![0];
      const r = bpf.objPin(fd, path);
      if (!r.ok) stop({ errno: r.errno, reason: 'map', map: name, message: `map '${name}': failed to pin at '${path}': ${r.message}` });
      pins.set(name, path);
    }

    const maps = new Map<string, KernelMap>();
    for (const [name, fd] of mapFds) {
      const o = kernel.fds.get(fd);
      if (o?.kind === 'map') maps.set(name, o);
    }
    return { ok: true, mapFds, maps, programFds, programs: loaded, logs, pins };
  } catch (e) {
    for (const fd of opened) bpf.close(fd);
    if (e instanceof LoadError) return { ok: false, ...e.failure };
    throw e;
  }
}

/** `map_is_reuse_compat`: the fd of a matching pinned map, undefined when nothing is pinned there. */
function reusePinned(kernel: Kernel, m: MapSpec, o: MapOverrides, path: string): number | undefined {
  const got = kernel.bpf.objGet(path);
  if (!got.ok) {
    if (got.errno === ERRNO.ENOENT) return undefined;
    stop({ errno: got.errno, reason: 'map', map: m.name, message: `map '${m.name}': couldn't retrieve pinned map at '${path}': ${got.message}` });
  }
  const obj = kernel.fds.get(got.value);
  const want = { type: MAP_TYPE[m.type], keySize: m.keySize, valueSize: m.valueSize, maxEntries: o.maxEntries ?? m.maxEntries, flags: m.flags };
  const ok =
    obj?.kind === 'map' &&
    obj.map.type === want.type &&
    obj.map.keySize === want.keySize &&
    obj.map.valueSize === want.valueSize &&
    obj.map.maxEntries === want.maxEntries &&
    obj.map.flags === want.flags;
  if (!ok) {
    kernel.bpf.close(got.value);
    stop({ errno: ERRNO.EINVAL, reason: 'map', map: m.name, message: `map '${m.name}': couldn't reuse pinned map at '${path}': parameter mismatch` });
  }
  return got.value;
}

function createFailure(name: string, r: { readonly errno: number; readonly message: string; readonly unsupported?: boolean }, type: MapTypeName): never {
  if (r.unsupported === true) {
    stop({ errno: r.errno, reason: 'unsupported', map: name, feature: `map type BPF_MAP_TYPE_${type}`, message: `map '${name}': failed to create: ${r.message}` });
  }
  stop({ errno: r.errno, reason: 'map', map: name, message: `map '${name}': failed to create: ${r.message}` });
}

/** Creates one map of the object and fills its initial value; returns its fd. */
function createMap(kernel: Kernel, spec: ObjectSpec, m: MapSpec, o: MapOverrides): number {
  const bpf = kernel.bpf;
  const kernelName = m.name.slice(0, 15);
  let maxEntries = o.maxEntries ?? m.maxEntries;
  if (m.type === 'PERF_EVENT_ARRAY' && maxEntries === 0) maxEntries = kernel.cpus;
  let innerFd: number | undefined;
  if ((m.kind === 'btf' || m.kind === 'legacy') && m.inner !== undefined) {
    const inner = m.inner;
    const r = bpf.createMap({
      type: inner.type,
      name: inner.name.slice(0, 15),
      keySize: inner.keySize,
      valueSize: inner.valueSize,
      maxEntries: inner.maxEntries,
      flags: inner.flags,
      ...(spec.btf === undefined ? {} : { btf: spec.btf, btfKeyTypeId: inner.keyType, btfValueTypeId: inner.valueType }),
    });
    if (!r.ok) createFailure(inner.name, r, inner.type);
    const fd = kernel.fds.open(r.value);
    if (!fd.ok) stop({ errno: fd.errno, reason: 'map', map: m.name, message: `map '${m.name}': ${fd.message}` });
    innerFd = fd.value;
  }
  const r = bpf.createMap({
    type: m.type,
    name: kernelName,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries,
    flags: m.flags,
    ...(innerFd === undefined ? {} : { innerMapFd: innerFd }),
    ...(spec.btf === undefined || m.kind === 'legacy' ? {} : { btf: spec.btf, btfKeyTypeId: m.keyType, btfValueTypeId: m.valueType }),
  });
  if (innerFd !== undefined) bpf.close(innerFd);
  if (!r.ok) createFailure(m.name, r, m.type);
  const fd = kernel.fds.open(r.value);
  if (!fd.ok) stop({ errno: fd.errno, reason: 'map', map: m.name, message: `map '${m.name}': ${fd.message}` });
  const fail = (what: string, res: { readonly ok: boolean; readonly errno?: number; readonly message?: string }): void => {
    if (!res.ok) {
      bpf.close(fd.value);
      stop({ errno: res.errno ?? ERRNO.EINVAL, reason: 'map', map: m.name, message: `map '${m.name}': failed to ${what}: ${res.message ?? ''}` });
    }
  };
  switch (m.kind) {
    case 'data':
    case 'rodata':
    case 'bss': {
      const value = o.initialValue ?? m.data ?? new Uint8Array(m.valueSize);
      if (value.length !== m.valueSize) {
        bpf.close(fd.value);
        stop({ errno: ERRNO.EINVAL, reason: 'map', map: m.name, message: `map '${m.name}': the initial value is ${value.length} bytes, the section has ${m.valueSize}` });
      }
      fail('set its initial value', bpf.mapUpdateElem(fd.value, KEY0, value));
      if (m.kind === 'rodata') fail('freeze', bpf.mapFreeze(fd.value));
      break;
    }
    case 'kconfig': {
      const value = resolveKconfig(m.valueSize, spec.externs, kernel.kconfig, {
        kernelVersion: kernel.versionCode,
        hasBpfCookie: true,
        hasSyscallWrapper: true,
      });
      if (!value.ok) {
        bpf.close(fd.value);
        stop({ errno: value.errno, reason: 'extern', map: m.name, message: value.message });
      }
      fail('set its initial value', bpf.mapUpdateElem(fd.value, KEY0, value.value));
      fail('freeze', bpf.mapFreeze(fd.value));
      break;
    }
    default:
      if (o.initialValue !== undefined) {
        bpf.close(fd.value);
        stop({ errno: ERRNO.EINVAL, reason: 'map', map: m.name, message: `map '${m.name}': only global data maps take an initial value` });
      }
      break;
  }
  return fd.value;
}

/** Typeless `__ksym` variables resolved through kallsyms (0 for a missing weak one). */
function resolveKsyms(kernel: Kernel, spec: ObjectSpec): ReadonlyMap<string, bigint> {
  const out = new Map<string, bigint>();
  for (const ext of spec.externs) {
    if (ext.kind !== 'ksym' || ext.func || ext.type !== 0) continue;
    const sym = kernel.kallsyms.lookup(ext.name);
    if (sym !== undefined) out.set(ext.name, sym.address);
    else if (ext.weak) out.set(ext.name, 0n);
    else stop({ errno: ERRNO.ESRCH, reason: 'extern', message: `extern '${ext.name}' (strong): not resolved` });
  }
  return out;
}

function relocateFailure(p: ProgramSpec, pc: number, message: string, reason: ObjectLoadFailureReason = 'relocation', feature?: string): never {
  stop({ errno: ERRNO.EINVAL, reason, program: p.name, message: `prog '${p.name}': pc ${pc}: ${message}`, ...(feature === undefined ? {} : { feature }) });
}

function failureReason(r: ProgLoadFailure): ObjectLoadFailureReason {
  return r === 'rejected' ? 'verifier' : r === 'unsupported' ? 'unsupported' : 'program';
}

/** The relocations whose instruction a relocator that does not report them poisoned (a call of `0xbad2310` in their slot). */
function poisonedBy(p: ProgramSpec, insns: readonly Insn[]): CorePoisonedInsn[] {
  const { pcs } = slotIndex(insns);
  const at = new Map<number, Insn>();
  insns.forEach((insn, i) => at.set(pcs[i]!, insn));
  return p.coreRelocations.flatMap((c, relocation) => {
    const insn = at.get(c.pc);
    if (insn?.kind !== 'call' || insn.helper !== CORE_POISON_HELPER) return [];
    return [{ relocation, pc: c.pc, message: `CO-RE relocation #${relocation} at insn ${c.pc}: ${c.kind} of ${c.description}: the relocator poisoned the instruction` }];
  });
}

/** Relocates one program and loads it; returns its fd. */
function loadProgramSpec(
  kernel: Kernel,
  spec: ObjectSpec,
  p: ProgramSpec,
  mapFds: ReadonlyMap<string, number>,
  ksyms: ReadonlyMap<string, bigint>,
  logs: Map<string, string>,
): number {
  if (p.type === 'UNSPEC') {
    stop({ errno: ERRNO.EINVAL, reason: 'program', program: p.name, message: `prog '${p.name}': missing BPF prog type, check ELF section name '${p.section}'` });
  }
  const insns: Insn[] = p.insns.slice();
  const kconfigMap = spec.maps.find((m) => m.kind === 'kconfig');
  for (const rel of p.relocations) {
    const insn = insns[rel.insn];
    const ref = rel.ref;
    if (insn === undefined) throw new KernelError('bad-call', `prog '${p.name}': relocation at instruction ${rel.insn}, past the program's end`);
    switch (ref.kind) {
      case 'map': {
        const fd = mapFds.get(ref.map);
        if (fd === undefined) relocateFailure(p, rel.pc, `refers to map '${ref.map}', which the object does not define`);
        if (insn.kind !== 'lddw') relocateFailure(p, rel.pc, `the reference to map '${ref.map}' is not on an lddw instruction`);
        insns[rel.insn] = { ...insn, pseudo: 'map_fd', value: BigInt(fd) };
        break;
      }
      case 'global': {
        const fd = mapFds.get(ref.map);
        if (fd === undefined) relocateFailure(p, rel.pc, `refers to global data of '${ref.section}' (map '${ref.map}'), which the object does not define`);
        if (insn.kind !== 'lddw') relocateFailure(p, rel.pc, `the reference to '${ref.section}' is not on an lddw instruction`);
        insns[rel.insn] = { ...insn, pseudo: 'map_value', value: (BigInt(ref.offset) << 32n) | BigInt(fd) };
        break;
      }
      case 'subprog':
        if (insn.kind === 'lddw') insns[rel.insn] = { ...insn, pseudo: 'func', value: BigInt.asUintN(32, BigInt(ref.pc - (rel.pc + 1))) };
        break;
      case 'extern': {
        const ext = spec.externs.find((e) => e.name === ref.name);
        if (ext === undefined) relocateFailure(p, rel.pc, `refers to extern '${ref.name}', which the object does not declare`, 'extern');
        if (ext.kind === 'kconfig') {
          const fd = kconfigMap === undefined ? undefined : mapFds.get(kconfigMap.name);
          if (fd === undefined || insn.kind !== 'lddw') relocateFailure(p, rel.pc, `kconfig extern '${ref.name}' has no .kconfig map to live in`, 'extern');
          insns[rel.insn] = { ...insn, pseudo: 'map_value', value: (BigInt(ext.offset) << 32n) | BigInt(fd) };
        } else if (!ext.func && ext.type === 0) {
          if (insn.kind !== 'lddw') relocateFailure(p, rel.pc, `the reference to ksym '${ref.name}' is not on an lddw instruction`, 'extern');
          insns[rel.insn] = { kind: 'lddw', dst: insn.dst, pseudo: 'imm64', value: ksyms.get(ref.name) ?? 0n };
        } else {
          relocateFailure(
            p,
            rel.pc,
            `${ext.func ? 'kfunc' : 'typed ksym'} '${ref.name}' needs the kernel's BTF, which bpflab does not model yet`,
            'unsupported',
            ext.func ? 'kfunc calls' : 'typed __ksym variables',
          );
        }
        break;
      }
    }
  }
  let finalInsns: readonly Insn[] = insns;
  let poisoned: readonly CorePoisonedInsn[] = [];
  if (p.coreRelocations.length > 0) {
    const first = p.coreRelocations[0]!;
    if (kernel.btf === undefined || spec.btf === undefined) {
      stop({
        errno: ERRNO.ESRCH,
        reason: 'relocation',
        program: p.name,
        message: `prog '${p.name}': CO-RE relocation #0 at insn ${first.pc}: ${first.kind} of ${first.description} needs the kernel's BTF, and this kernel has none (KernelOptions.btf is null)`,
      });
    }
    const r = kernel.coreRelocator({ program: { ...p, insns }, objectBtf: spec.btf, kernelBtf: kernel.btf });
    if (!r.ok) stop({ errno: r.errno, reason: 'relocation', program: p.name, message: `prog '${p.name}': ${r.message}` });
    if ('poisoned' in r.value) {
      finalInsns = r.value.insns;
      poisoned = r.value.poisoned;
    } else {
      finalInsns = r.value;
      poisoned = poisonedBy(p, finalInsns);
    }
  }
  const flags = (p.sleepable ? PROG_LOAD_FLAG.SLEEPABLE : 0) | (p.xdpFrags ? PROG_LOAD_FLAG.XDP_HAS_FRAGS : 0);
  const r = kernel.bpf.progLoad({
    type: p.type,
    insns: finalInsns,
    license: spec.license ?? '',
    name: p.name.slice(0, 15),
    ...(p.expectedAttachType === undefined ? {} : { expectedAttachType: p.expectedAttachType }),
    flags,
    ...(spec.btf === undefined ? {} : { btf: spec.btf }),
    functions: p.functions,
    lineInfo: p.lineInfo,
    ...(p.attachTarget.kind === 'btf' ? { attachBtfName: attachBtfName(p.type, p.expectedAttachType, p.attachTarget.name) } : {}),
  });
  logs.set(p.name, r.log);
  if (!r.ok) {
    // the verifier refused a poisoned instruction (`invalid func unknown#195896080`): say which relocation it is
    const hit = r.pc === undefined ? undefined : poisoned.find((x) => x.pc === r.pc);
    if (hit !== undefined) stop({ errno: r.errno, reason: 'relocation', program: p.name, message: `prog '${p.name}': ${hit.message}`, log: r.log });
    stop({
      errno: r.errno,
      reason: failureReason(r.reason),
      program: p.name,
      message: `prog '${p.name}': failed to load: ${r.message}`,
      log: r.log,
      ...(r.feature === undefined ? {} : { feature: r.feature }),
    });
  }
  // When nothing verified the program, no verifier dropped its dead code or
  // refused a poisoned instruction it reaches: the loader decides which
  // poisoned instructions the program can reach (see internal/core-reach.ts).
  const prog = poisoned.length > 0 ? kernel.fds.get(r.value) : undefined;
  if (prog?.kind === 'prog' && prog.status === 'not-verified') {
    const live = reachableSlots(finalInsns, p.functions.map((f) => f.pc));
    const hit = poisoned.find((x) => live.has(x.pc));
    if (hit !== undefined) {
      kernel.bpf.close(r.value);
      stop({ errno: ERRNO.EINVAL, reason: 'relocation', program: p.name, message: `prog '${p.name}': ${hit.message}`, log: r.log });
    }
  }
  return r.value;
}

/**
 * The kernel BTF name of a program's attach target, with libbpf's prefixes:
 * `bpf_lsm_<hook>` for LSM, `btf_trace_<tracepoint>` for tp_btf, the
 * function itself for fentry/fexit and the rest.
 */
export function attachBtfName(type: string, attachType: string | undefined, name: string): string {
  if (type === 'LSM') return `bpf_lsm_${name}`;
  if (type === 'TRACING' && attachType === 'TRACE_RAW_TP') return `btf_trace_${name}`;
  return name;
}
