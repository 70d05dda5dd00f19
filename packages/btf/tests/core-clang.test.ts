// CO-RE against what clang emits: tests/fixtures/core.c has a relocation of
// every kind. Resolved against its own BTF, every relocation must give the
// value clang put in its instruction (libbpf's validation passes and the
// patch changes nothing); resolved against a kernel whose task_struct is
// laid out differently, the offsets and values follow the kernel's.
// Skipped visibly without clang 15 or later.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyCoreRelocation,
  createBtf,
  parseBtf,
  parseBtfExt,
  resolveCoreRelocation,
  type Btf,
  type BtfExt,
  type CoreRelo,
  type CoreReloKind,
} from '../src/index';
import { elfSections, FIXTURES, findClang, run, skipNote, tempDir } from './support';

const clang = findClang();
if (!clang) skipNote('CO-RE clang tests: no clang 15 or later found (set CLANG, or install clang-19)');
const withClang = clang ? it : it.skip;

/** The parts of an instruction CO-RE patches, decoded from its 8 (or 16) bytes. */
type Decoded =
  | { readonly kind: 'alu'; readonly src: { readonly imm: number } | { readonly reg: number } }
  | { readonly kind: 'load' | 'store'; readonly size: number; readonly off: number }
  | { readonly kind: 'lddw'; readonly pseudo: string; readonly value: bigint }
  | { readonly kind: 'other'; readonly code: number };

function decodeAt(text: Uint8Array, insnOff: number): Decoded {
  const v = new DataView(text.buffer, text.byteOffset + insnOff);
  const code = v.getUint8(0);
  const off = v.getInt16(2, true);
  const imm = v.getInt32(4, true);
  const cls = code & 7;
  const size = [4, 2, 1, 8][(code >> 3) & 3]!;
  if (code === 0x18) {
    const src = v.getUint8(1) >> 4;
    const value = (BigInt(v.getUint32(12, true)) << 32n) | BigInt(v.getUint32(4, true));
    return { kind: 'lddw', pseudo: src === 0 ? 'imm64' : `pseudo ${src}`, value };
  }
  if (cls === 4 || cls === 7) return { kind: 'alu', src: (code & 8) === 0 ? { imm } : { reg: v.getUint8(1) >> 4 } };
  if (cls === 1) return { kind: 'load', size, off };
  if (cls === 2 || cls === 3) return { kind: 'store', size, off };
  return { kind: 'other', code };
}

interface Built {
  readonly btf: Btf;
  readonly ext: BtfExt;
  readonly text: Uint8Array;
}

let built: Built | undefined;

beforeAll(() => {
  if (!clang) return;
  const tmp = tempDir();
  try {
    const object = join(tmp.dir, 'core.o');
    run(clang.cmd, ['-O2', '-g', '-target', 'bpf', '-c', 'core.c', '-o', object], FIXTURES);
    const sections = elfSections(new Uint8Array(readFileSync(object)));
    const btf = parseBtf(sections.get('.BTF')!);
    built = { btf, ext: parseBtfExt(sections.get('.BTF.ext')!, btf), text: sections.get('tp_btf/sched_switch')!.slice() };
  } finally {
    tmp.cleanup();
  }
});

function relos(): readonly CoreRelo[] {
  return built!.ext.coreRelos.flatMap((s) => s.records);
}

describe('CO-RE relocations clang emitted', () => {
  withClang('has one of every kind', () => {
    const kinds = new Set(relos().map((r) => r.kind));
    expect([...kinds].sort()).toEqual(
      [
        'field_byte_offset',
        'field_byte_size',
        'field_exists',
        'field_signed',
        'field_lshift_u64',
        'field_rshift_u64',
        'type_id_local',
        'type_id_target',
        'type_exists',
        'type_size',
        'type_matches',
        'enumval_exists',
        'enumval_value',
      ].sort(),
    );
  });

  withClang('resolve against their own BTF to the values clang put in the instructions', () => {
    const { btf, text } = built!;
    for (const relo of relos()) {
      const r = resolveCoreRelocation(btf, btf, relo);
      if (r.kind !== 'ok') throw new Error(`${relo.kind} ${relo.access}: ${r.kind === 'error' ? r.message : r.reason}`);
      expect({ kind: relo.kind, access: relo.access, same: r.value === r.localValue }).toEqual({ kind: relo.kind, access: relo.access, same: true });
      const insn = decodeAt(text, relo.insnOff);
      const patch = applyCoreRelocation(insn, r);
      expect({ kind: relo.kind, access: relo.access, patch: patch.kind }).toEqual({ kind: relo.kind, access: relo.access, patch: 'patched' });
      if (r.validate && patch.kind === 'patched') expect(patch.insn).toEqual(insn);
    }
  });

  withClang('follow a kernel that lays task_struct out differently', () => {
    const { btf } = built!;
    const kernel = createBtf([
      /* 1 */ { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
      /* 2 */ { kind: 'int', name: 'unsigned int', size: 4, encoding: 'none', offset: 0, bits: 32 },
      /* 3 */ { kind: 'int', name: 'char', size: 1, encoding: 'char', offset: 0, bits: 8 },
      /* 4 */ { kind: 'ptr', name: '', type: 5 },
      /* 5 */ {
        kind: 'struct',
        name: 'task_struct',
        size: 64,
        members: [
          { name: 'parent', type: 4, bitOffset: 0, bitSize: 0 },
          { name: 'flags', type: 2, bitOffset: 64, bitSize: 4 },
          { name: 'prio', type: 1, bitOffset: 96, bitSize: 7 },
          { name: 'tgid', type: 1, bitOffset: 128, bitSize: 0 },
          { name: 'pid', type: 1, bitOffset: 160, bitSize: 0 },
          { name: 'info', type: 6, bitOffset: 256, bitSize: 0 },
        ],
      },
      /* 6 */ { kind: 'struct', name: '', size: 32, members: [{ name: 'comm', type: 7, bitOffset: 0, bitSize: 0 }] },
      /* 7 */ { kind: 'array', name: '', type: 3, indexType: 2, length: 32 },
      /* 8 */ { kind: 'typedef', name: 'task_t', type: 5 },
      /* 9 */ { kind: 'enum', name: 'task_state', size: 4, signed: false, values: [{ name: 'TASK_DEAD', value: 0x10 }] },
    ]);
    const got = relos().map((relo) => {
      const r = resolveCoreRelocation(btf, kernel, relo);
      return `${relo.kind} ${relo.access} ${r.kind === 'ok' ? r.value : r.kind}`;
    });
    const want: [CoreReloKind, string, string][] = [
      ['field_byte_offset', '0:5', '0'],
      ['field_byte_offset', '0:0', '20'],
      ['field_byte_offset', '0:1', '16'],
      ['field_byte_offset', '0:4:0:3', '35'],
      ['field_byte_offset', '0:2', '8'],
      ['field_byte_size', '0:2', '4'],
      ['field_exists', '0:3', '1'],
      ['field_signed', '0:3', '1'],
      ['field_lshift_u64', '0:3', '57'],
      ['field_rshift_u64', '0:3', '57'],
      ['type_id_target', '0', '5'],
      ['type_exists', '0', '1'],
      ['type_size', '0', '64'],
      ['enumval_exists', '1', '1'],
      ['enumval_value', '1', '16'],
    ];
    for (const [kind, access, value] of want) expect(got).toContain(`${kind} ${access} ${value}`);
    // the layouts differ (`info.comm` has 32 chars, not 16): the type does not match
    expect(got).toContain('type_matches 0 0');
  });
});
