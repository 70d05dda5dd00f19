// The kit's include directory: the committed files are what the generators
// write (the check half of `update-headers`), the helper declarations match
// the helper table, and programs using every macro and helper family build
// with clang into the instructions and relocations they should.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HELPERS, helperByName, type Helper } from '@bpflab/uapi';
import {
  compile,
  DO_NOT_EDIT,
  formatDiagnostics,
  generateHeaders,
  includeDir,
  ToolchainError,
  VMLINUX_DO_NOT_EDIT,
  type ClangInfo,
  type CompileInput,
  type CompileOptions,
} from '../src/index';
import { helperDeclaration, prototypeStructs, splitPrototype } from '../src/headers/bpf-helpers';
import { UAPI_HEADER_ENUMS } from '../src/headers/bpf-uapi';
import { availableClangs, describeEachClang, FIXTURES } from './support/clangs';
import { coreReloKinds, ctxLoads, helperCalls, insns, section, sections, symbols } from './support/elf';

const HEADERS_DIR = join(FIXTURES, 'headers');

function helper(name: string): Helper {
  const h = helperByName(name);
  if (h === undefined) throw new Error(`no helper ${name}`);
  return h;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('generated headers', () => {
  const headers = generateHeaders();

  it.each(headers.map((h) => [h.path, h] as const))('%s is committed as generated (run update-headers)', (_p, h) => {
    expect(readFileSync(join(includeDir, h.path), 'utf8')).toBe(h.text);
    expect(h.text).toContain(h.path === 'vmlinux.h' ? VMLINUX_DO_NOT_EDIT : DO_NOT_EDIT);
  });

  it('include/ holds only generated headers', () => {
    const have = filesUnder(includeDir)
      .map((f) => relative(includeDir, f).split('\\').join('/'))
      .sort();
    expect(have).toEqual(headers.map((h) => h.path));
  });

  it('generates the same text every time', () => {
    expect(generateHeaders()).toEqual(headers);
  });
});

describe('helper declarations', () => {
  it.each([
    ['map_lookup_elem', 'static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;'],
    ['ktime_get_ns', 'static __u64 (* const bpf_ktime_get_ns)(void) = (void *) 5;'],
    ['trace_printk', 'static long (* const bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *) 6;'],
    ['get_current_task_btf', 'static struct task_struct *(* const bpf_get_current_task_btf)(void) = (void *) 158;'],
  ])('%s', (name, want) => {
    const have = helperDeclaration(splitPrototype(helper(name))).split('\n');
    expect(have[1]).toBe(want);
    expect(have[0]).toMatch(new RegExp(`^/\\* bpf_${name} \\(\\d+\\)(, GPL-only)?: .+ \\*/$`));
  });

  it('declares every helper of the table once, in id order', () => {
    const text = generateHeaders().find((h) => h.path === 'bpf/bpf_helpers.h')?.text ?? '';
    const have = [...text.matchAll(/^static .*\(\* const (bpf_\w+)\)\(.*\) = \(void \*\) (\d+);$/gm)].map((m) => [m[1], Number(m[2])]);
    expect(have).toEqual(HELPERS.map((h) => [h.fullName, h.id]));
  });

  it('forward-declares every struct a prototype names', () => {
    const text = generateHeaders().find((h) => h.path === 'bpf/bpf_helpers.h')?.text ?? '';
    const structs = prototypeStructs(HELPERS.map(splitPrototype));
    expect(structs).toEqual(expect.arrayContaining(['bpf_fib_lookup', '__sk_buff', 'xdp_md', 'task_struct', 'pt_regs']));
    for (const s of structs) expect(text).toContain(`\nstruct ${s};\n`);
  });

  it('rejects a prototype that declares another function', () => {
    const bad = { ...helper('ktime_get_ns'), prototype: '__u64 bpf_other(void)' };
    expect(() => splitPrototype(bad)).toThrow(ToolchainError);
    expect(() => splitPrototype(bad)).toThrow('helper 5: prototype does not declare bpf_ktime_get_ns: __u64 bpf_other(void)');
  });
});

/** `_Static_assert`s of every constant bpf_uapi.h declares, with uapi's values. */
function uapiAsserts(): string {
  return UAPI_HEADER_ENUMS.flatMap(({ table }) =>
    table.entries.map((e) => `_Static_assert(${e.name} == ${e.value}ULL, "${e.name}");`),
  ).join('\n');
}

/** A program calling every helper with zeros, in id order. */
function allHelpersProgram(): string {
  const calls = HELPERS.map((h) => {
    const { params } = splitPrototype(h);
    const n = params === 'void' ? 0 : params.split(',').filter((p) => p.trim() !== '...').length;
    return `\t${h.fullName}(${Array<string>(n).fill('0').join(', ')});`;
  });
  return `#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n\nSEC("xdp")\nint all(void *ctx)\n{\n${calls.join('\n')}\n\treturn 0;\n}\n`;
}

const clangs = await availableClangs('headers.test.ts');

describeEachClang(clangs)('headers', (clang: ClangInfo) => {
  async function build(input: CompileInput, options: CompileOptions = {}): Promise<Uint8Array> {
    const r = await compile(input, { clang, ...options });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(r.diagnostics).toEqual([]);
    return r.object;
  }
  const fixture = (name: string): string => join(HEADERS_DIR, name);
  const calls = (o: Uint8Array, sec: string): readonly number[] => helperCalls(section(o, sec).data);
  const loads = (o: Uint8Array, sec: string): readonly number[] => [...ctxLoads(section(o, sec).data)].sort((a, b) => a - b);

  it('compiles every helper call to `call <id>`', async () => {
    const o = await build({ source: allHelpersProgram(), name: 'all_helpers.bpf.c' });
    expect(calls(o, 'xdp')).toEqual(HELPERS.map((h) => h.id));
  });

  it('bpf_printk: up to 3 arguments through bpf_trace_printk, more through bpf_trace_vprintk', async () => {
    const o = await build(fixture('printk.bpf.c'));
    expect([0, 3, 4, 12].map((n) => calls(o, `tracepoint/printk${n}`))).toEqual([[6], [6], [177], [177]]);
  });

  it('bpf_printk keeps its format on the stack with BPF_NO_GLOBAL_DATA', async () => {
    const src = {
      source: '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("tracepoint/x")\nint p(void *ctx)\n{\n\tbpf_printk("%d", 1);\n\treturn 0;\n}\n',
      name: 'nogd.bpf.c',
    };
    const names = (o: Uint8Array): string[] => sections(o).map((s) => s.name);
    expect(names(await build(src))).toContain('.rodata');
    expect(names(await build(src, { defines: { BPF_NO_GLOBAL_DATA: true } }))).not.toContain('.rodata');
  });

  it('map macros: __uint, __type, __array, __ulong, pinning and struct bpf_map_def', async () => {
    const o = await build(fixture('maps.bpf.c'));
    const where = Object.fromEntries(symbols(o).filter((s) => s.type === 1).map((s) => [s.name, s.section]));
    expect(where).toMatchObject({ pinned_hash: '.maps', bloom: '.maps', inner_one: '.maps', outer_hash: '.maps', legacy: 'maps' });
  });

  it('bpf_tail_call_static passes a constant slot in r3 to helper 12', async () => {
    const o = await build(fixture('misc.bpf.c'));
    const text = insns(section(o, 'xdp').data);
    const call = text.findIndex((i) => i.code === 0x85 && i.imm === 12);
    expect(call).toBeGreaterThan(0);
    expect(text[call - 1]).toEqual({ code: 0xb7, dst: 3, src: 0, off: 0, imm: 2 });
    const weak = symbols(o).find((s) => s.name === 'weak_helper');
    expect(weak).toMatchObject({ bind: 2, type: 2, section: '.text' });
  });

  it('bpf_endian.h folds constants (static asserts) and swaps at run time', async () => {
    const o = await build(fixture('endian.bpf.c'));
    // BPF_END to big endian (0xdc) on little-endian targets; BPF_ALU64 bswap (0xd7) with cpu v4
    const swaps = insns(section(o, 'xdp').data).filter((i) => [0xdc, 0xd7].includes(i.code));
    expect(swaps.map((i) => i.imm).sort((a, b) => a - b)).toEqual([16, 32, 64]);
  });

  it.each([
    ['tracing.bpf.c', '<linux/ptrace.h>: rdi, rsi, ...'],
    ['tracing_vmlinux.bpf.c', '"vmlinux.h": di, si, ...'],
  ])('%s reads x86-64 pt_regs (%s)', async (file) => {
    const o = await build(fixture(file));
    expect(loads(o, 'kprobe/six_args')).toEqual([64, 72, 88, 96, 104, 112]);
    expect(loads(o, 'kprobe/regs')).toEqual([32, 80, 128, 152]);
  });

  it('BPF_PROG, BPF_KRETPROBE, BPF_UPROBE and the _CORE accessors', async () => {
    const o = await build(fixture('tracing.bpf.c'));
    expect(loads(o, 'fentry/twelve')).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88]);
    expect(loads(o, 'kretprobe/ret')).toEqual([80]);
    expect(loads(o, 'uprobe/user')).toEqual([104, 112]);
    expect(calls(o, 'kprobe/regs_core')).toEqual(Array<number>(11).fill(helper('probe_read_kernel').id));
    // PT_REGS_RET_CORE and PT_REGS_SP_CORE both read sp: clang keeps one relocation for the two
    expect(coreReloKinds(o).filter((k) => k === 0)).toHaveLength(10);
  });

  it('bpf_core_read.h emits every CO-RE relocation kind', async () => {
    const o = await build(fixture('core_read.bpf.c'));
    const want = Array.from({ length: clang.major >= 17 ? 13 : 12 }, (_, k) => k);
    expect([...new Set(coreReloKinds(o))].sort((a, b) => a - b)).toEqual(want);
  });

  it('bpf_uapi.h alone gives the types and every constant with uapi\'s values', async () => {
    const source = `#include <bpf/bpf_uapi.h>\n#include <bpf/bpf_helpers.h>\n${uapiAsserts()}\n` +
      '_Static_assert(sizeof(__u64) == 8 && sizeof(__s32) == 4 && sizeof(__be16) == 2, "types");\n' +
      'SEC("xdp")\nint pass(void *ctx)\n{\n\treturn XDP_PASS;\n}\n';
    await build({ source, name: 'uapi_only.bpf.c' }, { systemIncludeDirs: [] });
  });

  it.each([
    ['after <linux/bpf.h>', '#include <linux/bpf.h>\n#include <bpf/bpf_uapi.h>\n'],
    ['before <linux/types.h> and <linux/if_ether.h>', '#include <bpf/bpf_uapi.h>\n#include <linux/types.h>\n#include <linux/if_ether.h>\n'],
  ])('bpf_uapi.h %s does not conflict', async (_name, includes) => {
    const source = `${includes}#include <bpf/bpf_helpers.h>\nSEC("xdp")\nint pass(void *ctx)\n{\n\treturn BPF_MAP_TYPE_HASH + XDP_PASS - 1;\n}\n`;
    await build({ source, name: 'order.bpf.c' });
  });

  it.each([
    [
      'bpf_helpers.h without the kernel\'s types first',
      '#include <bpf/bpf_helpers.h>\n',
      {},
      /^"include \\"vmlinux\.h\\", <linux\/bpf\.h> or <bpf\/bpf_uapi\.h> before <bpf\/bpf_helpers\.h>"$/,
      'bpf/bpf_helpers.h',
    ],
    [
      'bpf_tracing.h for another architecture',
      '#include <bpf/bpf_uapi.h>\n#include <bpf/bpf_tracing.h>\n',
      { defines: { __TARGET_ARCH_arm64: true } },
      /knows x86-64's struct pt_regs only/,
      'bpf/bpf_tracing.h',
    ],
  ] as const)('%s stops with a clear #error', async (_name, source, options, message, header) => {
    const r = await compile({ source, name: 'prog.bpf.c' }, { clang, ...options });
    expect(r.ok).toBe(false);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(message);
    expect(errors[0]?.file).toBe(join(includeDir, header));
    expect(errors[0]?.includedFrom).toEqual([{ file: 'prog.bpf.c', line: source.split('\n').length - 1 }]);
  });

  it('bpf_uapi.h before <linux/bpf.h> fails with a hint to include only one', async () => {
    const source = '#include <bpf/bpf_uapi.h>\n#include <linux/bpf.h>\n';
    const r = await compile({ source, name: 'twice.bpf.c' }, { clang });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.hint)).toContain(
      '<bpf/bpf_uapi.h> came before <linux/bpf.h>: include only one of them, or <linux/bpf.h> first',
    );
  });
});
