// CO-RE relocation against the kernel's BTF, as libbpf resolves it: local
// types matched to the kernel's by essential name, fields by name through
// anonymous members, existence and size questions, enumerators, memory
// access size adjustment, poisoning, and the checks that refuse a program
// whose instruction disagrees with its BTF.
import { createBtf, type Btf, type BtfTypeInput, type CoreReloKind } from '@bpflab/btf';
import type { Insn } from '@bpflab/isa';
import { kernelBtf, kernelStruct } from '@bpflab/kernel';
import type { ProgramSpec } from '@bpflab/object';
import { ERRNO } from '@bpflab/uapi';
import { CORE_POISON_HELPER, essentialName, kernelCoreRelocator } from '../src/index';
import { buildFixture, haveClang } from './support/clang';
import { world } from './support/world';

/** A local BTF: `unsigned int`(1), `int`(2), `unsigned long`(3), then the given types. */
function localBtf(types: readonly BtfTypeInput[]): Btf {
  return createBtf([
    { kind: 'int', name: 'unsigned int', size: 4, encoding: 'none', offset: 0, bits: 32 },
    { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
    { kind: 'int', name: 'long unsigned int', size: 8, encoding: 'none', offset: 0, bits: 64 },
    ...types,
  ]);
}

const LOCAL = localBtf([
  // [4] the program's view of struct file: only f_flags, at 0
  { kind: 'struct', name: 'file___mine', size: 4, members: [{ name: 'f_flags', type: 1, bitOffset: 0, bitSize: 0 }] },
  // [5] an older kernel's inode
  { kind: 'struct', name: 'inode___old', size: 8, members: [{ name: 'i_legacy', type: 3, bitOffset: 0, bitSize: 0 }] },
  // [6] i_ino as a 32-bit unsigned, [7] as a signed int
  { kind: 'struct', name: 'inode___u32', size: 4, members: [{ name: 'i_ino', type: 1, bitOffset: 0, bitSize: 0 }] },
  { kind: 'struct', name: 'inode___s32', size: 4, members: [{ name: 'i_ino', type: 2, bitOffset: 0, bitSize: 0 }] },
  // [8] a qstr whose name is an integer: not the kernel's
  { kind: 'struct', name: 'qstr___wrong', size: 8, members: [{ name: 'name', type: 3, bitOffset: 0, bitSize: 0 }] },
  // [9] an enum with one enumerator the kernel has and one it lacks
  {
    kind: 'enum',
    name: 'bpf_map_type___local',
    size: 4,
    signed: false,
    values: [
      { name: 'BPF_MAP_TYPE_HASH___local', value: 7 },
      { name: 'BPF_MAP_TYPE_FUTURE', value: 999 },
    ],
  },
  // [10] an anonymous struct
  { kind: 'struct', name: '', size: 4, members: [{ name: 'f_flags', type: 1, bitOffset: 0, bitSize: 0 }] },
  // [11] a struct the kernel does not have
  { kind: 'struct', name: 'not_in_kernel', size: 4, members: [{ name: 'a', type: 2, bitOffset: 0, bitSize: 0 }] },
]);

interface Relo {
  readonly kind: CoreReloKind;
  readonly typeId: number;
  readonly access: string;
}

/** Relocates one instruction (followed by exit) with one relocation. */
function relocate(btf: Btf, insn: Insn, relo: Relo) {
  const program = {
    name: 'p',
    insns: [insn, { kind: 'exit' }],
    coreRelocations: [{ insn: 0, pc: 0, ...relo, description: `${relo.kind} ${relo.typeId}:${relo.access}` }],
  } as unknown as ProgramSpec;
  return kernelCoreRelocator({ program, objectBtf: btf, kernelBtf: { btf: kernelBtf() } });
}

const load = (size: 1 | 2 | 4 | 8, off: number): Insn => ({ kind: 'load', size, signed: false, dst: 0, base: 1, off });
const mov = (imm: number): Insn => ({ kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm } });
const POISON: Insn = { kind: 'call', helper: CORE_POISON_HELPER };

describe('essentialName', () => {
  it.each([
    ['task_struct___local', 'task_struct'],
    ['file___mine', 'file'],
    ['a___b___c', 'a___b'],
    ['file', 'file'],
    ['file____x', 'file____x'],
    ['___x', '___x'],
    ['x___', 'x___'],
  ])('%s → %s', (have, want) => {
    expect(essentialName(have)).toBe(want);
  });
});

describe('kernelCoreRelocator', () => {
  const K = kernelBtf();
  const id = (name: string, kind: 'struct' | 'enum' = 'struct') => K.find(name, kind)!.id;

  it.each([
    {
      name: 'a flavoured struct: the offset moves to the kernel’s',
      btf: LOCAL,
      insn: load(4, 0),
      relo: { kind: 'field_byte_offset', typeId: 4, access: '0:0' },
      want: [load(4, kernelStruct('file').offsetOf('f_flags'))],
    },
    {
      name: 'an unsigned field the kernel has wider: the load widens',
      btf: LOCAL,
      insn: load(4, 0),
      relo: { kind: 'field_byte_offset', typeId: 6, access: '0:0' },
      want: [load(8, kernelStruct('inode').offsetOf('i_ino'))],
    },
    { name: 'a signed field of another size: poisoned', btf: LOCAL, insn: load(4, 0), relo: { kind: 'field_byte_offset', typeId: 7, access: '0:0' }, want: [POISON] },
    { name: 'a field the kernel lacks: poisoned', btf: LOCAL, insn: load(8, 0), relo: { kind: 'field_byte_offset', typeId: 5, access: '0:0' }, want: [POISON] },
    {
      name: 'a poisoned lddw keeps its two slots',
      btf: LOCAL,
      insn: { kind: 'lddw', dst: 0, pseudo: 'imm64', value: 0n },
      relo: { kind: 'field_byte_offset', typeId: 5, access: '0:0' },
      want: [POISON, POISON],
    },
    { name: 'field_exists of a missing field: 0', btf: LOCAL, insn: mov(1), relo: { kind: 'field_exists', typeId: 5, access: '0:0' }, want: [mov(0)] },
    { name: 'field_exists of a present field: 1', btf: LOCAL, insn: mov(1), relo: { kind: 'field_exists', typeId: 4, access: '0:0' }, want: [mov(1)] },
    { name: 'field_byte_size follows the kernel', btf: LOCAL, insn: mov(4), relo: { kind: 'field_byte_size', typeId: 6, access: '0:0' }, want: [mov(8)] },
    { name: 'field_signed', btf: LOCAL, insn: mov(1), relo: { kind: 'field_signed', typeId: 7, access: '0:0' }, want: [mov(0)] },
    { name: 'field_lshift_u64 of the kernel field', btf: LOCAL, insn: mov(32), relo: { kind: 'field_lshift_u64', typeId: 6, access: '0:0' }, want: [mov(0)] },
    { name: 'field_rshift_u64 of the kernel field', btf: LOCAL, insn: mov(32), relo: { kind: 'field_rshift_u64', typeId: 6, access: '0:0' }, want: [mov(0)] },
    { name: 'type_exists of a missing type: 0', btf: LOCAL, insn: mov(1), relo: { kind: 'type_exists', typeId: 11, access: '0' }, want: [mov(0)] },
    { name: 'type_exists of an older flavour (structs match by name): 1', btf: LOCAL, insn: mov(1), relo: { kind: 'type_exists', typeId: 5, access: '0' }, want: [mov(1)] },
    { name: 'type_exists of a flavour: 1', btf: LOCAL, insn: mov(1), relo: { kind: 'type_exists', typeId: 4, access: '0' }, want: [mov(1)] },
    { name: 'type_size of a flavour: the kernel’s size', btf: LOCAL, insn: mov(4), relo: { kind: 'type_size', typeId: 4, access: '0' }, want: [mov(kernelStruct('file').size)] },
    { name: 'type_matches of a qstr with the wrong member type: 0', btf: LOCAL, insn: mov(1), relo: { kind: 'type_matches', typeId: 8, access: '0' }, want: [mov(0)] },
    { name: 'type_matches of the kernel’s own qstr: 1', btf: K, insn: mov(1), relo: { kind: 'type_matches', typeId: id('qstr'), access: '0' }, want: [mov(1)] },
    { name: 'type_id_target', btf: LOCAL, insn: mov(4), relo: { kind: 'type_id_target', typeId: 4, access: '0' }, want: [mov(id('file'))] },
    { name: 'type_id_local', btf: LOCAL, insn: mov(4), relo: { kind: 'type_id_local', typeId: 4, access: '0' }, want: [mov(4)] },
    { name: 'enumval_value by essential name', btf: LOCAL, insn: mov(7), relo: { kind: 'enumval_value', typeId: 9, access: '0' }, want: [mov(1)] },
    { name: 'enumval_exists of a missing enumerator: 0', btf: LOCAL, insn: mov(1), relo: { kind: 'enumval_exists', typeId: 9, access: '1' }, want: [mov(0)] },
    { name: 'enumval_value of a missing enumerator: poisoned', btf: LOCAL, insn: mov(999), relo: { kind: 'enumval_value', typeId: 9, access: '1' }, want: [POISON] },
  ] as const)('$name', ({ btf, insn, relo, want }) => {
    const r = relocate(btf, insn, relo);
    expect(r).toEqual({ ok: true, value: [...want, { kind: 'exit' }] });
  });

  it('follows anonymous unions: file.f_path.dentry', () => {
    const file = K.find('file', 'struct')!;
    const union = file.members.findIndex((m) => m.name === '' && m.bitOffset === kernelStruct('file').offsetOf('f_path') * 8);
    const path = K.find('path', 'struct')!;
    const dentry = path.members.findIndex((m) => m.name === 'dentry');
    const unionType = K.resolve(file.members[union]!.type);
    const fPath = unionType.kind === 'union' ? unionType.members.findIndex((m) => m.name === 'f_path') : -1;
    const off = kernelStruct('file').offsetOf('f_path.dentry');
    expect(relocate(K, load(8, off), { kind: 'field_byte_offset', typeId: file.id, access: `0:${union}:${fPath}:${dentry}` })).toEqual({
      ok: true,
      value: [load(8, off), { kind: 'exit' }],
    });
  });

  it.each([
    {
      name: 'an instruction that disagrees with the program’s BTF',
      btf: LOCAL,
      insn: load(4, 8),
      relo: { kind: 'field_byte_offset', typeId: 4, access: '0:0' },
      want: 'relo #0: field_byte_offset of field_byte_offset 4:0:0 at insn #0: unexpected insn value: got 8, exp 0 -> 40',
    },
    { name: 'an access past the members', btf: LOCAL, insn: load(4, 0), relo: { kind: 'field_byte_offset', typeId: 4, access: '0:3' }, want: 'member #3 of struct file___mine does not exist' },
    { name: 'an anonymous type', btf: LOCAL, insn: load(4, 0), relo: { kind: 'field_byte_offset', typeId: 10, access: '0:0' }, want: 'is anonymous: CO-RE needs a named type' },
    { name: 'a type relocation with a field access', btf: LOCAL, insn: mov(1), relo: { kind: 'type_exists', typeId: 4, access: '0:0' }, want: "type relocation with access string '0:0' (want '0')" },
    { name: 'a relocation on a register ALU', btf: LOCAL, insn: { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { reg: 1 } }, relo: { kind: 'field_byte_size', typeId: 4, access: '0:0' }, want: 'takes a register, not an immediate' },
  ] as const)('refuses $name (EINVAL)', ({ btf, insn, relo, want }) => {
    const r = relocate(btf, insn, relo);
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
    expect(r.ok ? '' : r.message).toContain(want);
  });
});

const maybe = haveClang('core-relocator.test.ts') ? describe : describe.skip;

maybe('a program built against vmlinux.h', () => {
  it('gets the kernel’s answers to its CO-RE questions', () => {
    const w = world();
    const { obj } = w.load(buildFixture('core_checks')!, 'core_checks.bpf.o');
    expect(w.op({ op: 'open', path: '/etc/passwd', task: { pid: 7001, comm: 'cat' } }).result).toBe(0);
    const answers = Array.from({ length: 13 }, (_, i) => obj.map('answers').lookup(i));
    expect(answers).toEqual([
      1n, // f_inode exists
      0n, // i_legacy does not
      1n, // struct linux_binprm exists
      0n, // struct not_in_kernel does not
      BigInt(kernelStruct('file').size),
      16n, // task_struct.comm
      BigInt(kernelStruct('file').offsetOf('f_path.dentry')),
      1n, // i_size is signed (loff_t)
      0n, // i_ino is not
      1n, // BPF_MAP_TYPE_HASH exists
      1n, // and is 1 in the kernel (7 locally)
      0n, // the future map type does not
      BigInt(0o100000), // f_flags of an open for reading: O_LARGEFILE
    ]);
  });

  it('a kernel without BTF refuses the program', async () => {
    const { Kernel } = await import('@bpflab/kernel');
    const r = new Kernel({ btf: null }).openObject(buildFixture('core_checks')!, { name: 'core_checks.bpf.o' }).load();
    expect(r).toMatchObject({ ok: false, reason: 'relocation', errno: ERRNO.ESRCH });
    expect(r.ok ? '' : r.message).toMatch(/needs the kernel's BTF, and this kernel has none/);
  });
});
