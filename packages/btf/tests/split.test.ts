// Split BTF: a module's (or program's) types over a base BTF, ids and
// string offsets continuing the base's. Compared with bpftool's `-B base`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBtf, dumpC, dumpRaw, encodeBtf, parseBtf, type Btf, type BtfTypeInput } from '../src/index';
import { allKindsBtf, bpftoolDumpOptions, catchBtfError, findBpftool, run, skipNote, tempDir } from './support';
import { info, K } from './raw';

const base = allKindsBtf(); // 33 types: ids 0..32
// Split types: ids from 33 on, referring to base ids (1 int, 7 struct node, 15 cvp_t) and their own.
const splitTypes: BtfTypeInput[] = [
  /* 33 */ { kind: 'ptr', name: '', type: 7 },
  /* 34 */ {
    kind: 'struct',
    name: 'module_state',
    size: 24,
    members: [
      { name: 'head', type: 33, bitOffset: 0, bitSize: 0 },
      { name: 'count', type: 1, bitOffset: 64, bitSize: 0 },
      { name: 'node', type: 15, bitOffset: 128, bitSize: 0 },
    ],
  },
  /* 35 */ { kind: 'var', name: 'state', type: 34, linkage: 'global' },
  /* 36 */ { kind: 'datasec', name: '.bss', size: 24, vars: [{ type: 35, offset: 0, size: 24 }] },
];

const bpftool = findBpftool();
if (!bpftool) skipNote('split BTF bpftool comparisons: bpftool not installed');
const withBpftool = bpftool ? it : it.skip;

/** The string section of .BTF bytes, as text. */
function stringSection(bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = v.getUint32(4, true) + v.getUint32(16, true);
  return new TextDecoder().decode(bytes.subarray(start, start + v.getUint32(20, true)));
}

describe('split BTF', () => {
  const split = createBtf(splitTypes, { base });

  it('numbers its types after the base and sees the base types', () => {
    expect(split.firstId).toBe(33);
    expect(split.types).toHaveLength(37);
    expect(split.type(7)).toBe(base.type(7));
    expect(split.typeName(34)).toBe('struct module_state');
    expect(split.typeName(33, 'head')).toBe('struct node *head');
    expect(split.sizeof(34)).toBe(24);
    expect(split.find('node', 'struct')?.id).toBe(7);
    expect(split.pointerSize).toBe(base.pointerSize);
    expect(dumpRaw(split).split('\n')[0]).toBe("[33] PTR '(anon)' type_id=7");
  });

  it('encodes only its own types, naming base strings by their base offsets', () => {
    const bytes = encodeBtf(split);
    const strings = stringSection(bytes);
    // "int" and "node" are the base's; "count" and "module_state" are new.
    expect(strings).toBe('module_state\0head\0count\0state\0.bss\0');
    const again = parseBtf(bytes, { base });
    expect(again.types).toEqual(split.types);
    expect(again.firstId).toBe(33);
  });

  it('round trips against a parsed base', () => {
    const parsedBase = parseBtf(encodeBtf(base));
    const bytes = encodeBtf(createBtf(splitTypes, { base: parsedBase }));
    expect(parseBtf(bytes, { base: parsedBase }).types.slice(33)).toEqual(split.types.slice(33));
  });

  it.each<[string, number[], string, string]>([
    ['a type id past the end', [0, info(K.ptr), 40], 'bad-id', 'type id 40 does not exist (34 types)'],
    ['a string offset past both sections', [5000, info(K.ptr), 1], 'bad-string', 'string offset 5000'],
  ])('refuses %s', (_name, words, code, message) => {
    const strBytes = new Uint8Array([0x61, 0]); // "a"
    const out = new Uint8Array(24 + words.length * 4 + strBytes.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, true);
    v.setUint8(2, 1);
    v.setUint32(4, 24, true);
    v.setUint32(12, words.length * 4, true);
    v.setUint32(16, words.length * 4, true);
    v.setUint32(20, strBytes.length, true);
    words.forEach((w, i) => v.setUint32(24 + i * 4, w >>> 0, true));
    out.set(strBytes, 24 + words.length * 4);
    const err = catchBtfError(() => parseBtf(out, { base }));
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
    expect(err.typeId).toBe(33);
  });

  withBpftool('dumps as bpftool dumps it with -B', () => {
    const tmp = tempDir();
    try {
      const baseFile = join(tmp.dir, 'base.btf');
      const splitFile = join(tmp.dir, 'split.btf');
      writeFileSync(baseFile, encodeBtf(base));
      writeFileSync(splitFile, encodeBtf(split));
      expect(dumpRaw(split)).toBe(run(bpftool!.cmd, ['btf', 'dump', 'file', splitFile, '-B', baseFile, 'format', 'raw']));
      expect(dumpC(split, bpftoolDumpOptions(bpftool!))).toBe(
        run(bpftool!.cmd, ['btf', 'dump', 'file', splitFile, '-B', baseFile, 'format', 'c']),
      );
    } finally {
      tmp.cleanup();
    }
  });
});

const VMLINUX = '/sys/kernel/btf/vmlinux';
const withVmlinux = existsSync(VMLINUX) ? it : it.skip;
if (!existsSync(VMLINUX)) skipNote(`split BTF over vmlinux: ${VMLINUX} not found`);

describe('split BTF over vmlinux', () => {
  let vmlinux: Btf;
  beforeAll(() => {
    if (existsSync(VMLINUX)) vmlinux = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
  });

  withVmlinux('writes a module BTF that bpftool reads against the kernel', () => {
    const listHead = vmlinux.find('list_head', 'struct')!;
    const task = vmlinux.find('task_struct', 'struct')!;
    const u32 = vmlinux.find('u32', 'typedef')!;
    const n = vmlinux.types.length;
    const module = createBtf(
      [
        { kind: 'ptr', name: '', type: task.id },
        {
          kind: 'struct',
          name: 'bpflab_module_entry',
          size: 32,
          members: [
            { name: 'list', type: listHead.id, bitOffset: 0, bitSize: 0 },
            { name: 'task', type: n, bitOffset: 128, bitSize: 0 },
            { name: 'flags', type: u32.id, bitOffset: 192, bitSize: 0 },
          ],
        },
      ],
      { base: vmlinux },
    );
    const bytes = encodeBtf(module);
    // Every name but the struct's own is already in vmlinux's string section.
    expect(stringSection(bytes)).toBe('bpflab_module_entry\0');
    const again = parseBtf(bytes, { base: vmlinux });
    expect(again.types.slice(n)).toEqual(module.types.slice(n));
    expect(again.typeName(n + 1)).toBe('struct bpflab_module_entry');
    if (!bpftool) return skipNote('split BTF over vmlinux: bpftool comparison');
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'module.btf');
      writeFileSync(file, bytes);
      expect(dumpRaw(again)).toBe(run(bpftool.cmd, ['btf', 'dump', 'file', file, '-B', VMLINUX, 'format', 'raw']));
    } finally {
      tmp.cleanup();
    }
  });
});
