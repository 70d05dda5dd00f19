// Mutation fuzzing of the parsers: bytes derived from valid .BTF / .BTF.ext
// by bit flips, word overwrites with boundary values (ids, lengths, kinds),
// truncation, extension and record shuffles. Every case must either parse
// or throw BtfError, and whatever parses must be usable: dumps, layout
// helpers and C names either work or throw BtfError, and the model survives
// encoding. Deterministic: FUZZ_SEED picks another seed, FUZZ_CASES more cases.
import {
  BtfError,
  createBtf,
  dumpBtfExt,
  dumpC,
  dumpRaw,
  encodeBtf,
  encodeBtfExt,
  parseBtf,
  parseBtfExt,
  type Btf,
  type BtfExt,
} from '../src/index';
import { allKindsBtf } from './support';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed1234) >>> 0;
const CASES = Number(process.env['FUZZ_CASES'] ?? 12000);

/** xorshift32: small, fast, reproducible. */
function rng(seed: number): () => number {
  let s = seed || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

type Mutator = (b: Uint8Array, r: () => number, hints: readonly number[]) => Uint8Array;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const index = (r: () => number, n: number): number => Math.floor(r() * n);

const mutators: readonly Mutator[] = [
  // flip one to four bits
  (b, r) => {
    const out = b.slice();
    for (let i = 0, n = 1 + index(r, 4); i < n && out.length > 0; i++) out[index(r, out.length)]! ^= 1 << index(r, 8);
    return out;
  },
  // one random byte
  (b, r) => {
    const out = b.slice();
    if (out.length > 0) out[index(r, out.length)] = index(r, 256);
    return out;
  },
  // an aligned word set to a boundary value: ids and lengths near their limits, kinds, flags
  (b, r, hints) => {
    const out = b.slice();
    if (out.length < 4) return out;
    const off = index(r, out.length >> 2) << 2;
    const values = [0, 1, 2, 3, 0x7f, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, ...hints];
    const kindInfo = ((r() < 0.2 ? 0x80000000 : 0) | (index(r, 22) << 24) | index(r, 4)) >>> 0;
    const v = r() < 0.25 ? kindInfo : pick(r, values) + (r() < 0.3 ? index(r, 3) - 1 : 0);
    new DataView(out.buffer).setUint32(off, v >>> 0, true);
    return out;
  },
  // truncate
  (b, r) => b.slice(0, index(r, b.length + 1)),
  // extend with random bytes
  (b, r) => {
    const extra = Uint8Array.from({ length: 1 + index(r, 16) }, () => index(r, 256));
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return out;
  },
  // copy a 12-byte record-sized chunk over another place
  (b, r) => {
    const out = b.slice();
    if (out.length < 24) return out;
    const from = index(r, (out.length - 12) >> 2) << 2;
    const to = index(r, (out.length - 12) >> 2) << 2;
    out.copyWithin(to, from, from + 12);
    return out;
  },
];

function mutate(seed: Uint8Array, r: () => number, hints: readonly number[]): Uint8Array {
  let b = seed;
  for (let i = 0, n = 1 + index(r, 3); i < n; i++) b = pick(r, mutators)(b, r, hints);
  return b;
}

/** Runs `f`; a BtfError is an accepted outcome, anything else is returned as a failure. */
function outcome(f: () => void): 'ok' | 'btf-error' | Error {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof BtfError) return 'btf-error';
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** What a consumer does with a parsed Btf: all of it must work or throw BtfError, and encoding must round trip. */
function exercise(btf: Btf, base?: Btf): void {
  dumpRaw(btf);
  outcome(() => dumpC(btf));
  for (let id = btf.firstId; id < btf.types.length; id++) {
    outcome(() => btf.sizeof(id));
    outcome(() => btf.alignof(id));
    outcome(() => btf.typeName(id, 'x'));
    btf.resolve(id);
  }
  const again = parseBtf(encodeBtf(btf), { base });
  if (dumpRaw(again) !== dumpRaw(btf)) throw new Error('encoding changed the model');
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('fuzz', () => {
  const btf = allKindsBtf();
  const seeds: readonly { name: string; bytes: Uint8Array; base?: Btf }[] = [
    { name: 'all kinds', bytes: encodeBtf(btf) },
    { name: 'all kinds, big-endian', bytes: encodeBtf(btf, { endianness: 'big' }) },
    {
      name: 'split over all kinds',
      base: btf,
      bytes: encodeBtf(
        createBtf(
          [
            { kind: 'ptr', name: '', type: 7 },
            { kind: 'struct', name: 'm', size: 8, members: [{ name: 'p', type: 33, bitOffset: 0, bitSize: 0 }] },
            { kind: 'typedef', name: 'm_t', type: 34 },
          ],
          { base: btf },
        ),
      ),
    },
  ];
  const hints = [btf.types.length, btf.types.length - 1, 33, 34, 35, encodeBtf(btf).length];

  it(`parseBtf: ${CASES} mutated inputs parse or throw BtfError (seed 0x${SEED.toString(16)})`, () => {
    const r = rng(SEED);
    const failures: string[] = [];
    const counts = { ok: 0, 'btf-error': 0 };
    for (let i = 0; i < CASES && failures.length < 5; i++) {
      const seed = pick(r, seeds);
      const bytes = mutate(seed.bytes, r, hints);
      let parsed: Btf | undefined;
      const res = outcome(() => {
        parsed = parseBtf(bytes, { base: seed.base });
      });
      if (res instanceof Error) {
        failures.push(`case ${i} (${seed.name}): parseBtf threw ${res.name}: ${res.message}\n  input ${hex(bytes)}`);
        continue;
      }
      counts[res]++;
      if (parsed) {
        const used = outcome(() => exercise(parsed!, seed.base));
        if (used instanceof Error) failures.push(`case ${i} (${seed.name}): using the parsed BTF threw ${used.name}: ${used.message}\n  input ${hex(bytes)}`);
      }
    }
    expect(failures).toEqual([]);
    // The mutations must reach both outcomes often, or the fuzzer tests nothing.
    expect(counts.ok).toBeGreaterThan(CASES / 20);
    expect(counts['btf-error']).toBeGreaterThan(CASES / 4);
  }, 120_000);

  it(`parseBtfExt: ${CASES / 2} mutated inputs parse or throw BtfError`, () => {
    const ext: BtfExt = {
      funcInfo: [
        { section: 'xdp', records: [{ insnOff: 0, typeId: 20 }] },
        { section: '.text', records: [{ insnOff: 64, typeId: 20 }] },
      ],
      lineInfo: [{ section: 'xdp', records: [{ insnOff: 0, fileName: 'a.c', line: 'int x;', lineNum: 7, column: 3 }] }],
      coreRelos: [
        {
          section: 'xdp',
          records: [
            { insnOff: 8, typeId: 7, access: '0:5:2', kind: 'field_byte_offset' },
            { insnOff: 16, typeId: 17, access: '1', kind: 'enumval_exists' },
            { insnOff: 24, typeId: 15, access: '0', kind: 'type_size' },
          ],
        },
      ],
    };
    const out = encodeBtfExt(btf, ext);
    const target = parseBtf(out.btf);
    const r = rng(SEED ^ 0xa5a5a5a5);
    const failures: string[] = [];
    const counts = { ok: 0, 'btf-error': 0 };
    for (let i = 0; i < CASES / 2 && failures.length < 5; i++) {
      const bytes = mutate(out.ext, r, [32, 140, 8, 16, 24, target.types.length]);
      let parsed: BtfExt | undefined;
      const res = outcome(() => {
        parsed = parseBtfExt(bytes, target);
      });
      if (res instanceof Error) {
        failures.push(`case ${i}: parseBtfExt threw ${res.name}: ${res.message}\n  input ${hex(bytes)}`);
        continue;
      }
      counts[res]++;
      if (parsed) {
        const used = outcome(() => {
          dumpBtfExt(target, parsed!);
          const back = encodeBtfExt(target, parsed!);
          if (JSON.stringify(parseBtfExt(back.ext, parseBtf(back.btf)), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)) !==
            JSON.stringify(parsed)) {
            throw new Error('encoding changed the records');
          }
        });
        if (used !== 'ok') failures.push(`case ${i}: using the parsed .BTF.ext: ${used === 'btf-error' ? 'BtfError' : used.message}\n  input ${hex(bytes)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(counts.ok).toBeGreaterThan(CASES / 40);
    expect(counts['btf-error']).toBeGreaterThan(CASES / 8);
  }, 120_000);
});
