// Mutation fuzzing: fixture objects with bytes flipped, header fields,
// section contents, symbols and relocations overwritten, and files cut
// short. Whatever the damage, readObject either reads the object (and the
// formatters print it) or throws ObjectError; nothing else escapes, and no
// case takes long. Deterministic: the seed is fixed (FUZZ_SEED overrides it,
// FUZZ_CASES the count), and a failure reports the seed and case to replay.
import { readElf } from '../src/internal/elf';
import { formatInspect, formatObjectJson, formatSourceListing, ObjectError, readObject } from '../src/index';
import { buildElf, callLocal, CODE, DATA, lddw, R, RETURN_0 } from './elf-builder';
import { compileFixture, findClang, skipNote } from './support';
import { rng as unitRng } from '../../../tools/test-support/bpf-fuzz';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed_b9f1);
const CASES = Number(process.env['FUZZ_CASES'] ?? 10_000);
/** No single case may take longer than this (a hang shows up as a timeout of the whole test). */
/**
 * A case taking longer than this is treated as a hang (runaway loop or
 * exponential blow-up), not as a slow machine: shared CI machines can stall
 * for hundreds of milliseconds, so this is a hang guard, not a speed goal.
 */
const HANG_MS = 10_000;

/** xorshift32 (the shared fuzz generator) as 32-bit integers. */
function rng(seed: number): () => number {
  const next = unitRng(seed);
  return () => Math.floor(next() * 0x100000000);
}

function handmade(): Uint8Array {
  const mapDef = new Uint8Array(20);
  new DataView(mapDef.buffer).setUint32(0, 2, true);
  return buildElf({
    sections: [
      { name: '.text', flags: CODE, data: [...RETURN_0, ...RETURN_0] },
      { name: 'xdp', flags: CODE, data: [lddw(1), callLocal(-1), lddw(1), ...RETURN_0] },
      { name: 'maps', flags: DATA, data: mapDef },
      { name: '.data', flags: DATA, data: new Uint8Array(16) },
      { name: '.bss', type: 8, flags: DATA, size: 64 },
      { name: 'license', flags: DATA, data: new TextEncoder().encode('GPL\0') },
      { name: 'version', flags: DATA, data: new Uint8Array(4) },
    ],
    symbols: [
      { name: '.text', section: '.text', type: 'section', bind: 'local' },
      { name: 'helper', section: '.text', value: 0, size: 16, type: 'func' },
      { name: 'cb', section: '.text', value: 16, size: 16, type: 'func', bind: 'local' },
      { name: 'prog', section: 'xdp', value: 0, size: 56, type: 'func' },
      { name: 'counts', section: 'maps', value: 0, size: 20, type: 'object' },
      { name: 'value', section: '.data', value: 8, size: 8, type: 'object' },
    ],
    relocations: [
      { section: 'xdp', offset: 0, symbol: 'counts', type: R['64_64'] },
      { section: 'xdp', offset: 16, symbol: 'helper', type: R['64_32'] },
      { section: 'xdp', offset: 24, symbol: 'value', type: R['64_64'] },
    ],
  }).bytes;
}

interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** [start, end) of each section's data and of the section header table. */
  readonly regions: readonly (readonly [number, number])[];
  readonly shoff: number;
  readonly shnum: number;
}

function seedOf(name: string, bytes: Uint8Array): Seed {
  const elf = readElf(bytes);
  const regions = elf.sections.filter((s) => s.type !== 8 && s.size > 0).map((s) => [s.offset, s.offset + s.size] as const);
  regions.push([elf.header.shoff, elf.header.shoff + elf.header.shnum * 64]);
  readObject(bytes); // the seed itself must be readable
  return { name, bytes, regions, shoff: elf.header.shoff, shnum: elf.header.shnum };
}

const INTERESTING = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(seed: Seed, next: () => number): { bytes: Uint8Array; what: string } {
  const b = seed.bytes.slice();
  const v = new DataView(b.buffer);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const value = (): number => (next() % 3 === 0 ? pick(INTERESTING) : next());
  switch (next() % 6) {
    case 0: {
      const n = 1 + (next() % 4);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = next() % b.length;
        b[p] = next() & 0xff;
        at.push(p);
      }
      return { bytes: b, what: `random bytes at ${at.join(',')}` };
    }
    case 1: {
      // A field of a section header: name, type, flags, offset, size, link, info, entsize.
      const sec = next() % seed.shnum;
      const field = pick([0, 4, 8, 24, 32, 40, 44, 56]);
      const at = seed.shoff + sec * 64 + field;
      const x = value();
      if (field >= 8 && field !== 40 && field !== 44) v.setBigUint64(at, next() % 4 === 0 ? BigInt(x) << 20n : BigInt(x), true);
      else v.setUint32(at, x, true);
      return { bytes: b, what: `section header #${sec} field +${field} = ${x}` };
    }
    case 2: {
      // A u32 inside a section's data (symbols, relocations, BTF, code, maps).
      const [start, end] = pick(seed.regions);
      if (end - start < 4) return { bytes: b, what: 'nothing' };
      const at = start + ((next() % (end - start - 3)) & ~3);
      const x = value();
      v.setUint32(at, x, true);
      return { bytes: b, what: `u32 at ${at} = ${x}` };
    }
    case 3: {
      const len = next() % b.length;
      return { bytes: b.slice(0, len), what: `truncated to ${len}` };
    }
    case 4: {
      // Copy a chunk of the file over another place.
      const len = 1 + (next() % 64);
      const from = next() % Math.max(1, b.length - len);
      const to = next() % Math.max(1, b.length - len);
      b.copyWithin(to, from, from + len);
      return { bytes: b, what: `copied ${len} bytes from ${from} to ${to}` };
    }
    default: {
      // An ELF header field.
      const at = pick([16, 18, 40, 58, 60, 62]);
      const x = value();
      if (at === 40) v.setBigUint64(at, BigInt(x), true);
      else v.setUint16(at, x & 0xffff, true);
      return { bytes: b, what: `elf header +${at} = ${x}` };
    }
  }
}

describe('fuzz', () => {
  const clang = findClang();
  if (!clang) skipNote('fuzz: no clang, fuzzing the hand-built object only');
  const seeds: Seed[] = [seedOf('handmade', handmade())];
  if (clang) {
    for (const f of ['xdp_firewall', 'globals', 'maps', 'externs', 'core']) seeds.push(seedOf(f, compileFixture(clang, `${f}.bpf.c`)));
  }

  it(`${CASES} mutated objects: only ObjectError escapes, nothing hangs`, () => {
    const next = rng(SEED);
    const codes = new Map<string, number>();
    let read = 0;
    let slowest = 0;
    for (let i = 0; i < CASES; i++) {
      const seed = seeds[i % seeds.length]!;
      const { bytes, what } = mutate(seed, next);
      const t0 = performance.now();
      try {
        const spec = readObject(bytes, { name: seed.name });
        formatInspect(spec);
        formatSourceListing(spec);
        formatObjectJson(spec);
        read++;
      } catch (e) {
        if (!(e instanceof ObjectError)) {
          throw new Error(`case ${i} (seed ${SEED}, ${seed.name}, ${what}): ${String(e)}\n${(e as Error).stack ?? ''}`);
        }
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        // Every error names where it happened.
        if (!/file offset 0x[0-9a-f]+|^elf header|stripped/.test(e.message)) {
          throw new Error(`case ${i} (seed ${SEED}, ${seed.name}, ${what}): message without a location: ${e.message}`);
        }
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      if (ms > HANG_MS) throw new Error(`case ${i} (seed ${SEED}, ${seed.name}, ${what}) took ${ms.toFixed(0)} ms: a hang`);
    }
    // The mutations reach deep: many kinds of errors, and many objects still read.
    expect(codes.size).toBeGreaterThanOrEqual(6);
    expect(read).toBeGreaterThan(CASES / 20);
    expect(slowest).toBeLessThan(HANG_MS);
  });
});
