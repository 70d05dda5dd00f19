/**
 * `bpf/bpf_core_read.h`: CO-RE ("compile once, run everywhere") reads.
 * Each macro wraps a field access in one of clang's BPF builtins, which
 * record a relocation in `.BTF.ext`; the loader rewrites the offset, size
 * or constant for the running kernel's BTF.
 *
 * - `__builtin_preserve_access_index(expr)`: field offsets along a chain
 * - `__builtin_preserve_field_info(field, kind)`: offset/size/existence/
 *   signedness/shifts of one field
 * - `__builtin_preserve_type_info(*(T *)0, kind)`: existence/size/match of a type
 * - `__builtin_preserve_enum_value(*(E *)V, kind)`: existence/value of an enumerator
 * - `__builtin_btf_type_id(*(T *)0, kind)`: a type's BTF id, local or in the kernel
 */
import { comment, header, macroToolkit, type GeneratedHeader } from './common';

/** Longest chain of fields `BPF_CORE_READ(src, a, b, ...)` follows. */
export const MAX_CHAIN = 9;

/** `__bpflab_arrow_N(s, a1..aN)`: `(s)->a1->...->aN`, for the result type. */
function arrows(): string {
  const out = ['#define __bpflab_arrow_1(s, a) (s)->a'];
  for (let n = 2; n <= MAX_CHAIN; n++) {
    out.push(`#define __bpflab_arrow_${n}(s, a, ...) __bpflab_arrow_${n - 1}((s)->a, __VA_ARGS__)`);
  }
  return out.join('\n');
}

/**
 * `__bpflab_rd_N(R, F, dst, t, p, a1..aN)`: follow N fields from pointer `p`,
 * whose type is that of the expression `t`. Each pointer on the way is read
 * with `R` into a local; the last field is read with `F` into `dst`. Both
 * take `(dst, size, src)` like `bpf_probe_read_kernel`.
 */
function readers(): string {
  const out = ['#define __bpflab_rd_1(R, F, dst, t, p, a) F((void *)(dst), sizeof(*(dst)), &((typeof(t))(p))->a)'];
  for (let n = 2; n <= MAX_CHAIN; n++) {
    out.push(
      [
        `#define __bpflab_rd_${n}(R, F, dst, t, p, a, ...) \\`,
        `\tconst void *__bpflab_p${n}; \\`,
        `\tR((void *)&__bpflab_p${n}, sizeof(__bpflab_p${n}), &((typeof(t))(p))->a); \\`,
        `\t__bpflab_rd_${n - 1}(R, F, dst, (t)->a, __bpflab_p${n}, __VA_ARGS__)`,
      ].join('\n'),
    );
  }
  return out.join('\n');
}

const CHAIN = `
#define __bpflab_chain_type(src, ...) \\
	typeof(__bpflab_concat(__bpflab_arrow_, __bpflab_narg(__VA_ARGS__))(src, __VA_ARGS__))
#define __bpflab_read_chain(R, F, dst, src, ...) \\
	__bpflab_concat(__bpflab_rd_, __bpflab_narg(__VA_ARGS__))(R, F, dst, src, src, __VA_ARGS__)`;

/** One family of chain reads: `<NAME>_INTO`, `<NAME>_STR_INTO` and `<NAME>`. */
interface Family {
  readonly name: string;
  readonly what: string;
  /** reader of pointers and values: (dst, size, src) */
  readonly read: string;
  /** reader of the final string */
  readonly readStr: string;
}

const FAMILIES: readonly Family[] = [
  { name: 'BPF_CORE_READ', what: 'kernel memory, with CO-RE relocations', read: 'bpf_core_read', readStr: 'bpf_core_read_str' },
  {
    name: 'BPF_CORE_READ_USER',
    what: 'user memory, with CO-RE relocations',
    read: 'bpf_core_read_user',
    readStr: 'bpf_core_read_user_str',
  },
  {
    name: 'BPF_PROBE_READ',
    what: 'kernel memory, offsets fixed at compile time (no CO-RE)',
    read: 'bpf_probe_read_kernel',
    readStr: 'bpf_probe_read_kernel_str',
  },
  {
    name: 'BPF_PROBE_READ_USER',
    what: 'user memory, offsets fixed at compile time (no CO-RE)',
    read: 'bpf_probe_read_user',
    readStr: 'bpf_probe_read_user_str',
  },
];

function family(f: Family): string {
  return `${comment([`${f.name}*: ${f.what}.`])}
#define ${f.name}_INTO(dst, src, a, ...) ({ \\
	__bpflab_read_chain(${f.read}, ${f.read}, dst, (src), a, ##__VA_ARGS__); \\
})
#define ${f.name}_STR_INTO(dst, src, a, ...) ({ \\
	__bpflab_read_chain(${f.read}, ${f.readStr}, dst, (src), a, ##__VA_ARGS__); \\
})
#define ${f.name}(src, a, ...) ({ \\
	__bpflab_chain_type((src), a, ##__VA_ARGS__) __bpflab_r; \\
	${f.name}_INTO(&__bpflab_r, (src), a, ##__VA_ARGS__); \\
	__bpflab_r; \\
})`;
}

function bitfields(): string {
  return `${comment([
    'Bitfields. BPF_CORE_READ_BITFIELD_PROBED(s, field) reads through',
    'bpf_probe_read_kernel; BPF_CORE_READ_BITFIELD(s, field) loads directly, for',
    'pointers the verifier lets a program dereference (tp_btf, fentry, iterators).',
    'The bytes holding the field land in the low-addressed end of a u64 on',
    'little-endian targets (high end on big-endian), then the relocated shifts',
    'isolate the field and extend its sign.',
  ])}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define __bpflab_bf_at(sz) 0
#else
#define __bpflab_bf_at(sz) (8 - (sz))
#endif
#define __bpflab_bf_extract(v, s, field) ({ \\
	v <<= __builtin_preserve_field_info((s)->field, BPF_FIELD_LSHIFT_U64); \\
	if (__builtin_preserve_field_info((s)->field, BPF_FIELD_SIGNED)) \\
		v = (unsigned long long)((long long)v >> \\
			__builtin_preserve_field_info((s)->field, BPF_FIELD_RSHIFT_U64)); \\
	else \\
		v >>= __builtin_preserve_field_info((s)->field, BPF_FIELD_RSHIFT_U64); \\
	v; \\
})
#define BPF_CORE_READ_BITFIELD_PROBED(s, field) ({ \\
	unsigned long long __bpflab_v = 0; \\
	unsigned int __bpflab_sz = __builtin_preserve_field_info((s)->field, BPF_FIELD_BYTE_SIZE); \\
	bpf_probe_read_kernel((char *)&__bpflab_v + __bpflab_bf_at(__bpflab_sz), __bpflab_sz, \\
		(const char *)(s) + __builtin_preserve_field_info((s)->field, BPF_FIELD_BYTE_OFFSET)); \\
	__bpflab_bf_extract(__bpflab_v, s, field); \\
})
#define BPF_CORE_READ_BITFIELD(s, field) ({ \\
	const char *__bpflab_at = (const char *)(s) + \\
		__builtin_preserve_field_info((s)->field, BPF_FIELD_BYTE_OFFSET); \\
	unsigned long long __bpflab_v; \\
	switch (__builtin_preserve_field_info((s)->field, BPF_FIELD_BYTE_SIZE)) { \\
	case 1: __bpflab_v = *(const unsigned char *)__bpflab_at; break; \\
	case 2: __bpflab_v = *(const unsigned short *)__bpflab_at; break; \\
	case 4: __bpflab_v = *(const unsigned int *)__bpflab_at; break; \\
	default: __bpflab_v = *(const unsigned long long *)__bpflab_at; break; \\
	} \\
	__bpflab_bf_extract(__bpflab_v, s, field); \\
})`;
}

/** Generate `bpf/bpf_core_read.h`. */
export function bpfCoreReadHeader(): GeneratedHeader {
  const body = `
${macroToolkit()}

${comment([
  'The second argument of the builtins: what to relocate. These are the',
  'kinds clang and libbpf agree on.',
])}
enum bpf_field_info_kind {
	BPF_FIELD_BYTE_OFFSET = 0,	/* offset of the field, in bytes */
	BPF_FIELD_BYTE_SIZE = 1,	/* size of the field (of its bytes, for a bitfield) */
	BPF_FIELD_EXISTS = 2,		/* 1 when the kernel's type has the field */
	BPF_FIELD_SIGNED = 3,		/* 1 when the field is signed */
	BPF_FIELD_LSHIFT_U64 = 4,	/* bitfield: left shift within a u64 */
	BPF_FIELD_RSHIFT_U64 = 5,	/* bitfield: right shift within a u64 */
};
enum bpf_type_id_kind {
	BPF_TYPE_ID_LOCAL = 0,		/* the type's id in this program's BTF */
	BPF_TYPE_ID_TARGET = 1,		/* the matching type's id in the kernel's BTF */
};
enum bpf_type_info_kind {
	BPF_TYPE_EXISTS = 0,		/* 1 when the kernel has a matching type */
	BPF_TYPE_SIZE = 1,		/* size of the kernel's type */
	BPF_TYPE_MATCHES = 2,		/* 1 when the kernel's type matches field by field (clang 17+) */
};
enum bpf_enum_value_kind {
	BPF_ENUMVAL_EXISTS = 0,		/* 1 when the kernel's enum has the enumerator */
	BPF_ENUMVAL_VALUE = 1,		/* the enumerator's value in the kernel */
};

${comment([
  'A field, named as one access expression (s->a.b) or as a type and a field',
  '(struct task_struct, pid).',
])}
#define __bpflab_field_ref_1(field) (field)
#define __bpflab_field_ref_2(type, field) (((typeof(type) *)0)->field)
#define __bpflab_field_ref(...) \\
	__bpflab_concat(__bpflab_field_ref_, __bpflab_narg(__VA_ARGS__))(__VA_ARGS__)

${comment(['Questions about a field: does it exist, how big is it, where is it, is it signed.'])}
#define bpf_core_field_exists(...) \\
	__builtin_preserve_field_info(__bpflab_field_ref(__VA_ARGS__), BPF_FIELD_EXISTS)
#define bpf_core_field_size(...) \\
	__builtin_preserve_field_info(__bpflab_field_ref(__VA_ARGS__), BPF_FIELD_BYTE_SIZE)
#define bpf_core_field_offset(...) \\
	__builtin_preserve_field_info(__bpflab_field_ref(__VA_ARGS__), BPF_FIELD_BYTE_OFFSET)
#define bpf_core_field_signed(...) \\
	__builtin_preserve_field_info(__bpflab_field_ref(__VA_ARGS__), BPF_FIELD_SIGNED)

${comment(['Questions about a type (struct task_struct, union u, enum e, a typedef).'])}
#define bpf_core_type_exists(type) \\
	__builtin_preserve_type_info(*(typeof(type) *)0, BPF_TYPE_EXISTS)
#define bpf_core_type_size(type) \\
	__builtin_preserve_type_info(*(typeof(type) *)0, BPF_TYPE_SIZE)
#define bpf_core_type_matches(type) \\
	__builtin_preserve_type_info(*(typeof(type) *)0, BPF_TYPE_MATCHES)
#define bpf_core_type_id_local(type) \\
	__builtin_btf_type_id(*(typeof(type) *)0, BPF_TYPE_ID_LOCAL)
#define bpf_core_type_id_kernel(type) \\
	__builtin_btf_type_id(*(typeof(type) *)0, BPF_TYPE_ID_TARGET)

${comment(['Questions about an enumerator: bpf_core_enum_value(enum pid_type, PIDTYPE_TGID).'])}
#define bpf_core_enum_value_exists(enum_type, enum_value) \\
	__builtin_preserve_enum_value(*(typeof(enum_type) *)enum_value, BPF_ENUMVAL_EXISTS)
#define bpf_core_enum_value(enum_type, enum_value) \\
	__builtin_preserve_enum_value(*(typeof(enum_type) *)enum_value, BPF_ENUMVAL_VALUE)

${comment([
  'bpf_core_read(dst, size, src): bpf_probe_read_kernel with CO-RE relocations',
  'for the field accesses in src (&t->a.b). The _user forms read user memory,',
  'the _str forms read a NUL-terminated string.',
])}
#define bpf_core_read(dst, sz, src) \\
	bpf_probe_read_kernel(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_user(dst, sz, src) \\
	bpf_probe_read_user(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_str(dst, sz, src) \\
	bpf_probe_read_kernel_str(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_user_str(dst, sz, src) \\
	bpf_probe_read_user_str(dst, sz, (const void *)__builtin_preserve_access_index(src))

${comment([
  `Chains of up to ${MAX_CHAIN} fields: BPF_CORE_READ(task, mm, exe_file, f_path.dentry)`,
  'reads task->mm, then ->exe_file, then ->f_path.dentry, each pointer with its',
  'own probe read, and gives the last value. The _INTO forms store it through',
  'dst and give the last read\'s result (0 or a negative errno); the _STR_INTO',
  'forms read a string into the array dst points to.',
])}
${arrows()}
${readers()}
${CHAIN.trim()}

${FAMILIES.map(family).join('\n\n')}

${bitfields()}
`;
  return header(
    'bpf/bpf_core_read.h',
    [
      'CO-RE reads: BPF_CORE_READ, bpf_core_field_exists, bpf_core_type_size,',
      'bpf_core_enum_value, ... built on clang\'s relocation builtins.',
      'Include <bpf/bpf_helpers.h> too, for the bpf_probe_read_* helpers.',
    ],
    'bpf-core-read.ts',
    body,
  );
}
