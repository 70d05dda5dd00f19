// Differential test against bpftool on random type graphs: structs and
// unions (named from a small pool so that names collide, anonymous ones to
// be inlined, packed and padded layouts, bitfields), pointer cycles, typedef
// and qualifier chains, arrays, enums with colliding enumerators, function
// prototypes, vars and tags. Each graph is written with encodeBtf; bpftool
// must print what dumpRaw and dumpC print, or both must refuse it.
// Deterministic: DIFF_SEED picks another seed, DIFF_CASES more graphs.
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BtfError, createBtf, dumpC, dumpRaw, encodeBtf, type Btf, type BtfMember, type BtfTypeInput } from '../src/index';
import { bpftoolDumpOptions, findBpftool, skipNote, tempDir } from './support';

const SEED = Number(process.env['DIFF_SEED'] ?? 20240611) >>> 0;
const CASES = Number(process.env['DIFF_CASES'] ?? 150);
const bpftool = findBpftool();
if (!bpftool) skipNote('differential tests: bpftool not installed');

function rng(seed: number): () => number {
  let s = seed || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const INTS: BtfTypeInput[] = [
  /* 1 */ { kind: 'int', name: 'char', size: 1, encoding: 'signed', offset: 0, bits: 8 },
  /* 2 */ { kind: 'int', name: 'short', size: 2, encoding: 'signed', offset: 0, bits: 16 },
  /* 3 */ { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
  /* 4 */ { kind: 'int', name: 'long', size: 8, encoding: 'signed', offset: 0, bits: 64 },
  /* 5 */ { kind: 'int', name: 'unsigned int', size: 4, encoding: 'none', offset: 0, bits: 32 },
  /* 6 */ { kind: 'int', name: '_Bool', size: 1, encoding: 'bool', offset: 0, bits: 8 },
];
const NAMES = ['a', 'b', 'c', 'node', 'item'];

/** One random graph, or undefined when the draw is not valid BTF. */
function randomGraph(r: () => number): Btf | undefined {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const types: BtfTypeInput[] = INTS.slice();
  const current = () => createBtf(types);
  let btf = current();
  const hasSize = (id: number): boolean => {
    try {
      return btf.sizeof(id) >= 0 && !['var', 'datasec'].includes(btf.type(id).kind);
    } catch {
      return false;
    }
  };
  const sized = () => btf.types.filter((t) => t.id > 0 && hasSize(t.id)).map((t) => t.id);
  const n = 6 + int(18);
  const laterPtrs: number[] = [];
  for (let i = 0; i < n; i++) {
    const roll = r();
    const name = r() < 0.3 ? '' : pick(NAMES);
    let t: BtfTypeInput;
    if (roll < 0.3) {
      const composite = r() < 0.75 ? 'struct' : 'union';
      const members: BtfMember[] = [];
      let off = 0;
      let maxAlign = 1;
      const packed = composite === 'struct' && r() < 0.15;
      for (let m = 0, count = int(5); m < count; m++) {
        const type = r() < 0.3 && types.length > 0 ? 3 : pick(sized());
        const size = btf.sizeof(type);
        const align = packed ? 1 : btf.alignof(type);
        const mname = r() < 0.15 && btf.resolve(type).kind.match(/struct|union/) ? '' : `m${m}`;
        if (r() < 0.2 && btf.resolve(type).kind === 'int' && composite === 'struct') {
          const bits = 1 + int(size * 8);
          members.push({ name: r() < 0.1 ? '' : mname || `m${m}`, type, bitOffset: off, bitSize: bits });
          off += bits + (r() < 0.2 ? int(5) : 0);
        } else {
          if (composite === 'struct') off = Math.ceil(off / (align * 8)) * align * 8 + (r() < 0.1 ? 64 : 0);
          members.push({ name: mname, type, bitOffset: composite === 'union' ? 0 : off, bitSize: 0 });
          if (composite === 'struct') off += size * 8;
          else off = Math.max(off, size * 8);
        }
        maxAlign = Math.max(maxAlign, align);
      }
      const bytes = Math.ceil(off / 8);
      const size = (packed ? bytes : Math.ceil(bytes / maxAlign) * maxAlign) + (r() < 0.1 ? 8 : 0);
      t = { kind: composite, name, size, members };
    } else if (roll < 0.45) {
      t = { kind: 'ptr', name: '', type: 0 };
      laterPtrs.push(types.length + 1);
    } else if (roll < 0.55) {
      t = { kind: 'typedef', name: name || pick(NAMES), type: pick([0, ...sized()]) };
    } else if (roll < 0.62) {
      t = { kind: pick(['const', 'volatile'] as const), name: '', type: pick(sized()) };
    } else if (roll < 0.7) {
      t = { kind: 'array', name: '', type: pick(sized()), indexType: 3, length: int(4) };
    } else if (roll < 0.78) {
      const vals = Array.from({ length: 1 + int(3) }, () => ({ name: pick(['X', 'Y', 'Z']), value: int(5) }));
      t = { kind: 'enum', name, size: pick([1, 4, 4, 8]), signed: r() < 0.3, values: vals };
    } else if (roll < 0.82) {
      t = { kind: 'fwd', name: name || pick(NAMES), fwdKind: r() < 0.5 ? 'struct' : 'union' };
    } else if (roll < 0.9) {
      const params = Array.from({ length: int(3) }, () => ({ name: '', type: pick(sized()) }));
      t = { kind: 'func_proto', name: '', returnType: pick([0, ...sized()]), params, variadic: params.length > 0 && r() < 0.3 };
    } else if (roll < 0.95) {
      t = { kind: 'enum64', name, size: 8, signed: r() < 0.5, values: [{ name: pick(['X', 'W']), value: BigInt(int(3)) << 33n }] };
    } else {
      t = { kind: 'var', name: pick(NAMES), type: pick(sized()), linkage: 'global' };
    }
    types.push(t);
    try {
      btf = current();
    } catch (e) {
      if (!(e instanceof BtfError)) throw e;
      types.pop();
      btf = current();
    }
  }
  // Pointers may point anywhere, forward included: that is how struct cycles arise.
  const targets = types.map((_, i) => i + 1).filter((id) => !['var', 'ptr'].includes(types[id - 1]!.kind));
  for (const id of laterPtrs) {
    if (id <= types.length) types[id - 1] = { kind: 'ptr', name: '', type: r() < 0.1 ? 0 : pick(targets) };
  }
  try {
    return createBtf(types);
  } catch (e) {
    if (e instanceof BtfError) return undefined;
    throw e;
  }
}

(bpftool ? it : it.skip)(`dumps ${CASES} random graphs as bpftool does (seed ${SEED})`, () => {
  const r = rng(SEED);
  const tmp = tempDir();
  const opts = bpftoolDumpOptions(bpftool!);
  const mismatches: string[] = [];
  let compared = 0;
  let refused = 0;
  try {
    for (let i = 0; i < CASES && mismatches.length < 3; i++) {
      const btf = randomGraph(r);
      if (!btf) continue;
      const file = join(tmp.dir, `g${i}.btf`);
      writeFileSync(file, encodeBtf(btf));
      const raw = spawnSync(bpftool!.cmd, ['btf', 'dump', 'file', file, 'format', 'raw'], { encoding: 'utf8' });
      if (raw.stdout !== dumpRaw(btf)) mismatches.push(`graph ${i}: raw dump differs\n${dumpRaw(btf)}`);
      const c = spawnSync(bpftool!.cmd, ['btf', 'dump', 'file', file, 'format', 'c'], { encoding: 'utf8' });
      let mine: string | BtfError;
      try {
        mine = dumpC(btf, opts);
      } catch (e) {
        if (!(e instanceof BtfError)) throw e;
        mine = e;
      }
      if (mine instanceof BtfError) {
        refused++;
        if (c.status === 0) mismatches.push(`graph ${i}: dumpC refused (${mine.message}), bpftool printed it\n${dumpRaw(btf)}`);
      } else {
        compared++;
        if (c.stdout !== mine) mismatches.push(`graph ${i}: C dump differs\n--- bpftool\n${c.stdout}\n--- dumpC\n${mine}\n--- raw\n${dumpRaw(btf)}`);
      }
    }
  } finally {
    tmp.cleanup();
  }
  expect(mismatches).toEqual([]);
  expect(compared).toBeGreaterThan(CASES / 2);
  expect(refused).toBeLessThan(CASES / 4);
}, 60_000);
