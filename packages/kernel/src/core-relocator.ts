/**
 * The kernel's default CO-RE relocator: libbpf's CO-RE step of
 * `bpf_object__load`. Every CO-RE record of a program (a field read through
 * a `preserve_access_index` struct of `vmlinux.h`, `BPF_CORE_READ`,
 * `bpf_core_field_exists`, `bpf_core_type_size`, `bpf_core_enum_value`...)
 * is resolved against the kernel's BTF by `@bpflab/btf`'s
 * `resolveCoreRelocation`, and its instruction patched.
 *
 * Records are taken in the program's order, and the candidates of a local
 * type narrow from one record to the next as in libbpf's candidate cache
 * (which libbpf keeps for the whole object; here it lives for one program,
 * so the outcome does not depend on the order programs are loaded in).
 * A relocation whose field or enumerator the kernel lacks poisons its
 * instruction (a call of helper `0xbad2310`); the loader then refuses the
 * program if that instruction is reachable, naming the relocation:
 *
 * ```
 * prog 'handle': CO-RE relocation #2 at insn 5: field 'task_struct.pidx' not found in the kernel's BTF
 * ```
 *
 * Anything else that cannot be resolved (an ambiguous match, an
 * instruction that does not hold what the program's BTF says) fails the
 * load with EINVAL (E2BIG, ERANGE) and a message naming the relocation.
 */
import { applyCoreRelocation, CORE_POISON_HELPER_ID, resolveCoreRelocation, type CoreErrorCode, type TypeId } from '@bpflab/btf';
import type { Insn } from '@bpflab/isa';
import { ERRNO } from '@bpflab/uapi';
import type { CoreRelocationRequest } from './kernel';
import { fail, ok, type SysResult } from './result';

/** The helper id libbpf's poisoned instructions call: `0xbad2310` (195896080). */
export const CORE_POISON_HELPER = CORE_POISON_HELPER_ID;

/** An instruction a CO-RE relocation poisoned. */
export interface CorePoisonedInsn {
  /** index of the relocation in the program's `coreRelocations` */
  readonly relocation: number;
  /** slot of the poisoned instruction (an `lddw` poisons two slots from here) */
  readonly pc: number;
  /** why, naming the relocation: `CO-RE relocation #2 at insn 5: field 'task_struct.pidx' not found in the kernel's BTF` */
  readonly message: string;
}

/** A program with its CO-RE relocations applied, and what they poisoned. */
export interface CoreRelocatedProgram {
  readonly insns: readonly Insn[];
  readonly poisoned: readonly CorePoisonedInsn[];
}

const ERRNO_OF: Readonly<Record<CoreErrorCode, number>> = {
  'bad-access': ERRNO.EINVAL,
  anonymous: ERRNO.EINVAL,
  ambiguous: ERRNO.EINVAL,
  bitfield: ERRNO.E2BIG,
  'array-access': ERRNO.EINVAL,
  unsized: ERRNO.EINVAL,
  'too-deep': ERRNO.E2BIG,
  'bad-insn': ERRNO.EINVAL,
  range: ERRNO.ERANGE,
};

/** How the kernel's relocation messages name its BTF. */
const TARGET_NAME = "the kernel's BTF";

function isPoison(insn: Insn): boolean {
  return insn.kind === 'call' && insn.helper === CORE_POISON_HELPER;
}

/**
 * Resolves and applies a program's CO-RE relocations against the kernel's
 * BTF (see the module comment): the relocated instructions and the
 * poisoned ones, or the errno and message of the first relocation that
 * cannot be resolved.
 */
export function defaultCoreRelocator(request: CoreRelocationRequest): SysResult<CoreRelocatedProgram> {
  const { program, objectBtf } = request;
  const target = request.kernelBtf.btf;
  const replaced = new Map<number, readonly Insn[]>();
  const candidates = new Map<TypeId, readonly TypeId[]>();
  const poisoned: CorePoisonedInsn[] = [];
  for (let i = 0; i < program.coreRelocations.length; i++) {
    const relo = program.coreRelocations[i]!;
    const where = `CO-RE relocation #${i} at insn ${relo.pc}`;
    const known = candidates.get(relo.typeId);
    const r = resolveCoreRelocation(objectBtf, target, relo, { targetName: TARGET_NAME, ...(known === undefined ? {} : { candidates: known }) });
    if (r.kind === 'error') return fail(ERRNO_OF[r.code], `${where}: ${relo.kind}: ${r.message}`);
    candidates.set(relo.typeId, r.candidates);
    const current = replaced.get(relo.insn) ?? (program.insns[relo.insn] === undefined ? [] : [program.insns[relo.insn]!]);
    if (current.length === 0) return fail(ERRNO.EINVAL, `${where}: the program has no instruction #${relo.insn}`);
    if (isPoison(current[0]!)) continue;
    const patch = applyCoreRelocation(current[0]!, r);
    switch (patch.kind) {
      case 'patched':
        replaced.set(relo.insn, [patch.insn]);
        break;
      case 'poisoned':
        replaced.set(relo.insn, patch.insns);
        poisoned.push({ relocation: i, pc: relo.pc, message: `${where}: ${patch.reason}` });
        break;
      case 'error':
        return fail(ERRNO_OF[patch.code], `${where}: ${relo.kind} of ${r.local}: ${patch.message}`);
    }
  }
  const insns: Insn[] = [];
  program.insns.forEach((insn, i) => insns.push(...(replaced.get(i) ?? [insn])));
  return ok({ insns, poisoned });
}
