// The simulated kernel's BTF: built once from its type definitions, with the
// layouts the rest of the kernel lays objects out by (offsets by path,
// sizes, bitfields), the UAPI constants from @bpflab/uapi, a builder that
// refuses inconsistent definitions, and a golden of every struct's layout
// (tests/fixtures/kernel-btf/layouts.txt, rewritten with UPDATE_GOLDEN=1).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BtfEnum } from '@bpflab/btf';
import { MAP_TYPES, UPDATE_FLAGS, XDP_ACTIONS } from '@bpflab/uapi';
import { KERNEL_TYPES, kernelBtf, kernelOffsetOf, kernelStruct, type KernelTypeDef } from '../src/index';
import { buildKernelBtf } from '../src/kernel-btf/build';
import { anonUnion, enumeration, int, struct, typedef } from '../src/kernel-btf/defs';
import { UAPI_TABLES } from '../src/kernel-btf/types-bpf';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kernel-btf', 'layouts.txt');

function expectGolden(file: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('kernelBtf', () => {
  it('is built once and shared', () => {
    expect(kernelBtf()).toBe(kernelBtf());
  });

  it('has every defined type under its name, in definition order', () => {
    const btf = kernelBtf();
    const named = KERNEL_TYPES.filter((d) => d.name !== '');
    const ids = named.map((d) => {
      const kind = d.kind === 'fwd' ? 'fwd' : d.kind;
      const t = btf.find(d.name, kind);
      if (t === undefined) throw new Error(`${d.kind} ${d.name} is missing`);
      return t.id;
    });
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(btf.pointerSize).toBe(8);
  });

  it('declares every UAPI constant with @bpflab/uapi\'s value', () => {
    const btf = kernelBtf();
    const have = new Map<string, number>();
    for (const t of btf.types) if (t.kind === 'enum' || t.kind === 'enum64') for (const v of t.values) have.set(v.name, Number(v.value));
    const want = UAPI_TABLES.flatMap((table) => table.entries.map((e) => [e.name, e.value] as const));
    expect(want.length).toBeGreaterThan(100);
    expect(want.filter(([name, value]) => have.get(name) !== value)).toEqual([]);
  });

  it.each([
    ['enum bpf_map_type', 'BPF_MAP_TYPE_PERCPU_HASH', MAP_TYPES.values.PERCPU_HASH],
    ['an anonymous enum', 'BPF_ANY', UPDATE_FLAGS.values.ANY],
    ['an anonymous enum', 'BPF_F_LOCK', UPDATE_FLAGS.values.F_LOCK],
    ['enum xdp_action', 'XDP_DROP', XDP_ACTIONS.values.DROP],
  ])('%s holds %s = %d', (where, name, value) => {
    const owner = kernelBtf().types.find((t): t is BtfEnum => t.kind === 'enum' && t.values.some((v) => v.name === name));
    expect(owner && (owner.name === '' ? 'an anonymous enum' : `enum ${owner.name}`)).toBe(where);
    expect(owner?.values.find((v) => v.name === name)?.value).toBe(value);
  });

  it('makes an enum of constants wider than 32 bits an enum64', () => {
    const owner = kernelBtf().types.find((t) => t.kind === 'enum64' && t.values.some((v) => v.name === 'BPF_F_CTXLEN_MASK'));
    expect(owner).toMatchObject({ kind: 'enum64', size: 8, signed: false });
  });
});

describe('kernelStruct', () => {
  it.each([
    ['task_struct', 3264],
    ['cred', 184],
    ['file', 184],
    ['path', 16],
    ['dentry', 192],
    ['qstr', 16],
    ['inode', 616],
    ['mm_struct', 1472],
    ['linux_binprm', 408],
    ['pt_regs', 168],
    ['trace_entry', 8],
    ['trace_event_raw_sys_enter', 64],
    ['trace_event_raw_sys_exit', 24],
    ['xdp_md', 24],
    ['__sk_buff', 192],
    ['ethhdr', 14],
    ['iphdr', 20],
    ['ipv6hdr', 40],
    ['tcphdr', 20],
    ['udphdr', 8],
    ['icmphdr', 8],
    ['in6_addr', 16],
    ['bpf_sock', 80],
    ['bpf_fib_lookup', 64],
    ['bpf_spin_lock', 4],
    ['bpf_iter__task', 16],
    ['bpf_iter__bpf_map_elem', 32],
    ['seq_file', 120],
  ])('sizeof(struct %s) is %d', (name, want) => {
    expect(kernelStruct(name).size).toBe(want);
  });

  it.each([
    // have: struct, path; want: offset, size, type
    ['task_struct', 'pid', 1264, 4, 'pid_t'],
    ['task_struct', 'tgid', 1268, 4, 'pid_t'],
    ['task_struct', 'real_cred', 1728, 8, 'const struct cred *'],
    ['task_struct', 'cred', 1736, 8, 'const struct cred *'],
    ['task_struct', 'real_parent', 1280, 8, 'struct task_struct *'],
    ['task_struct', 'comm', 1752, 16, 'char[16]'],
    ['task_struct', 'comm[15]', 1767, 1, 'char'],
    ['task_struct', 'thread_info.cpu', 20, 4, 'u32'],
    ['task_struct', '__state', 24, 4, 'unsigned int'],
    ['task_struct', 'loginuid.val', 1952, 4, 'uid_t'],
    ['cred', 'euid', 24, 4, 'kuid_t'],
    ['cred', 'fsgid.val', 36, 4, 'gid_t'],
    ['file', 'f_inode', 32, 8, 'struct inode *'],
    ['file', 'f_path', 64, 16, 'const struct path'],
    ['file', 'f_path.dentry', 72, 8, 'struct dentry *'],
    ['file', '__f_path.mnt', 64, 8, 'struct vfsmount *'],
    ['file', 'f_pos', 112, 8, 'loff_t'],
    ['dentry', 'd_name.len', 36, 4, 'u32'],
    ['dentry', 'd_name.name', 40, 8, 'const unsigned char *'],
    ['qstr', 'hash_len', 0, 8, 'u64'],
    ['inode', 'i_uid.val', 4, 4, 'uid_t'],
    ['inode', 'i_nlink', 72, 4, 'const unsigned int'],
    ['mm_struct', 'arg_start', 480, 8, 'long unsigned int'],
    ['linux_binprm', 'filename', 96, 8, 'const char *'],
    ['pt_regs', 'di', 112, 8, 'long unsigned int'],
    ['pt_regs', 'cs', 136, 2, 'u16'],
    ['pt_regs', 'ss', 160, 2, 'u16'],
    ['trace_event_raw_sys_enter', 'id', 8, 8, 'long int'],
    ['trace_event_raw_sys_enter', 'args[2]', 32, 8, 'long unsigned int'],
    ['trace_event_raw_sys_enter', 'ent.pid', 4, 4, 'int'],
    ['trace_event_raw_sys_exit', 'ret', 16, 8, 'long int'],
    ['xdp_md', 'data_end', 4, 4, '__u32'],
    ['__sk_buff', 'cb[4]', 64, 4, '__u32'],
    ['__sk_buff', 'sk', 168, 8, 'struct bpf_sock *'],
    ['__sk_buff', 'hwtstamp', 184, 8, '__u64'],
    ['iphdr', 'daddr', 16, 4, '__be32'],
    ['ipv6hdr', 'daddr.in6_u.u6_addr8[15]', 39, 1, '__u8'],
    ['icmphdr', 'un.echo.sequence', 6, 2, '__be16'],
    ['sock', '__sk_common.skc_dport', 12, 2, '__be16'],
    ['bpf_fib_lookup', 'dmac', 58, 6, '__u8[6]'],
    ['bpf_iter__task', 'task', 8, 8, 'struct task_struct *'],
    ['bpf_map', 'name', 136, 16, 'char[16]'],
  ])('%s.%s at %d, %d bytes of %s', (name, path, offset, size, typeName) => {
    const f = kernelStruct(name).field(path);
    expect({ offset: f.offset, size: f.size, typeName: f.typeName, bitSize: f.bitSize }).toEqual({ offset, size, typeName, bitSize: 0 });
    expect(kernelOffsetOf(name, path)).toBe(offset);
    expect(kernelStruct(name).sizeOf(path)).toBe(size);
  });

  it.each([
    // little-endian bit order: iphdr's ihl is the low nibble of byte 0
    ['iphdr', 'ihl', 0, 4],
    ['iphdr', 'version', 4, 4],
    ['ipv6hdr', 'version', 4, 4],
    ['tcphdr', 'doff', 100, 4],
    ['tcphdr', 'syn', 105, 1],
    ['tcphdr', 'cwr', 111, 1],
    ['sock_common', 'skc_reuseport', 156, 1],
  ])('%s.%s is a bitfield at bit %d, %d bits wide', (name, path, bitOffset, bitSize) => {
    expect(kernelStruct(name).field(path)).toMatchObject({ bitOffset, bitSize, offset: Math.floor(bitOffset / 8) });
    expect(() => kernelOffsetOf(name, path)).toThrow(`it has no byte offset`);
  });

  it('lists named fields through anonymous members', () => {
    expect(kernelStruct('qstr').fields.map((f) => [f.path, f.offset])).toEqual([
      ['hash', 0],
      ['len', 4],
      ['hash_len', 0],
      ['name', 8],
    ]);
    expect(kernelStruct('pt_regs').fields.map((f) => f.path)).toEqual([
      ...['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip'],
      ...['cs', 'csx', 'flags', 'sp', 'ss', 'ssx'],
    ]);
  });

  it.each([
    ['file', 'f_inode.i_uid', /^struct file: 'f_inode' is struct inode \*, not a struct or union \(in 'f_inode.i_uid'\): pointers are not followed/],
    ['task_struct', 'pidd', /^struct task_struct: no member 'pidd' \(in 'pidd'\)$/],
    ['file', 'f_path.inode', /^struct file: no member 'inode' in 'f_path' \(in 'f_path.inode'\)$/],
    ['task_struct', 'comm[16]', /^struct task_struct: index 16 is past the 16 elements of 'comm'/],
    ['task_struct', 'pid[0]', /^struct task_struct: 'pid' is pid_t, not an array/],
    ['task_struct', 'pid.x', /^struct task_struct: 'pid' is pid_t, not a struct or union/],
    ['iphdr', 'ihl.x', /^struct iphdr: 'ihl' is a bitfield, it has no member 'x'$/],
    ['task_struct', 'comm..x', /^struct task_struct: bad field path 'comm..x'$/],
    ['task_struct', '', /^struct task_struct: bad field path ''$/],
  ])('%s: %j is refused', (name, path, message) => {
    expect(() => kernelStruct(name).field(path)).toThrow(RangeError);
    expect(() => kernelStruct(name).field(path)).toThrow(message);
    expect(kernelStruct(name).has(path)).toBe(false);
  });

  it('refuses a struct the kernel does not have', () => {
    expect(() => kernelStruct('task')).toThrow(new RangeError("kernel BTF: no struct or union 'task'"));
  });

  it('matches the layouts golden', () => {
    const lines: string[] = [];
    for (const def of KERNEL_TYPES) {
      if (def.kind !== 'struct' && def.kind !== 'union') continue;
      const s = kernelStruct(def.name);
      lines.push(`${s.kind} ${s.name}: ${s.size} bytes, align ${s.align}, ${def.abi}`);
      for (const f of s.fields) {
        const at = f.bitSize > 0 ? `${f.offset}:${f.bitOffset % 8}` : `${f.offset}`;
        const width = f.bitSize > 0 ? `${f.bitSize} bits` : `${f.size}`;
        lines.push(`\t${at.padStart(6)}  ${f.path}: ${f.typeName} (${width})`);
      }
      lines.push('');
    }
    expectGolden(GOLDEN, lines.join('\n'));
  });
});

describe('buildKernelBtf', () => {
  const base: readonly KernelTypeDef[] = [int('int', 4, 'signed'), int('char', 1), int('long int', 8, 'signed')];

  it('builds types from C type expressions', () => {
    const btf = buildKernelBtf([
      ...base,
      typedef('pid_t', 'int'),
      struct('s', 32, 'internal', [
        ['p', 'const struct s * const', 0],
        ['name', 'char[2][3]', 8],
        ['u', anonUnion(8, [['l', 'long int', 0]]), 16],
        ['pid', 'volatile pid_t', 24],
      ]),
      enumeration('', [['BIG', 1n << 40n]]),
    ]);
    const s = btf.find('s', 'struct')!;
    expect(s.members.map((m) => btf.typeName(m.type))).toEqual(['const struct s * const', 'char[2][3]', 'union (anon)', 'volatile pid_t']);
    expect(btf.types.filter((t) => t.kind === 'ptr')).toHaveLength(1);
    expect(btf.types.find((t) => t.kind === 'enum64')).toMatchObject({ size: 8, values: [{ name: 'BIG', value: 1n << 40n }] });
  });

  it.each([
    ['an unknown type', [struct('s', 8, 'internal', [['x', 'struct nope *', 0]])], "kernel BTF: type 'struct nope' is not defined (in 'struct nope *')"],
    ['a name defined twice', [typedef('t', 'int'), typedef('t', 'char')], "kernel BTF: 't' is defined twice"],
    ['a bad expression', [typedef('t', 'int]')], "kernel BTF: bad type expression 'int]': unexpected ']'"],
    ['a bad array', [typedef('t', 'int[x]')], "kernel BTF: bad type expression 'int[x]': bad array dimension"],
    ['a misaligned member', [struct('s', 8, 'internal', [['x', 'int', 2]])], 'struct s.x: offset 2 is not 4-byte aligned'],
    [
      'overlapping members',
      [
        struct('s', 8, 'internal', [
          ['x', 'long int', 0],
          ['y', 'int', 4],
        ]),
      ],
      'struct s.y: overlaps the member before it',
    ],
    ['a size that is not a multiple of the alignment', [struct('s', 12, 'internal', [['x', 'long int', 0]])], 'struct s: size 12 is not a multiple of its alignment 8'],
    ['a member past the end', [struct('s', 4, 'internal', [['x', 'long int', 0]])], "member 0 'x': ends at bit 64, past the 4-byte struct"],
  ] as const)('refuses %s', (_what, defs, message) => {
    expect(() => buildKernelBtf([...base, ...defs])).toThrow(message);
  });
});
