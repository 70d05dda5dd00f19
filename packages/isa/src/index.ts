// @bpflab/isa: the BPF instruction set (RFC 9669).
export type { AluOp, AtomicOp, Insn, InsnKind, JumpOp, LddwPseudo, Operand, Reg, Size } from './insn';
export { assertNever, isReg, isRegNumber, lddwHalves, LDDW_PSEUDO, slotIndex, slotsOf } from './insn';
export { decode, encode, encodeOne } from './codec';
export { IsaError, formatLocation } from './errors';
export type { IsaErrorCode, SourceLocation } from './errors';
export { ALU_OP, ATOMIC_IMM, CALL_SRC, CLASS, JMP_OP, MODE, OPCODE_LDDW, SIZE_BITS, SRC } from './opcodes';
export { assembleConformance, CONFORMANCE_MNEMONICS } from './conformance-asm';
export type { ConformanceAsmOptions } from './conformance-asm';
export { disassembleConformance, formatConformanceInsn } from './conformance-disasm';
export { assembleCase, findConformanceDir, parseDataFile, readDataFile } from './data-file';
export type { ConformanceCase, DataFileOptions, FindConformanceDirOptions } from './data-file';
export { assembleLlvm, assembleLlvmProgram } from './llvm-asm';
export type { LlvmAsmOptions, LlvmAsmProgram } from './llvm-asm';
export { DEFAULT_LLVM_DISASM_OPTIONS, disassembleLlvm, formatLlvmInsn, formatLlvmListing, LLVM_UNKNOWN } from './llvm-disasm';
export type { LlvmDisasmOptions, LlvmImmediateStyle, LlvmListingOptions, LlvmListingSection, LlvmVersion } from './llvm-disasm';
export { LLVM_ALU_OPERATOR, LLVM_JUMP_OPERATOR, signedType, unsignedType } from './llvm-syntax';
