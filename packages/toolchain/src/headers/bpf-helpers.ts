/**
 * `bpf/bpf_helpers.h`: the section and map-definition macros, `bpf_printk`,
 * `bpf_tail_call_static`, and one declaration per helper of @bpflab/uapi's
 * helper table — what libbpf's `bpf_helpers.h` and `bpf_helper_defs.h`
 * give a program, written from the table and the documented meaning of
 * each macro.
 */
import { HELPER, HELPERS, type Helper } from '@bpflab/uapi';
import { comment, guardOf, header, MAX_MACRO_ARGS, macroToolkit, params, type GeneratedHeader } from './common';
import { ToolchainError } from '../errors';

/** A helper's C prototype, split for the function-pointer declaration. */
export interface HelperDecl {
  readonly helper: Helper;
  /** the return type as written (`void *`, `long`, `struct bpf_sock *`) */
  readonly ret: string;
  /** the parameter list as written, without parentheses (`void *map, const void *key`) */
  readonly params: string;
}

/**
 * Split a helper's `prototype` (`void *bpf_map_lookup_elem(void *map, const void *key)`)
 * into return type and parameters.
 *
 * @throws ToolchainError `bad-helper-table` when the prototype does not name the helper
 */
export function splitPrototype(helper: Helper): HelperDecl {
  const m = /^(.+?)\s*\b(bpf_\w+)\((.*)\)$/.exec(helper.prototype.trim());
  if (m === null || m[2] !== helper.fullName) {
    throw new ToolchainError(
      'bad-helper-table',
      `helper ${helper.id}: prototype does not declare ${helper.fullName}: ${helper.prototype}`,
    );
  }
  return { helper, ret: (m[1] ?? '').trim(), params: (m[3] ?? '').trim() };
}

/** Every `struct X` named by a helper prototype, sorted. */
export function prototypeStructs(decls: readonly HelperDecl[]): readonly string[] {
  const names = new Set<string>();
  for (const d of decls) {
    for (const m of d.helper.prototype.matchAll(/\bstruct\s+(\w+)/g)) names.add(m[1] ?? '');
  }
  return [...names].sort();
}

/** `static <ret> (* const bpf_<name>)(<params>) = (void *) <id>;` */
export function helperDeclaration(d: HelperDecl): string {
  const ret = d.ret.endsWith('*') ? d.ret : `${d.ret} `;
  const note = `${d.helper.fullName} (${d.helper.id})${d.helper.gplOnly ? ', GPL-only' : ''}: ${d.helper.summary}`;
  return `${comment([note])}\nstatic ${ret}(* const ${d.helper.fullName})(${d.params}) = (void *) ${d.helper.id};`;
}

function printk(): string {
  const vCount = MAX_MACRO_ARGS - 3;
  const pick = [...Array<string>(vCount).fill('__bpflab_vprintk'), ...Array<string>(4).fill('__bpflab_printk')];
  const casts = Array.from({ length: MAX_MACRO_ARGS }, (_, i) => {
    const n = i + 1;
    const ps = params(n, 'a');
    const last = `(unsigned long long)(a${n})`;
    const body = n === 1 ? last : `__bpflab_u64s_${n - 1}(${ps.slice(0, -1).join(', ')}), ${last}`;
    return `#define __bpflab_u64s_${n}(${ps.join(', ')}) ${body}`;
  });
  return `${comment([
    'bpf_printk(fmt, args...): print a line to the trace pipe',
    '(/sys/kernel/debug/tracing/trace_pipe). fmt must be a string literal; it',
    'is kept in .rodata (on the stack with BPF_NO_GLOBAL_DATA). Up to three',
    `arguments go through bpf_trace_printk; four to ${MAX_MACRO_ARGS} through bpf_trace_vprintk,`,
    'which takes them as an array of u64 (Linux 5.16 and later).',
  ])}
#ifdef BPF_NO_GLOBAL_DATA
#define __bpflab_fmt(fmt) char __bpflab_fmt_str[] = fmt
#else
#define __bpflab_fmt(fmt) static const char __bpflab_fmt_str[] = fmt
#endif
#define __bpflab_printk(fmt, ...) ({ \\
	__bpflab_fmt(fmt); \\
	bpf_trace_printk(__bpflab_fmt_str, sizeof(__bpflab_fmt_str), ##__VA_ARGS__); \\
})
${casts.join('\n')}
#define __bpflab_vprintk(fmt, ...) ({ \\
	static const char __bpflab_fmt_str[] = fmt; \\
	unsigned long long __bpflab_args[] = { \\
		__bpflab_concat(__bpflab_u64s_, __bpflab_narg(__VA_ARGS__))(__VA_ARGS__) \\
	}; \\
	bpf_trace_vprintk(__bpflab_fmt_str, sizeof(__bpflab_fmt_str), \\
			  __bpflab_args, sizeof(__bpflab_args)); \\
})
#define bpf_printk(fmt, ...) \\
	__bpflab_nth(_, ##__VA_ARGS__, ${pick.join(', ')}) \\
	(fmt, ##__VA_ARGS__)`;
}

function tailCallStatic(): string {
  return `${comment([
    'bpf_tail_call_static(ctx, map, slot): bpf_tail_call with a slot known at',
    'compile time, so that the verifier can see which program is called.',
    'slot must be a constant; anything else stops the build at the trap.',
  ])}
static __always_inline void
bpf_tail_call_static(void *ctx, const void *map, const __u32 slot)
{
	if (!__builtin_constant_p(slot))
		__bpf_unreachable();
	/* the helper takes ctx, map, slot in r1, r2, r3; slot as an immediate */
	asm volatile("r1 = %[ctx]\\n\\t"
		     "r2 = %[map]\\n\\t"
		     "r3 = %[slot]\\n\\t"
		     "call ${HELPER.tail_call}"
		     :
		     : [ctx] "r"(ctx), [map] "r"(map), [slot] "i"(slot)
		     : "r0", "r1", "r2", "r3", "r4", "r5");
}`;
}

const PREAMBLE = `
${comment([
  'The kernel\'s types come first, as with libbpf: include "vmlinux.h",',
  '<linux/bpf.h> or the kit\'s <bpf/bpf_uapi.h> before this header.',
])}
#if !defined(__VMLINUX_H__) && !defined(__LINUX_BPF_H__) && !defined(_UAPI__LINUX_BPF_H__) && \\
    !defined(${guardOf('bpf/bpf_uapi.h')}) && !defined(_LINUX_TYPES_H) && !defined(_UAPI_LINUX_TYPES_H)
#error "include \\"vmlinux.h\\", <linux/bpf.h> or <bpf/bpf_uapi.h> before <bpf/bpf_helpers.h>"
#else /* the rest of the header */

${macroToolkit()}

${comment([
  'SEC(name): place a program, map or variable in the ELF section `name`.',
  'The section name of a program says its type and attach point',
  '(SEC("xdp"), SEC("tracepoint/syscalls/sys_enter_execve"), SEC("lsm/file_open")).',
])}
#define SEC(name) __attribute__((section(name), used))

${comment([
  'Map definitions in SEC(".maps") are structs whose members carry the',
  'attributes in their BTF types:',
  '  __uint(name, val)   an integer attribute (type, max_entries, map_flags)',
  '  __type(name, val)   a type attribute (key, value)',
  '  __array(name, val)  an array of values (the inner maps of a map-in-map)',
  '  __ulong(name, val)  a 64-bit integer attribute (map_extra)',
])}
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define __ulong(name, val) enum { __bpflab_concat(__bpflab_ulong_, __COUNTER__) = val } name

${comment(['Function and variable attributes.'])}
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif

${comment([
  'Externs the loader resolves: __kconfig for CONFIG_* values and',
  'LINUX_KERNEL_VERSION (section .kconfig), __ksym for kernel symbols',
  '(section .ksyms). Make them __weak to load when the value is missing.',
])}
#define __kconfig __attribute__((section(".kconfig")))
#define __ksym __attribute__((section(".ksyms")))
#if __has_attribute(btf_type_tag)
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif

${comment([
  'Values a __kconfig tristate (CONFIG_X=y/m/n) takes, and the pinning',
  'attribute of a map (__uint(pinning, LIBBPF_PIN_BY_NAME)).',
])}
enum libbpf_tristate {
	TRI_NO = 0,
	TRI_YES = 1,
	TRI_MODULE = 2,
};
enum libbpf_pin_type {
	LIBBPF_PIN_NONE = 0,
	LIBBPF_PIN_BY_NAME = 1,
};

${comment([
  'A legacy map definition, placed in SEC("maps"). Prefer BTF-defined maps in',
  'SEC(".maps"): they carry key and value types, and libbpf 1.0 dropped these.',
])}
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

${comment(['Small helpers of C programs.'])}
#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
#ifndef container_of
#define container_of(ptr, type, member) ({ \\
	void *__bpflab_mptr = (void *)(ptr); \\
	((type *)(__bpflab_mptr - offsetof(type, member))); \\
})
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif
${comment(['Hide what clang knows of var, so it cannot fold or move checks on it.'])}
#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif
#ifndef __bpf_unreachable
#define __bpf_unreachable() __builtin_trap()
#endif
`;

/** Generate `bpf/bpf_helpers.h`. */
export function bpfHelpersHeader(): GeneratedHeader {
  const decls = HELPERS.map(splitPrototype);
  const structs = prototypeStructs(decls).map((s) => `struct ${s};`);
  const body = `${PREAMBLE}
${comment(['Structs the helper prototypes point to; their layout comes from your headers.'])}
${structs.join('\n')}

${comment([
  'The helpers: each is a pointer to a function whose address is the helper\'s',
  'id, so that calling it compiles to `call <id>`.',
])}
${decls.map(helperDeclaration).join('\n')}

${printk()}

${tailCallStatic()}

#endif /* the kernel's types come first */
`;
  return header(
    'bpf/bpf_helpers.h',
    [
      'Sections, map definitions, helpers and bpf_printk for BPF programs, as',
      'libbpf\'s <bpf/bpf_helpers.h> gives them. Include "vmlinux.h",',
      '<linux/bpf.h> or <bpf/bpf_uapi.h> first.',
    ],
    'bpf-helpers.ts',
    body,
  );
}
