// vmlinux.h, the simulated kernel's BTF as C: the committed file is the
// generator's output, clang lays every struct out exactly as the kernel's
// BTF says, its constants are @bpflab/uapi's, and the course's example
// programs written against it (tests/fixtures/vmlinux/) build without a
// warning into the CO-RE relocations their kernel-struct reads need.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCoreAccess, parseBtf, parseBtfExt, type Btf, type TypeId } from '@bpflab/btf';
import { KERNEL_TYPES, kernelBtf, kernelOffsetOf, kernelStruct } from '@bpflab/kernel';
import { helperByName } from '@bpflab/uapi';
import {
  compile,
  formatDiagnostics,
  generateVmlinuxH,
  includeDir,
  VMLINUX_DO_NOT_EDIT,
  type ClangInfo,
  type CompileInput,
} from '../src/index';
import { UAPI_HEADER_ENUMS } from '../src/headers/bpf-uapi';
import { availableClangs, describeEachClang, FIXTURES } from './support/clangs';
import { ctxLoads, helperCalls, section, symbols } from './support/elf';

const VMLINUX_FIXTURES = join(FIXTURES, 'vmlinux');

const id = (name: string): number => {
  const h = helperByName(name);
  if (h === undefined) throw new Error(`no helper ${name}`);
  return h.id;
};

describe('generateVmlinuxH', () => {
  const text = generateVmlinuxH();

  it('is the committed include/vmlinux.h', () => {
    expect(readFileSync(join(includeDir, 'vmlinux.h'), 'utf8')).toBe(text);
  });

  it('says what it is, then is bpftool\'s dump of the kernel\'s BTF', () => {
    const [banner, body] = [text.slice(0, text.indexOf('*/') + 3), text.slice(text.indexOf('*/') + 3)];
    expect(banner).toMatch(/^\/\*\n \* "vmlinux\.h": the types of bpflab's simulated kernel\n/);
    expect(banner).toContain(VMLINUX_DO_NOT_EDIT);
    expect(body.startsWith('#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n')).toBe(true);
    expect(body).toContain('#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)');
    expect(body).toContain('\nstruct task_struct {\n\tstruct thread_info thread_info;\n\tunsigned int __state;\n');
    expect(body).toContain('\ttypedef struct {\n'.slice(1) + '\tuid_t val;\n} kuid_t;\n');
    expect(body).toContain('\t__u8 ihl: 4;\n\t__u8 version: 4;\n');
  });

  it('generates the same text every time', () => {
    expect(generateVmlinuxH()).toBe(text);
  });
});

/** Size, members (name, bit offset, bit size, size) and anonymous members' shapes, as comparable data. */
interface Shape {
  readonly size: number;
  readonly members: readonly (readonly [string, number, number, number, Shape | null])[];
}

function shape(btf: Btf, tid: TypeId): Shape {
  const t = btf.resolve(tid);
  if (t.kind !== 'struct' && t.kind !== 'union') throw new Error(`${btf.typeName(tid)} is not a struct or union`);
  return {
    size: t.size,
    members: t.members.map((m) => {
      const mt = btf.resolve(m.type);
      const inner = (mt.kind === 'struct' || mt.kind === 'union') && mt.name === '' ? shape(btf, m.type) : null;
      return [m.name, m.bitOffset, m.bitSize, btf.sizeof(m.type), inner] as const;
    }),
  };
}

const COMPOSITES = KERNEL_TYPES.flatMap((d) => (d.kind === 'struct' || d.kind === 'union' ? [{ name: d.name, kind: d.kind }] : []));

/** A program with a variable of every struct and union, so that clang's BTF of it holds them all. */
function everyStructProgram(): string {
  const refs = COMPOSITES.map((c, i) => `${c.kind} ${c.name} var_${i};`).join('\n');
  return `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\n${refs}\n`;
}

/** `_Static_assert`s of every UAPI constant `<bpf/bpf_uapi.h>` declares, which vmlinux.h must declare in its place. */
function uapiAsserts(): string {
  const asserts = UAPI_HEADER_ENUMS.flatMap(({ table }) =>
    table.entries.map((e) => `_Static_assert(${e.name} == ${e.value}ULL, "${e.name}");`),
  );
  return `#include "vmlinux.h"\n#include <bpf/bpf_uapi.h>\n#include <bpf/bpf_helpers.h>\n${asserts.join('\n')}\n`;
}

/** `struct.path @ offset` of every CO-RE relocation, by section, checked against the kernel's own layout. */
function coreReads(o: Uint8Array): Record<string, string[]> {
  const btf = parseBtf(section(o, '.BTF').data);
  const ext = parseBtfExt(section(o, '.BTF.ext').data, btf);
  const out: Record<string, string[]> = {};
  for (const s of ext.coreRelos) {
    out[s.section] = s.records.map((r) => {
      const text = describeCoreAccess(btf, r);
      const m = /^\[\d+\] struct (\w+)\.([\w.[\]]+) \([\d:]+ @ offset (\d+)\)$/.exec(text);
      if (r.kind !== 'field_byte_offset' || m === null) throw new Error(`unexpected relocation: ${r.kind} ${text}`);
      const [, struct, path, offset] = m as unknown as [string, string, string, string];
      expect(`${struct}.${path} @ ${offset}`).toBe(`${struct}.${path} @ ${kernelOffsetOf(struct, path)}`);
      return `${struct}.${path}`;
    });
  }
  return out;
}

/** What each fixture must build into besides a clean compile. */
const CHECKS: Readonly<Record<string, (o: Uint8Array) => void>> = {
  'hello.bpf.c': (o) => {
    expect(helperCalls(section(o, 'tracepoint/syscalls/sys_enter_execve').data)).toEqual([id('get_current_pid_tgid'), id('trace_printk')]);
    expect(coreReads(o)).toEqual({});
  },
  'syscount.bpf.c': (o) => {
    expect(helperCalls(section(o, 'tracepoint/raw_syscalls/sys_enter').data)).toEqual([id('map_lookup_elem'), id('map_update_elem')]);
    expect(symbols(o).find((s) => s.name === 'syscall_id_to_count')).toMatchObject({ section: '.maps', type: 1 });
    expect(coreReads(o)).toEqual({ 'tracepoint/raw_syscalls/sys_enter': ['trace_event_raw_sys_enter.id'] });
  },
  'xdp_firewall.bpf.c': (o) => {
    expect(helperCalls(section(o, 'xdp').data)).toEqual([id('trace_printk')]);
    expect(coreReads(o).xdp?.sort()).toEqual(['ethhdr.h_proto', 'iphdr.protocol', 'udphdr.dest', 'xdp_md.data', 'xdp_md.data_end']);
  },
  'lsm_access.bpf.c': (o) => {
    const reads = coreReads(o);
    expect(reads['lsm/file_open']?.sort()).toEqual(['file.f_inode', 'inode.i_ino', 'inode.i_uid.val']);
    expect(reads['lsm/file_permission']?.sort()).toEqual(['dentry.d_name.name', 'file.f_path.dentry']);
    for (const sec of ['lsm/file_open', 'lsm/file_permission']) {
      const calls = helperCalls(section(o, sec).data);
      expect(calls.slice(0, 2)).toEqual([id('get_current_uid_gid'), id('map_lookup_elem')]);
      expect(calls).toContain(id('probe_read_kernel'));
    }
  },
  'iter_task.bpf.c': (o) => {
    expect(new Set(coreReads(o)['iter/task'])).toEqual(
      new Set([
        'bpf_iter__task.meta',
        'bpf_iter__task.task',
        'bpf_iter_meta.seq',
        'bpf_iter_meta.seq_num',
        'task_struct.pid',
        'task_struct.comm',
        'task_struct.real_parent',
        'task_struct.tgid',
        'task_struct.cred',
        'cred.euid.val',
      ]),
    );
    expect(helperCalls(section(o, 'iter/task').data)).toContain(id('seq_printf'));
  },
};

const programs = readdirSync(VMLINUX_FIXTURES).filter((f) => f.endsWith('.bpf.c')).sort();

it('every vmlinux fixture has its checks', () => {
  expect(programs).toEqual(Object.keys(CHECKS).sort());
});

const clangs = await availableClangs('vmlinux.test.ts');

describeEachClang(clangs)('vmlinux.h', (clang: ClangInfo) => {
  async function build(input: CompileInput | string, cwd?: string): Promise<Uint8Array> {
    const r = await compile(input, { clang, ...(cwd === undefined ? {} : { cwd }) });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(r.diagnostics).toEqual([]);
    return r.object;
  }

  it.each(programs)('%s builds without a warning, reading kernel structs through CO-RE', async (file) => {
    const o = await build(file, VMLINUX_FIXTURES);
    expect(Buffer.from(section(o, 'license').data).toString()).toMatch(/^(GPL|Dual BSD\/GPL)\0$/);
    CHECKS[file]?.(o);
  });

  it('lays every struct out as the kernel\'s BTF does', async () => {
    const o = await build({ source: everyStructProgram(), name: 'every_struct.bpf.c' });
    const btf = parseBtf(section(o, '.BTF').data);
    const kernel = kernelBtf();
    const have = COMPOSITES.map(({ name, kind }) => {
      const t = btf.find(name, kind);
      return [name, t === undefined ? null : shape(btf, t.id)];
    });
    const want = COMPOSITES.map(({ name, kind }) => [name, shape(kernel, kernel.find(name, kind)!.id)]);
    expect(have).toEqual(want);
    expect(have.length).toBeGreaterThan(30);
  });

  it('declares every UAPI constant of <bpf/bpf_uapi.h>, with the same value', async () => {
    await build({ source: uapiAsserts(), name: 'uapi_asserts.bpf.c' });
  });

  it('gives bpf_tracing.h the kernel\'s pt_regs: BPF_KPROBE reads di, si, dx, cx, r8, r9', async () => {
    const source =
      '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n' +
      'SEC("kprobe/six")\nint BPF_KPROBE(six, long a, long b, long c, long d, long e, long f)\n{\n\treturn a ^ b ^ c ^ d ^ e ^ f;\n}\n' +
      'char LICENSE[] SEC("license") = "GPL";\n';
    const o = await build({ source, name: 'kprobe.bpf.c' });
    const regs = kernelStruct('pt_regs');
    expect([...ctxLoads(section(o, 'kprobe/six').data)].sort((x, y) => x - y)).toEqual(
      ['di', 'si', 'dx', 'cx', 'r8', 'r9'].map((r) => regs.offsetOf(r)).sort((x, y) => x - y),
    );
  });
});
