/**
 * `bpf/bpf_tracing.h`: reading arguments of traced functions. The
 * `PT_REGS_*` accessors name the x86-64 registers of `struct pt_regs` (the
 * simulated kernel is x86-64); `BPF_PROG`, `BPF_KPROBE` and `BPF_KRETPROBE`
 * turn a program's context into typed, named arguments.
 */
import { comment, header, macroToolkit, MAX_MACRO_ARGS, params, type GeneratedHeader } from './common';

/** The accessors and the x86-64 register each reads, kernel and user-space spelling. */
const REGS: readonly (readonly [macro: string, kernel: string, user: string, what: string])[] = [
  ['PARM1', 'di', 'rdi', 'first argument'],
  ['PARM2', 'si', 'rsi', 'second argument'],
  ['PARM3', 'dx', 'rdx', 'third argument'],
  ['PARM4', 'cx', 'rcx', 'fourth argument'],
  ['PARM5', 'r8', 'r8', 'fifth argument'],
  ['PARM6', 'r9', 'r9', 'sixth argument'],
  ['RET', 'sp', 'rsp', 'where the return address is (the stack pointer at entry)'],
  ['FP', 'bp', 'rbp', 'frame pointer'],
  ['RC', 'ax', 'rax', 'return value (in a kretprobe)'],
  ['SP', 'sp', 'rsp', 'stack pointer'],
  ['IP', 'ip', 'rip', 'instruction pointer'],
];

/** How many arguments BPF_KPROBE can name: the registers that pass them. */
const KPROBE_ARGS = 6;

/** Architectures libbpf knows through `-D__TARGET_ARCH_<arch>`, other than x86. */
const OTHER_ARCHES = ['arm', 'arm64', 'mips', 'powerpc', 's390', 'sparc', 'riscv', 'loongarch', 'arc'];

function regMacros(): string {
  const width = Math.max(...REGS.map(([m]) => m.length));
  const kernel = REGS.map(([m, k]) => `#define __bpflab_reg_${m.padEnd(width)} ${k}`).join('\n');
  const user = REGS.map(([m, , u]) => `#define __bpflab_reg_${m.padEnd(width)} ${u}`).join('\n');
  const plain = REGS.map(
    ([m, , , what]) => `${comment([`PT_REGS_${m}(ctx): ${what}`])}\n#define PT_REGS_${m}(x) (((const struct pt_regs *)(x))->__bpflab_reg_${m})`,
  ).join('\n');
  const core = REGS.map(
    ([m]) => `#define PT_REGS_${m}_CORE(x) BPF_CORE_READ((struct pt_regs *)(x), __bpflab_reg_${m})`,
  ).join('\n');
  return `#if defined(__KERNEL__) || defined(__VMLINUX_H__)
${comment(['The kernel\'s struct pt_regs, as "vmlinux.h" declares it.'])}
${kernel}
#else
${comment(['The user-space struct pt_regs of <asm/ptrace.h> (<linux/ptrace.h>).'])}
${user}
#endif

${plain}

${comment([
  'The same, read with BPF_CORE_READ (include <bpf/bpf_core_read.h>): for a',
  'struct pt_regs the program may not dereference directly.',
])}
${core}`;
}

/** `#define __bpflab_<kind>_args_N(a1..aN) ctx, <cast of 1>, ..., <cast of N>` for N = 0..max. */
function argLists(kind: string, max: number, arg: (i: number) => string): string {
  const out: string[] = [];
  for (let n = 0; n <= max; n++) {
    const casts = Array.from({ length: n }, (_, i) => `, ${arg(i)}`).join('');
    out.push(`#define __bpflab_${kind}_args_${n}(${params(n, 'a').join(', ')}) ctx${casts}`);
  }
  return out.join('\n');
}

/**
 * A macro that defines `name(ctx)` calling an inline `__bpflab_body_name`
 * whose parameters are the named arguments; the program's own `{ ... }`
 * becomes that inline function's body.
 */
function wrapper(macro: string, ctxType: string, kind: string): string {
  return `#define ${macro}(name, ...) \\
name(${ctxType} *ctx); \\
static __always_inline typeof(name(0)) \\
__bpflab_body_##name(${ctxType} *ctx, ##__VA_ARGS__); \\
typeof(name(0)) name(${ctxType} *ctx) \\
{ \\
	_Pragma("GCC diagnostic push") \\
	_Pragma("GCC diagnostic ignored \\"-Wint-conversion\\"") \\
	return __bpflab_body_##name( \\
		__bpflab_concat(__bpflab_${kind}_args_, __bpflab_narg(__VA_ARGS__))(__VA_ARGS__)); \\
	_Pragma("GCC diagnostic pop") \\
} \\
static __always_inline typeof(name(0)) \\
__bpflab_body_##name(${ctxType} *ctx, ##__VA_ARGS__)`;
}

/** Generate `bpf/bpf_tracing.h`. */
export function bpfTracingHeader(): GeneratedHeader {
  const others = OTHER_ARCHES.map((a) => `defined(__TARGET_ARCH_${a})`).join(' || \\\n    ');
  const body = `
${macroToolkit()}

${comment([
  'bpflab simulates an x86-64 kernel, so struct pt_regs is x86-64\'s on every',
  'build machine; -D__TARGET_ARCH_x86 is accepted and changes nothing.',
])}
#if ${others}
#error "bpflab's bpf_tracing.h knows x86-64's struct pt_regs only: build without -D__TARGET_ARCH_<arch> or with -D__TARGET_ARCH_x86"
#else /* the rest of the header */

struct pt_regs;

${regMacros()}

${comment([
  'The argument lists the wrappers below pass: the context first, then each',
  'argument as a void * the compiler converts to the declared parameter type',
  '(integers too: -Wint-conversion is silenced around the call).',
])}
${argLists('prog', MAX_MACRO_ARGS, (i) => `(void *)ctx[${i}]`)}
${argLists('kprobe', KPROBE_ARGS, (i) => `(void *)PT_REGS_PARM${i + 1}(ctx)`)}
#define __bpflab_kretprobe_args_0() ctx
#define __bpflab_kretprobe_args_1(a1) ctx, (void *)PT_REGS_RC(ctx)

${comment([
  'SEC("lsm/file_open") int BPF_PROG(name, struct file *file, int ret) { ... }',
  'For programs whose context is an array of u64 arguments (tp_btf, fentry,',
  `fexit, fmod_ret, lsm, struct_ops): up to ${MAX_MACRO_ARGS} typed arguments; ctx stays in scope.`,
])}
${wrapper('BPF_PROG', 'unsigned long long', 'prog')}

${comment([
  'SEC("kprobe/do_unlinkat") int BPF_KPROBE(name, int dfd, struct filename *name)',
  `For kprobes and uprobes: up to ${KPROBE_ARGS} arguments from the registers that pass them.`,
])}
${wrapper('BPF_KPROBE', 'struct pt_regs', 'kprobe')}
#define BPF_UPROBE(name, ...) BPF_KPROBE(name, ##__VA_ARGS__)

${comment([
  'SEC("kretprobe/do_unlinkat") int BPF_KRETPROBE(name, long ret)',
  'For kretprobes and uretprobes: at most one argument, the return value.',
])}
${wrapper('BPF_KRETPROBE', 'struct pt_regs', 'kretprobe')}
#define BPF_URETPROBE(name, ...) BPF_KRETPROBE(name, ##__VA_ARGS__)

#endif /* x86-64 */
`;
  return header(
    'bpf/bpf_tracing.h',
    [
      'Arguments of traced functions: PT_REGS_PARM1..6, PT_REGS_RC and',
      'PT_REGS_IP/SP/FP for x86-64, their _CORE forms, and the BPF_PROG,',
      'BPF_KPROBE and BPF_KRETPROBE program wrappers.',
    ],
    'bpf-tracing.ts',
    body,
  );
}
