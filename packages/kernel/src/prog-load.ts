/**
 * `BPF_PROG_LOAD`: checks a program as the kernel does before and around
 * its verifier, runs the verification step, and turns it into a loaded
 * program ready to run:
 *
 * 1. the attributes: program type, name, size, flags;
 * 2. every `lddw` that refers to a map (by fd) or a map value (global
 *    data) is resolved, and callback addresses (`BPF_PSEUDO_FUNC`) checked;
 * 3. the verifier (or the pass-through stand-in) sees the program with map
 *    references as indices into the maps it uses. Helper calls are the
 *    verifier's to judge, as in Linux: a helper Linux does not have
 *    (`invalid func`) or one the program type may not call (`program of
 *    this type cannot use helper`) is refused from the verifier, log and
 *    all, and only where a path reaches it; a call of `0xbad2310` (an
 *    instruction a failed CO-RE relocation poisoned) likewise;
 * 4. when nothing verified the program (the pass-through stand-in, or a
 *    type the verifier does not describe), the kernel checks every helper
 *    call itself with the same messages, since the VM relies on it;
 * 5. map references become the maps' addresses, callback references the
 *    functions' addresses in the program's code region, and the program
 *    gets its helper table (a helper bpflab does not implement is
 *    `unsupported`; calls the verifier accepted in dead code trap) and an
 *    engine.
 */
import { createHash } from 'node:crypto';
import type { Btf } from '@bpflab/btf';
import { encode, slotIndex, type Insn } from '@bpflab/isa';
import type { LinkedFunction, SourceLine } from '@bpflab/object';
import { ERRNO, HELPER, helperById, PROG_LOAD_FLAG, type AttachTypeName } from '@bpflab/uapi';
import { defineHelper, VmError, type AddressSpace, type Helper } from '@bpflab/vm';
import type { Clock } from './clock';
import { CORE_POISON_HELPER } from './core-relocator';
import { KernelError } from './errors';
import type { KernelObject } from './fds';
import type { HelperEnv } from './helpers/env';
import type { Kallsyms } from './kallsyms';
import type { KernelMap } from './objects';
import { LoadedProgram } from './program';
import type { ProgramTypeDef, ProgramTypeRegistry } from './program-types';
import type { Task } from './tasks';
import { licenseIsGplCompatible, type Verifier, type VerifierMap } from './verifier';

/** `BPF_COMPLEXITY_LIMIT_INSNS`: the most instructions a program loaded as root may have. */
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** `BPF_OBJ_NAME_LEN`: object names are at most 15 characters. */
export const BPF_OBJ_NAME_LEN = 16;

/** The attributes of `BPF_PROG_LOAD`. */
export interface ProgLoadAttr {
  /** `prog_type`: short name (`XDP`), kernel name or value */
  readonly type: string | number;
  /**
   * the instructions, with map references by fd: `lddw` `map_fd` (imm = fd),
   * `map_value` (imm = fd, next imm = offset), `func` (imm = relative
   * offset of the callback, as for a call)
   */
  readonly insns: readonly Insn[];
  readonly license: string;
  /** `prog_name`: at most 15 characters of `[A-Za-z0-9_.]` */
  readonly name?: string;
  readonly expectedAttachType?: AttachTypeName;
  /** `prog_flags` (`PROG_LOAD_FLAG`) */
  readonly flags?: number;
  /** the object's BTF (`prog_btf_fd`) */
  readonly btf?: Btf;
  /** the functions in `insns` (from BTF func info) */
  readonly functions?: readonly LinkedFunction[];
  /** C source lines by pc (BTF line info) */
  readonly lineInfo?: readonly SourceLine[];
  /** `attach_btf_id`, by name: the kernel function of an LSM, fentry/fexit or tp_btf program (`bpf_lsm_file_open`) */
  readonly attachBtfName?: string;
}

/** Why a load failed. */
export type ProgLoadFailure =
  /** the attributes or instructions are malformed (what the kernel refuses before or outside its verifier) */
  | 'invalid'
  /** the verifier refused the program */
  | 'rejected'
  /** the program needs something bpflab does not model */
  | 'unsupported';

/** The outcome of a program load. */
export type ProgLoadOutcome =
  | { readonly ok: true; readonly program: LoadedProgram; readonly log: string }
  | {
      readonly ok: false;
      readonly errno: number;
      readonly message: string;
      readonly log: string;
      readonly reason: ProgLoadFailure;
      /** for `unsupported`: what */
      readonly feature?: string;
      readonly pc?: number;
    };

/** What loading needs of the kernel. */
export interface ProgLoadEnv {
  readonly programTypes: ProgramTypeRegistry;
  readonly memory: AddressSpace;
  readonly kallsyms: Kallsyms;
  readonly verifier: Verifier;
  readonly budget: number;
  readonly clock: Clock;
  /** the process issuing the syscall */
  readonly process: Task;
  readonly helperEnv: HelperEnv;
  readonly baseHelpers: ReadonlyMap<number, Helper>;
  fdObject(fd: number): KernelObject | undefined;
  nextProgramId(): number;
  printk(message: string): void;
}

const NAME_RE = /^[A-Za-z0-9_.]*$/;
const LOAD_FLAGS_MASK = Object.values(PROG_LOAD_FLAG).reduce((a, b) => a | b, 0);

type Failure = Extract<ProgLoadOutcome, { ok: false }>;

function failure(reason: ProgLoadFailure, errno: number, message: string, extra: { feature?: string; pc?: number; log?: string } = {}): Failure {
  return { ok: false, reason, errno, message, log: extra.log ?? '', ...(extra.feature === undefined ? {} : { feature: extra.feature }), ...(extra.pc === undefined ? {} : { pc: extra.pc }) };
}

/** The first slot of each function: the given ones, or the program start plus every call and callback target. */
function functionStarts(insns: readonly Insn[], pcs: readonly number[], functions: readonly LinkedFunction[]): number[] {
  if (functions.length > 0) return [...new Set(functions.map((f) => f.pc))].sort((a, b) => a - b);
  const starts = new Set<number>([0]);
  insns.forEach((insn, i) => {
    if (insn.kind === 'call_local') starts.add(pcs[i]! + 1 + insn.off);
    if (insn.kind === 'lddw' && insn.pseudo === 'func') starts.add(pcs[i]! + 1 + Number(BigInt.asIntN(32, insn.value)));
  });
  return [...starts].sort((a, b) => a - b);
}

/** `prog->tag`: SHA-1 of the instructions with map fds zeroed, first 8 bytes in hex. */
function programTag(insns: readonly Insn[]): string {
  const scrubbed = insns.map((i): Insn =>
    i.kind === 'lddw' && (i.pseudo === 'map_fd' || i.pseudo === 'map_value') ? { ...i, value: i.value & ~0xffffffffn } : i,
  );
  return createHash('sha1').update(encode(scrubbed)).digest('hex').slice(0, 16);
}

/** Loads a program (see the module comment). */
export function loadProgram(k: ProgLoadEnv, attr: ProgLoadAttr): ProgLoadOutcome {
  const name = attr.name ?? '';
  const typeDef: ProgramTypeDef | undefined = k.programTypes.get(attr.type);
  if (typeDef === undefined) return failure('invalid', ERRNO.EINVAL, `prog_type ${String(attr.type)} is not a program type`);
  const label = `program ${name === '' ? '(unnamed)' : name}`;
  if (name.length >= BPF_OBJ_NAME_LEN || !NAME_RE.test(name)) {
    return failure('invalid', ERRNO.EINVAL, `${label}: prog_name must be at most ${BPF_OBJ_NAME_LEN - 1} characters of [A-Za-z0-9_.]`);
  }
  const flags = attr.flags ?? 0;
  if ((flags & ~LOAD_FLAGS_MASK) !== 0) return failure('invalid', ERRNO.EINVAL, `${label}: unknown prog_flags 0x${(flags & ~LOAD_FLAGS_MASK).toString(16)}`);
  const { pcs, slots } = slotIndex(attr.insns);
  if (slots === 0 || slots > BPF_COMPLEXITY_LIMIT_INSNS) {
    return failure('invalid', ERRNO.E2BIG, `${label}: ${slots} instructions: a program has 1 to ${BPF_COMPLEXITY_LIMIT_INSNS}`);
  }
  const functions = attr.functions ?? [];
  const starts = functionStarts(attr.insns, pcs, functions);
  const mainEnd = starts.find((s) => s > 0) ?? slots;
  const at = (pc: number) => `${label}: pc ${pc}`;

  // 2. map references and callback addresses
  const used: KernelMap[] = [];
  const usedFds: number[] = [];
  const indexOf = new Map<KernelMap, number>();
  const useMap = (m: KernelMap, fd: number): number => {
    let i = indexOf.get(m);
    if (i === undefined) {
      i = used.length;
      used.push(m);
      usedFds.push(fd);
      indexOf.set(m, i);
    }
    return i;
  };
  type Resolved = { readonly map: KernelMap; readonly offset: number } | { readonly func: number } | undefined;
  const resolved: Resolved[] = [];
  const verifierInsns: Insn[] = [];
  let writeUser = false;
  /** helper calls Linux refuses, by instruction index: their message */
  const refused = new Map<number, string>();
  for (let i = 0; i < attr.insns.length; i++) {
    const insn = attr.insns[i]!;
    const pc = pcs[i]!;
    resolved.push(undefined);
    verifierInsns.push(insn);
    switch (insn.kind) {
      case 'lddw': {
        if (insn.pseudo === 'imm64') break;
        if (insn.pseudo === 'map_fd' || insn.pseudo === 'map_value') {
          const fd = Number(BigInt.asIntN(32, insn.value));
          const o = k.fdObject(fd);
          if (o === undefined || o.kind !== 'map') return failure('invalid', ERRNO.EBADF, `${at(pc)}: fd ${fd} is not pointing to valid bpf_map`, { pc });
          const offset = insn.pseudo === 'map_value' ? Number(BigInt.asUintN(32, insn.value >> 32n)) : 0;
          if (insn.pseudo === 'map_value') {
            if (o.map.kind !== 'array') return failure('invalid', ERRNO.EINVAL, `${at(pc)}: no direct value access support for this map type (map ${o.map.name} is ${o.map.kind})`, { pc });
            const direct = o.map.directValueAddress(offset);
            if (!direct.ok) {
              return failure('invalid', ERRNO.EINVAL, `${at(pc)}: invalid access to map value pointer, value_size=${o.map.valueSize} off=${offset}: ${direct.message}`, { pc });
            }
          }
          const index = useMap(o, fd);
          resolved[i] = { map: o, offset };
          verifierInsns[i] = { ...insn, value: (BigInt(offset) << 32n) | BigInt(index) };
          break;
        }
        if (insn.pseudo === 'func') {
          const target = pc + 1 + Number(BigInt.asIntN(32, insn.value));
          if (!starts.includes(target) || target >= slots) {
            return failure('invalid', ERRNO.EINVAL, `${at(pc)}: the callback address points to pc ${target}, which does not start a function`, { pc });
          }
          resolved[i] = { func: target };
          break;
        }
        if (insn.pseudo === 'btf_id') {
          return failure('unsupported', ERRNO.EINVAL, `${at(pc)}: a typed kernel variable (BPF_PSEUDO_BTF_ID) needs the kernel's BTF, which bpflab does not model yet`, {
            pc,
            feature: 'BPF_PSEUDO_BTF_ID ksym',
          });
        }
        return failure('invalid', ERRNO.EINVAL, `${at(pc)}: lddw ${insn.pseudo} refers into fd_array, which this load does not pass`, { pc });
      }
      case 'call': {
        if (insn.helper === CORE_POISON_HELPER) break;
        const refusal = helperRefusal(typeDef, insn.helper);
        if (refusal !== undefined) {
          // the verifier's to judge (step 3); checked here after it only when nothing verified
          refused.set(i, refusal);
          break;
        }
        if (insn.helper === HELPER.tail_call && pc >= mainEnd) {
          return failure('unsupported', ERRNO.EINVAL, `${at(pc)}: bpf_tail_call from a BPF-to-BPF subprogram is not modelled by bpflab (call it from the program's main function)`, {
            pc,
            feature: 'bpf_tail_call in a subprogram',
          });
        }
        if (insn.helper === HELPER.probe_write_user) writeUser = true;
        break;
      }
      case 'call_kfunc':
        return failure('unsupported', ERRNO.EINVAL, `${at(pc)}: a kfunc call (BTF id ${insn.btfId}) needs the kernel's BTF and kfunc set, which bpflab does not model yet`, {
          pc,
          feature: 'kfunc calls',
        });
      case 'callx':
        return failure('invalid', ERRNO.EINVAL, `${at(pc)}: BPF_CALL uses reserved fields (callx is not part of Linux's BPF)`, { pc });
      default:
        break;
    }
  }

  if (writeUser) {
    k.printk(`${k.process.comm}[${k.process.pid}] is installing a program with bpf_probe_write_user helper that may corrupt user memory!`);
  }

  // prog_array maps take only programs of their owner's type
  for (const m of used) {
    if (m.map.kind === 'prog_array' && !m.map.checkOwner({ id: 0, type: typeDef.type })) {
      return failure('invalid', ERRNO.EINVAL, `${label}: the prog_array ${m.map.name} holds programs of another type than ${typeDef.name}`);
    }
  }

  // 3. verification
  const gplCompatible = licenseIsGplCompatible(attr.license);
  const maps: VerifierMap[] = used.map((m, index) => ({
    index,
    fd: usedFds[index]!,
    info: m.map.info,
    btf: m.btf,
    keyType: m.keyType,
    valueType: m.valueType,
  }));
  const verdict = k.verifier(
    {
      name,
      insns: verifierInsns,
      license: attr.license,
      gplCompatible,
      expectedAttachType: attr.expectedAttachType,
      functions,
      lineInfo: attr.lineInfo ?? [],
      btf: attr.btf,
      flags,
      ...(attr.attachBtfName === undefined ? {} : { attachBtfName: attr.attachBtfName }),
    },
    typeDef,
    maps,
  );
  if (!verdict.ok) {
    const first = verdict.errors[0];
    return failure('rejected', verdict.errno ?? ERRNO.EACCES, `${label}: the verifier refused it${first === undefined ? '' : `: ${first.message}`}`, {
      log: verdict.log,
      ...(first?.pc === undefined ? {} : { pc: first.pc }),
    });
  }

  // 4. helper calls, when nothing verified the program
  const [firstRefused] = refused;
  if (verdict.verified === false && firstRefused !== undefined) {
    const [i, message] = firstRefused;
    return failure('invalid', ERRNO.EINVAL, `${at(pcs[i]!)}: ${message}`, { pc: pcs[i]! });
  }

  // 5. the helper table, and helpers bpflab does not implement
  const table = new Map<number, Helper>();
  for (const [id, h] of k.baseHelpers) if (typeDef.helpers.has(id)) table.set(id, h);
  for (const [id, h] of typeDef.extraHelpers?.(k.helperEnv) ?? new Map<number, Helper>()) table.set(id, h);
  for (let i = 0; i < attr.insns.length; i++) {
    const insn = attr.insns[i]!;
    if (insn.kind !== 'call' || table.has(insn.helper)) continue;
    if (insn.helper === CORE_POISON_HELPER) {
      table.set(CORE_POISON_HELPER, POISONED_CORE_RELOCATION);
      continue;
    }
    const message = refused.get(i);
    if (message !== undefined) {
      // the verifier accepted the program: no path reaches this call (Linux removes such dead code)
      table.set(insn.helper, deadCodeHelper(message));
      continue;
    }
    const fullName = `${helperById(insn.helper)!.fullName}#${insn.helper}`;
    return failure('unsupported', ERRNO.EINVAL, `${at(pcs[i]!)}: helper ${fullName} is not modelled by bpflab`, {
      pc: pcs[i]!,
      feature: `helper ${fullName}`,
    });
  }

  // the runnable form
  const id = k.nextProgramId();
  const code = k.memory.allocate({ name: `prog:${name === '' ? `#${id}` : name}`, kind: 'kernel', size: slots * 8, writable: false });
  const xlated = attr.insns.map((insn, i): Insn => {
    const r = resolved[i];
    if (insn.kind !== 'lddw' || r === undefined) return insn;
    const value = 'func' in r ? code.start + r.func * 8 : r.map.map.kind === 'array' && insn.pseudo === 'map_value' ? unwrap(r.map.map.directValueAddress(r.offset)) : r.map.map.address;
    return { kind: 'lddw', dst: insn.dst, pseudo: 'imm64', value: BigInt(value) };
  });
  let program: LoadedProgram;
  try {
    program = new LoadedProgram(
      {
        id,
        name,
        typeDef,
        expectedAttachType: attr.expectedAttachType,
        license: attr.license,
        gplCompatible,
        flags,
        insns: attr.insns,
        xlated,
        tag: programTag(attr.insns),
        code,
        helpers: table,
        maps: used,
        status: verdict.verified === false ? 'not-verified' : 'verified',
        verifierLog: verdict.log,
        functions,
        lineInfo: attr.lineInfo ?? [],
        btf: attr.btf,
        loadTimeNs: k.clock.now(),
        loaderPid: k.process.pid,
      },
      k.memory,
      k.budget,
      k.kallsyms,
    );
    program.engine();
  } catch (e) {
    k.memory.free(code);
    if (e instanceof VmError) return failure('invalid', ERRNO.EINVAL, `${label}: ${e.message}`, { log: verdict.log, ...(e.pc === undefined ? {} : { pc: e.pc }) });
    throw e;
  }
  for (const m of used) m.hold();
  k.kallsyms.add({ name: program.symbol, address: code.start, size: code.size, type: 't', module: 'bpf' });
  return { ok: true, program, log: verdict.log };
}

/**
 * Why Linux refuses a call of helper `id` from a program of this type
 * (`check_helper_call`), or `undefined` when it may call it.
 */
function helperRefusal(typeDef: ProgramTypeDef, id: number): string | undefined {
  const proto = helperById(id);
  if (proto === undefined) return `invalid func unknown#${id}`;
  if (!typeDef.helpers.has(id)) return `program of this type cannot use helper ${proto.fullName}#${id}`;
  return undefined;
}

/** A refused helper call the verifier accepted because no path reaches it: running it is a bpflab bug. */
function deadCodeHelper(message: string): Helper {
  return defineHelper('dead_code_call', () => {
    throw new KernelError('run-fault', `${message}: the verifier found no path to this call, yet the program reached it`);
  });
}

/** What a poisoned CO-RE instruction does if an unverified program reaches it. */
const POISONED_CORE_RELOCATION: Helper = defineHelper('poisoned_core_relocation', () => {
  throw new KernelError('run-fault', `invalid func unknown#${CORE_POISON_HELPER}: the program reached an instruction a failed CO-RE relocation poisoned`);
});

function unwrap(r: { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string }): number {
  if (!r.ok) throw new Error(`bpflab kernel internal error: a checked map value address failed: ${r.message}`);
  return r.value;
}
