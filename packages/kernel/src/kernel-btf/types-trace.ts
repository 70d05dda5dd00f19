/**
 * Tracing: x86-64 registers (`pt_regs`, what kprobes see), the records of
 * the `raw_syscalls` tracepoints, the prototypes of the `tp_btf` tracepoints
 * (`btf_trace_*`) and of the LSM hooks BPF programs attach to.
 */
import { anonUnion, fnptr, func, struct, typedef, type KernelTypeDef } from './defs';

const PT_REGS_WORDS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip'];

/**
 * `struct pt_regs` of x86-64: 21 registers of 8 bytes, in the order the
 * entry code pushes them. Since Linux 6.9 `cs` and `ss` are 16-bit views in
 * unions with their full words (`csx`, `ssx`), as here.
 */
export const PT_REGS: KernelTypeDef = struct('pt_regs', 168, 'stable', [
  ...PT_REGS_WORDS.map((name, i) => [name, 'long unsigned int', i * 8] as const),
  [
    '',
    anonUnion(8, [
      ['cs', 'u16', 0],
      ['csx', 'u64', 0],
    ]),
    136,
  ],
  ['flags', 'long unsigned int', 144],
  ['sp', 'long unsigned int', 152],
  [
    '',
    anonUnion(8, [
      ['ss', 'u16', 0],
      ['ssx', 'u64', 0],
    ]),
    160,
  ],
]);

/** `struct trace_entry`: the header of every tracepoint record. */
export const TRACE_ENTRY: KernelTypeDef = struct('trace_entry', 8, 'stable', [
  ['type', 'short unsigned int', 0],
  ['flags', 'unsigned char', 2],
  ['preempt_count', 'unsigned char', 3],
  ['pid', 'int', 4],
]);

/** `struct trace_event_raw_sys_enter`: the record of `raw_syscalls/sys_enter` (syscall number and six arguments). */
export const SYS_ENTER: KernelTypeDef = struct('trace_event_raw_sys_enter', 64, 'stable', [
  ['ent', 'struct trace_entry', 0],
  ['id', 'long int', 8],
  ['args', 'long unsigned int[6]', 16],
  ['__data', 'char[0]', 64],
]);

/** `struct trace_event_raw_sys_exit`: the record of `raw_syscalls/sys_exit` (syscall number and return value). */
export const SYS_EXIT: KernelTypeDef = struct('trace_event_raw_sys_exit', 24, 'stable', [
  ['ent', 'struct trace_entry', 0],
  ['id', 'long int', 8],
  ['ret', 'long int', 16],
  ['__data', 'char[0]', 24],
]);

/** The arguments `SEC("tp_btf/sys_enter")` and `SEC("tp_btf/sys_exit")` programs get, after the context. */
export const BTF_TRACE: readonly KernelTypeDef[] = [
  typedef('btf_trace_sys_enter', fnptr('void', ['void *', 'struct pt_regs *', 'long int'])),
  typedef('btf_trace_sys_exit', fnptr('void', ['void *', 'struct pt_regs *', 'long int'])),
];

/** LSM hooks as BPF attaches to them (`SEC("lsm/file_open")` attaches to `bpf_lsm_file_open`). */
export const LSM_HOOKS: readonly KernelTypeDef[] = [
  func('bpf_lsm_file_open', 'int', [['file', 'struct file *']]),
  func('bpf_lsm_file_permission', 'int', [
    ['file', 'struct file *'],
    ['mask', 'int'],
  ]),
  func('bpf_lsm_bprm_check_security', 'int', [['bprm', 'struct linux_binprm *']]),
];

/** Every type of this file, in header order. */
export const TRACE_TYPES: readonly KernelTypeDef[] = [PT_REGS, TRACE_ENTRY, SYS_ENTER, SYS_EXIT, ...BTF_TRACE, ...LSM_HOOKS];
