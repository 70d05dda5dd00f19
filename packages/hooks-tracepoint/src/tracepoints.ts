/**
 * The tracepoints of the simulated machine and their records, as the
 * tracefs `format` files describe them:
 *
 * - `raw_syscalls/sys_enter`: `long id` at 8, `unsigned long args[6]` at 16
 *   (`struct trace_event_raw_sys_enter`, 64 bytes);
 * - `raw_syscalls/sys_exit`: `long id` at 8, `long ret` at 16 (24 bytes);
 * - `syscalls/sys_enter_<name>`: `int __syscall_nr` at 8, then each
 *   argument as 8 bytes from 16 (`struct syscall_trace_enter`);
 * - `syscalls/sys_exit_<name>`: `int __syscall_nr` at 8, `long ret` at 16.
 *
 * Every record starts with the common fields (`struct trace_entry`):
 * `unsigned short common_type`, `unsigned char common_flags`,
 * `unsigned char common_preempt_count`, `int common_pid`.
 *
 * The raw tracepoints `sys_enter(struct pt_regs *regs, long id)` and
 * `sys_exit(struct pt_regs *regs, long ret)` are what `raw_tp/` and
 * `tp_btf/` programs attach to; their context is the arguments, one u64
 * each (`struct bpf_raw_tracepoint_args`).
 *
 * Event ids (`common_type`, the `id` file) are bpflab's own numbering;
 * Linux assigns them at boot.
 */
import { ctxLayout, type CtxFieldShorthand, type CtxLayout } from '@bpflab/kernel';
import { SYSCALLS, type Syscall } from './syscalls';

/** Which end of a system call a tracepoint fires at. */
export type SyscallPhase = 'enter' | 'exit';

/** One tracepoint (`/sys/kernel/tracing/events/<category>/<name>`). */
export interface TracepointDef {
  readonly category: string;
  readonly name: string;
  /** the event id (`common_type`) */
  readonly id: number;
  /** the record programs read */
  readonly layout: CtxLayout;
  readonly phase: SyscallPhase;
  /** for `syscalls/*`: the syscall it traces; undefined for `raw_syscalls/*`, which trace every syscall */
  readonly syscall: Syscall | undefined;
}

/** A raw tracepoint (`raw_tp/<name>`, `tp_btf/<name>`): its arguments. */
export interface RawTracepointDef {
  readonly name: string;
  readonly phase: SyscallPhase;
  /** the context of `raw_tp/` programs: the arguments as u64 scalars */
  readonly rawLayout: CtxLayout;
  /** the context of `tp_btf/` programs: the same, pointers typed by BTF */
  readonly btfLayout: CtxLayout;
  /** the prototype, for listings */
  readonly proto: string;
}

/** `PERF_MAX_TRACE_SIZE`: the most of a record a tracepoint program may read. */
export const PERF_MAX_TRACE_SIZE = 8192;
/** `MAX_BPF_FUNC_ARGS`: the arguments a raw tracepoint context can hold. */
export const MAX_BPF_FUNC_ARGS = 12;

type Fields = Record<string, CtxFieldShorthand>;

const COMMON: Fields = {
  common_type: [0, 2, 'scalar', { cType: 'unsigned short' }],
  common_flags: [2, 1, 'scalar', { cType: 'unsigned char' }],
  common_preempt_count: [3, 1, 'scalar', { cType: 'unsigned char' }],
  common_pid: [4, 4, 'scalar', { cType: 'int', signed: true }],
};

const RAW_ENTER = ctxLayout('struct trace_event_raw_sys_enter', 64, {
  ...COMMON,
  id: [8, 8, 'scalar', { cType: 'long', signed: true }],
  args: [16, 48, 'scalar', { cType: 'unsigned long[6]', read: [1, 2, 4, 8] }],
});

const RAW_EXIT = ctxLayout('struct trace_event_raw_sys_exit', 24, {
  ...COMMON,
  id: [8, 8, 'scalar', { cType: 'long', signed: true }],
  ret: [16, 8, 'scalar', { cType: 'long', signed: true }],
});

function enterLayout(s: Syscall): CtxLayout {
  const fields: Fields = { ...COMMON, __syscall_nr: [8, 4, 'scalar', { cType: 'int', signed: true }] };
  s.params.forEach((p, i) => {
    fields[p.name] = [16 + i * 8, 8, 'scalar', { cType: p.type }];
  });
  return ctxLayout('struct syscall_trace_enter', 16 + s.params.length * 8, fields);
}

function exitLayout(): CtxLayout {
  return ctxLayout('struct syscall_trace_exit', 24, {
    ...COMMON,
    __syscall_nr: [8, 4, 'scalar', { cType: 'int', signed: true }],
    ret: [16, 8, 'scalar', { cType: 'long', signed: true }],
  });
}

const EXIT = exitLayout();

function build(): readonly TracepointDef[] {
  const out: TracepointDef[] = [
    { category: 'raw_syscalls', name: 'sys_enter', id: 21, layout: RAW_ENTER, phase: 'enter', syscall: undefined },
    { category: 'raw_syscalls', name: 'sys_exit', id: 22, layout: RAW_EXIT, phase: 'exit', syscall: undefined },
  ];
  SYSCALLS.forEach((s, i) => {
    out.push({ category: 'syscalls', name: `sys_enter_${s.event}`, id: 300 + i * 2, layout: enterLayout(s), phase: 'enter', syscall: s });
    out.push({ category: 'syscalls', name: `sys_exit_${s.event}`, id: 301 + i * 2, layout: EXIT, phase: 'exit', syscall: s });
  });
  return Object.freeze(out.map((t) => Object.freeze(t)));
}

/** Every tracepoint, `raw_syscalls` first, then `syscalls` in syscall-number order. */
export const TRACEPOINTS: readonly TracepointDef[] = build();

const BY_PATH = new Map(TRACEPOINTS.map((t) => [`${t.category}/${t.name}`, t]));

/** The tracepoint `<category>/<name>`, or undefined. */
export function tracepointByPath(path: string): TracepointDef | undefined {
  return BY_PATH.get(path);
}

function rawTracepoint(name: string, phase: SyscallPhase, second: 'id' | 'ret'): RawTracepointDef {
  const regs = { cType: 'struct pt_regs *' };
  const last = [8, 8, 'scalar', { cType: 'long', signed: true }] as const;
  return Object.freeze({
    name,
    phase,
    rawLayout: ctxLayout('struct bpf_raw_tracepoint_args', 16, { regs: [0, 8, 'scalar', regs], [second]: last }),
    btfLayout: ctxLayout(`btf_trace_${name} arguments`, 16, { regs: [0, 8, 'btf_id', { btfType: 'struct pt_regs' }], [second]: last }),
    proto: `${name}(struct pt_regs *regs, long ${second})`,
  });
}

/** The raw tracepoints. */
export const RAW_TRACEPOINTS: readonly RawTracepointDef[] = Object.freeze([rawTracepoint('sys_enter', 'enter', 'id'), rawTracepoint('sys_exit', 'exit', 'ret')]);

/** The raw tracepoint `name`, or undefined. */
export function rawTracepointByName(name: string): RawTracepointDef | undefined {
  return RAW_TRACEPOINTS.find((t) => t.name === name);
}

/**
 * The generic context of `SEC("tracepoint/...")` programs: any aligned read
 * of the record after its 8-byte common header (`tp_prog_is_valid_access`
 * refuses offsets below `sizeof(void *)`: Linux answers `invalid
 * bpf_context access off=0 size=4` to a read of `common_type`).
 */
export const TRACEPOINT_CTX: CtxLayout = ctxLayout('struct trace_event_raw_* (the tracepoint\'s record)', PERF_MAX_TRACE_SIZE, {
  record: [8, PERF_MAX_TRACE_SIZE - 8, 'scalar', { read: [1, 2, 4, 8] }],
});

/** The generic context of `SEC("raw_tp/...")` programs (`raw_tp_prog_is_valid_access`). */
export const RAW_TRACEPOINT_CTX: CtxLayout = ctxLayout('struct bpf_raw_tracepoint_args', 8 * MAX_BPF_FUNC_ARGS, {
  args: [0, 8 * MAX_BPF_FUNC_ARGS, 'scalar', { cType: '__u64[12]', read: [1, 2, 4, 8] }],
});

/** The generic context of `SEC("tp_btf/...")` programs: twelve u64 argument slots; a tracepoint's own layout types its pointers. */
export const TP_BTF_CTX: CtxLayout = ctxLayout(
  'u64 args[] (the tracepoint\'s arguments)',
  8 * MAX_BPF_FUNC_ARGS,
  Object.fromEntries(Array.from({ length: MAX_BPF_FUNC_ARGS }, (_, i) => [`arg${i}`, [i * 8, 8, 'scalar', { cType: '__u64' }] as const])),
);
