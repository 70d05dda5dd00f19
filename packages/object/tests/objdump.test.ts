// The source listing against `llvm-objdump -d -S` on the XDP firewall:
// the same symbol headers, the same slots, bytes and text for every
// instruction the loader does not rewrite, and only real lines of the C
// file as source annotations. (The annotations themselves come from
// different places: objdump reads DWARF's line table, bpflab reads BTF
// line info, which marks fewer, sometimes other, instructions.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSourceListing, readObject, sourceLineAt } from '../src/index';
import { compileFixture, findClang, findObjdump, fixtureObjectPath, FIXTURES, run, skipNote } from './support';

const clang = findClang();
const objdump = findObjdump();
if (!clang || !objdump) skipNote('llvm-objdump comparison: clang or llvm-objdump (14 or 19) not found');
const withTools = clang && objdump ? it : it.skip;

const INSN = /^\s*(\d+):\t([0-9a-f ]+)\t(.*)$/;

function instructions(listing: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of listing.split('\n')) {
    const m = INSN.exec(line);
    if (m) out.set(Number(m[1]), `${m[2]}\t${m[3]}`);
  }
  return out;
}

function headers(listing: string): string[] {
  return listing.split('\n').filter((l) => /^[0-9a-f]{16} <.*>:$/.test(l));
}

describe('sourceLineAt', () => {
  const lineInfo = [
    { pc: 0, file: 'a.c', line: 3, column: 0, text: 'int f(void)' },
    { pc: 2, file: 'a.c', line: 5, column: 2, text: 'x = 1;' },
    { pc: 7, file: 'a.c', line: 6, column: 2, text: 'return x;' },
  ];
  it.each([
    [0, 3],
    [1, 3],
    [2, 5],
    [6, 5],
    [7, 6],
    [100, 6],
  ])('pc %i is on line %i', (pc, line) => {
    expect(sourceLineAt({ lineInfo }, pc)?.line).toBe(line);
  });
  it('has nothing before the first record or without line info', () => {
    expect(sourceLineAt({ lineInfo: lineInfo.slice(1) }, 1)).toBeUndefined();
    expect(sourceLineAt({ lineInfo: [] }, 0)).toBeUndefined();
  });
});

describe('xdp_firewall listing', () => {
  withTools('matches llvm-objdump -d -S where the instructions are the same', () => {
    const bytes = compileFixture(clang!, 'xdp_firewall.bpf.c');
    const spec = readObject(bytes, { name: 'xdp_firewall.bpf.o' });
    const ours = formatSourceListing(spec, 'xdp_firewall', { llvmVersion: objdump!.major });
    const theirs = run(objdump!.cmd, ['-d', '-S', fixtureObjectPath('xdp_firewall.bpf.c')], FIXTURES);

    expect(headers(ours)).toEqual(headers(theirs));
    const a = instructions(ours);
    const b = instructions(theirs);
    expect([...a.keys()]).toEqual([...b.keys()]);
    const prog = spec.programs[0]!;
    expect(sourceLineAt(prog, 26)?.text).toBe('\t__u64 *count = bpf_map_lookup_elem(&dropped, &key);');
    const relocated = new Set(prog.relocations.map((r) => r.pc));
    expect(relocated.size).toBeGreaterThan(0);
    for (const [pc, text] of a) {
      if (relocated.has(pc)) continue;
      expect(`${pc}: ${text}`).toBe(`${pc}: ${b.get(pc)}`);
    }

    // Every source annotation is a line of the C file, as written.
    const source = new Set(readFileSync(join(FIXTURES, 'xdp_firewall.bpf.c'), 'utf8').split('\n'));
    const annotations = ours.split('\n').filter((l) => l.startsWith('; ')).map((l) => l.slice(2));
    expect(annotations.length).toBeGreaterThan(10);
    for (const line of annotations) expect(source.has(line)).toBe(true);
    // objdump's annotations are lines of the same file: the comparison is meaningful.
    const objdumpLines = theirs.split('\n').filter((l) => l.startsWith('; ')).map((l) => l.slice(2));
    expect(objdumpLines.length).toBeGreaterThan(10);
    for (const line of objdumpLines) expect(source.has(line)).toBe(true);
  });
});
