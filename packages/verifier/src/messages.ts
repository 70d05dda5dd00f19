/**
 * Every line the verifier writes when it rejects a program, worded as the
 * Linux verifier words it (checked against a 6.18 kernel), so that students
 * meet the same messages here as in `bpftool prog load`. One entry per
 * message; the key is the error's stable `code`.
 */
export const msg = {
  /* -------------------------------------------------- control flow (cfg) */
  emptyProgram: () => `BPF program is empty`,
  unprivilegedType: (t: string) => `program type ${t} needs CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN); load it as root`,
  unreachableInsn: (i: number) => `unreachable insn ${i}`,
  jumpOutOfRange: (from: number, to: number) => `jump out of range from insn ${from} to ${to}`,
  jumpIntoLddw: (i: number) => `jump into the middle of ldimm64 insn ${i}`,
  lastInsnNotExit: () => `last insn is not an exit or jmp`,
  backEdge: (from: number, to: number) => `back-edge from insn ${from} to ${to}`,
  callToInvalidDest: () => `call to invalid destination`,
  subprogCallsNotAllowed: () =>
    `loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN`,
  unrecognizedLdImm64: () => `unrecognized bpf_ld_imm64 insn`,
  mapFdInvalid: (fd: number) => `fd ${fd} is not pointing to valid bpf_map`,
  directValueOffset: (off: number) => `direct value offset of ${off} is not allowed`,
  noDirectValueAccess: () => `no direct value access support for this map type`,
  invalidMapValuePointer: (valueSize: number, off: number) =>
    `invalid access to map value pointer, value_size=${valueSize} off=${off}`,
  unsupportedInsn: (what: string) => `${what}`,
  tooManyInsns: (n: number) => `BPF program is too large. Processed ${n} insn`,
  jumpSeqTooComplex: (n: number) => `The sequence of ${n} jumps is too complex.`,
  infiniteLoop: (i: number) => `infinite loop detected at insn ${i}`,
  callStackTooDeep: (depth: number) => `the call stack of ${depth} frames is too deep`,
  combinedStackTooLarge: (calls: number, depth: number) => `combined stack size of ${calls} calls is ${depth}. Too large`,
  subprogStackTooLarge: (idx: number, depth: number) => `stack size of subprog ${idx} is ${depth}. Too large`,
  tailCallStackTooLarge: (depth: number) =>
    `tail_calls are not allowed when call stack of previous frames is ${depth} bytes. Too large`,
  tailCallInSubprog: () => `tail_call is not allowed in subprogs without BTF`,
  ldAbsInSubprog: () => `LD_ABS is not allowed in subprogs without BTF`,

  /* ------------------------------------------------------------ registers */
  notReadOk: (r: number) => `R${r} !read_ok`,
  frameReadOnly: () => `frame pointer is read only`,
  invalidMemAccess: (r: number, t: string) => `R${r} invalid mem access '${t}'`,
  leaksAddrIntoMap: (r: number) => `R${r} leaks addr into map`,
  leaksAddrIntoMem: (r: number) => `R${r} leaks addr into mem`,
  leaksAddrIntoCtx: (r: number) => `R${r} leaks addr into ctx`,
  leaksAddrAsReturn: () => `R0 leaks addr as return value`,
  leaksAddrIntoHelper: (r: number, fn: string, id: number) => `R${r} leaks addr into helper function`,
  pointerComparison: (r: number) => `R${r} pointer comparison prohibited`,
  ptrPtrArith: (r: number, op: string) => `R${r} pointer ${op} pointer prohibited`,
  ptr32Arith: (r: number) => `R${r} 32-bit pointer arithmetic prohibited`,
  ptrArithNullable: (r: number, t: string) => `R${r} pointer arithmetic on ${t} prohibited, null-check it first`,
  ptrArith: (r: number, t: string) => `R${r} pointer arithmetic on ${t} prohibited`,
  ptrBitwise: (r: number, op: string) => `R${r} bitwise operator ${op} on pointer prohibited`,
  ptrArithOp: (r: number, op: string) => `R${r} pointer arithmetic with ${op} operator prohibited`,
  subPtrFromScalar: (r: number) => `R${r} tried to subtract pointer from scalar`,
  subFromStackPtr: (r: number) => `R${r} subtraction from stack pointer prohibited`,
  mathPtrConst: (t: string, v: bigint) => `math between ${t} pointer and ${v} is not allowed`,
  ptrOffsetNotAllowed: (t: string, off: number) => `${t} pointer offset ${off} is not allowed`,
  mathPtrUnboundedMin: (t: string) => `math between ${t} pointer and register with unbounded min value is not allowed`,
  valueMakesPtrOob: (v: bigint, t: string) => `value ${v} makes ${t} pointer be out of bounds`,
  mixedSignedBounds: (r: number) =>
    `R${r} has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root`,
  stackPtrArithOob: (r: number, off: number) =>
    `R${r} stack pointer arithmetic goes out of range, prohibited for !root; off=${off}`,
  varStackAccessUnpriv: (r: number, vo: string, off: number) =>
    `R${r} variable stack access prohibited for !root, var_off=${vo} off=${off}`,
  mapValueArithOob: (r: number) => `R${r} pointer arithmetic of map value goes out of range, prohibited for !root`,
  aluPtrType: (r: number) => `R${r} has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root`,
  aluPaths: (r: number, op: 'add' | 'sub') =>
    `R${r} tried to ${op} from different maps, paths or scalars, pointer arithmetic with it prohibited for !root`,
  aluLimit: (r: number, op: 'add' | 'sub') => `R${r} tried to ${op} beyond pointer bounds, pointer arithmetic with it prohibited for !root`,
  partialCopyOfPointer: (r: number) => `R${r} partial copy of pointer`,
  sext32Ptr: (r: number) => `R${r} sign-extension part of pointer`,
  aluOnPtr: (r: number) => `R${r} pointer arithmetic prohibited`,
  invalidShift: (v: bigint) => `invalid shift ${v}`,
  divByZero: () => `div by zero`,

  /* --------------------------------------------------------------- memory */
  invalidPacketAccess: (off: number, size: number, r: number, id: number, roff: number, range: number) =>
    `invalid access to packet, off=${off} size=${size}, R${r}(id=${id},off=${roff},r=${range})`,
  pktOffsetOutside: (r: number) => `R${r} offset is outside of the packet`,
  cannotWritePacket: () => `cannot write into packet`,
  invalidReadFromStackOff: (off: number, i: number, size: number) => `invalid read from stack off ${off}+${i} size ${size}`,
  invalidSizeOfReg: (r: number) => `invalid size of register spill`,
  invalidMapValueAccess: (valueSize: number, off: number, size: number) =>
    `invalid access to map value, value_size=${valueSize} off=${off} size=${size}`,
  invalidMapKeyAccess: (keySize: number, off: number, size: number) =>
    `invalid access to map key, key_size=${keySize} off=${off} size=${size}`,
  invalidMemRegionAccess: (memSize: number, off: number, size: number) =>
    `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`,
  minValueOutside: (r: number) => `R${r} min value is outside of the allowed memory range`,
  maxValueOutside: (r: number) => `R${r} max value is outside of the allowed memory range`,
  minValueNegative: (r: number) =>
    `R${r} min value is negative, either use unsigned index or do a if (index >=0) check.`,
  unboundedMemAccess: (r: number) =>
    `R${r} unbounded memory access, make sure to bounds check any such access`,
  invalidCtxAccess: (off: number, size: number) => `invalid bpf_context access off=${off} size=${size}`,
  modifiedCtxPtr: (t: string, r: number, off: number) => `dereference of modified ${t} ptr R${r} off=${off} disallowed`,
  negativeOffsetPtr: (t: string, r: number, off: number) => `negative offset ${t} ptr R${r} off=${off} disallowed`,
  variableCtxAccess: (t: string, vo: string) => `variable ${t} access var_off=${vo} disallowed`,
  misalignedAccess: (what: string, vo: string, regOff: number, off: number, size: number) =>
    `misaligned ${what}access off ${vo}+${regOff}+${off} size ${size}`,
  invalidStackRange: (dir: 'read from' | 'write to', r: number, off: number, size: number) =>
    `invalid ${dir} stack R${r} off=${off} size=${size}`,
  invalidVarStackRange: (dir: 'read from' | 'write to', r: number, vo: string, off: number, size: number) =>
    `invalid variable-offset ${dir} stack R${r} var_off=${vo} off=${off} size=${size}`,
  unboundedVarStack: (dir: 'read from' | 'write to', r: number) => `invalid unbounded variable-offset ${dir} stack R${r}`,
  invalidSizeOfRegFill: () => `invalid size of register fill`,
  leakingPointerFromStack: (off: number) => `leaking pointer from stack off ${off}`,
  corruptSpilledPointer: () => `attempt to corrupt spilled pointer on stack`,
  spillPtrToCallerStack: () => `cannot spill pointers to stack into stack frame of the caller`,
  varOffStackToHelper: (vo: string, off: number, size: number) =>
    `variable offset stack pointer cannot be passed into helper function; var_off=${vo} off=${off} size=${size}`,
  spilledPtrInVarWrite: (insn: number, off: number) =>
    `spilled ptr in range of var-offset stack write; insn ${insn}, ptr off: ${off}`,
  uninitInVarWrite: (insn: number, off: number) =>
    `uninit stack in range of var-offset write prohibited for !root; insn ${insn}, off: ${off}`,
  invalidStackReadAt: (r: number, off: number, i: number, size: number) =>
    `invalid read from stack R${r} off ${off}+${i} size ${size}`,
  invalidStackReadVar: (r: number, vo: string, i: number, size: number) =>
    `invalid read from stack R${r} var_off ${vo}+${i} size ${size}`,
  writeToMapKey: (r: number) => `write to change key R${r} not allowed`,
  mapWriteForbidden: (valueSize: number, off: number, size: number) =>
    `write into map forbidden, value_size=${valueSize} off=${off} size=${size}`,
  leaksAddrIntoPacket: (r: number) => `R${r} leaks addr into packet`,
  atomicNotAllowed: (r: number, t: string) => `BPF_ATOMIC stores into R${r} ${t} is not allowed`,
  sameInsnDifferentPtrs: () => `same insn cannot be used with different pointers`,
  writeToReadonly: (r: number, t: string) => `R${r} cannot write into ${t}`,
  ldAbsNotAllowed: () => `BPF_LD_[ABS|IND] instructions not allowed for this program type`,
  ldAbsNeedsR6Ctx: () => `at the time of BPF_LD_ABS|IND R6 != pointer to skb`,
  ldAbsHoldingRef: () => `BPF_LD_[ABS|IND] cannot be mixed with socket references`,

  /* ------------------------- BTF-typed context and kernel objects (btf_id) */
  btfCtxOffsetNotMultiple: (func: string, off: number) => `func '${func}' offset ${off} is not multiple of 8`,
  btfCtxNoSuchArg: (func: string, n: number) => `func '${func}' doesn't have ${n}-th argument`,
  btfCtxOnlyPointer: (func: string, arg: number, tname: string, kind: string) =>
    `func '${func}' arg${arg} '${tname}' has type ${kind}. Only pointer access is allowed`,
  btfCtxPtrSize: (func: string, size: number) => `func '${func}' size ${size} must be 8`,
  btfCtxNotStruct: (func: string, arg: number, kind: string) => `func '${func}' arg${arg} type ${kind} is not a struct`,
  /** not an error: the line `btf_ctx_access` logs when an argument loads as a pointer */
  btfCtxArgInfo: (func: string, arg: number, id: number, kind: string, name: string) =>
    `func '${func}' arg${arg} has btf_id ${id} type ${kind} '${name}'`,
  btfAccessNeedsPerfmon: (name: string) => `'struct ${name}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`,
  btfAccessNonGpl: (name: string) => `Cannot access kernel 'struct ${name}' from non-GPL compatible program`,
  btfNegativeAccess: (r: number, name: string, off: number) => `R${r} is ptr_${name} invalid negative access: off=${off}`,
  btfVariableOffset: (r: number, name: string, off: number, vo: string) =>
    `R${r} is ptr_${name} invalid variable offset: off=${off}, var_off=${vo}`,
  btfOnlyRead: () => `only read is supported`,
  btfNotAStruct: (name: string) => `Type '${name}' is not a struct`,
  btfAccessBeyondStruct: (name: string, off: number, size: number) => `access beyond struct ${name} at off ${off} size ${size}`,
  btfFieldNoSize: (name: string) => `field ${name} doesn't have size`,
  btfPtrMemberAccess: (member: string, moff: number, name: string, off: number, size: number) =>
    `cannot access ptr member ${member} with moff ${moff} in struct ${name} with off ${off} size ${size}`,
  btfBeyondMember: (member: string, mend: number, name: string, off: number, size: number) =>
    `access beyond the end of member ${member} (mend:${mend}) in struct ${name} with off ${off} size ${size}`,
  btfNoFieldAt: (name: string, off: number) => `struct ${name} doesn't have field at offset ${off}`,

  /* ---------------------------------------------------------------- calls */
  invalidFunc: (name: string, id: number) => `invalid func ${name}#${id}`,
  helperNotAllowed: (name: string, id: number) => `program of this type cannot use helper ${name}#${id}`,
  gplOnly: () => `cannot call GPL-restricted function from non-GPL compatible program`,
  argType: (r: number, t: string, expected: string) => `R${r} type=${t} expected=${expected}`,
  mapPtrExpected: () => `invalid map_ptr to access map->key`,
  invalidZeroSizeRead: (r: number) => `invalid zero-sized read`,
  minValueNegativeArg: (r: number) =>
    `R${r} min value is negative, either use unsigned or 'var &= const'`,
  unboundedSizeArg: (r: number) =>
    `R${r} unbounded memory access, use 'var &= const' or 'if (var < const)'`,
  mapFuncCompat: (mapType: number, fn: string, id: number) => `cannot pass map_type ${mapType} into func ${fn}#${id}`,
  unreleasedReference: (id: number, insn: number) => `Unreleased reference id=${id} alloc_insn=${insn}`,
  referenceLeakTailCall: () => `tail_call would lead to reference leak`,
  referenceLeak: (what: string) => `${what} would lead to reference leak`,
  releaseReferenceExpected: (r: number) => `R${r} must be referenced when passed to release function`,
  callbackNotFunc: (r: number) => `R${r} is not a function`,
  callbackNotAllowedForMap: () => `callback function not allowed for map`,

  helperPacketAccess: () => `helper access to the packet is not allowed`,
  zeroSizedRead: (r: number, lo: bigint, hi: bigint) => `R${r} invalid zero-sized read: u64=[${lo},${hi}]`,
  releaseNeedsZeroOffset: (r: number) => `R${r} must have zero offset when passed to release func`,
  notKnownConstant: (r: number) => `R${r} is not a known constant'`,
  notReadonlyMap: (r: number) => `R${r} does not point to a readonly map'`,
  helperMightSleep: () => `helper call might sleep in a non-sleepable prog`,
  mapWriteHelperForbidden: () => `write into map forbidden`,
  callReservedFields: () => `BPF_CALL uses reserved fields`,
  returnStackPointer: () => `cannot return stack pointer to the caller`,
  /** not kernel wording: features bpflab does not model yet */
  notModelled: (what: string) => `${what} is not modelled by bpflab yet`,

  /* --------------------------------------------------------------- return */
  returnRange: (what: string, reg: string, valueText: string, lo: bigint, hi: bigint) =>
    `${what} the register ${reg} has ${valueText} should have been in [${lo}, ${hi}]`,
  returnNotScalar: (reg: string) => `${reg} not a scalar value`,
  returnNotKnown: (t: string) => `At program exit the register R0 is not a known value (${t})`,
} as const;

/** Stable codes of verifier errors: the keys of the message catalog. */
export type MsgCode = keyof typeof msg;
