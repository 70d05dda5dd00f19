// Golden tests over the C fixtures. Each tests/fixtures/<name>.bpf.c is
// built with `clang -O2 -g -target bpf -c` and read; beside it:
//   <name>.inspect.txt  formatInspect (what `bpflab inspect` prints)
//   <name>.source.txt   formatSourceListing (`bpflab disasm --source`)
// Each tests/fixtures/_error_/<name>.bpf.c must be refused; its expected
// error is in <name>.error.txt. UPDATE_GOLDEN=1 rewrites the goldens
// (`pnpm run update-goldens`).
//
// Goldens depend on the compiler: `clang-major.golden` records the clang
// major version that wrote them. With another version the text comparisons
// are skipped (visibly) while the structural checks and error codes still run.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { slotIndex } from '@bpflab/isa';
import { formatInspect, formatObjectJson, formatSourceListing, readObject, type ObjectSpec } from '../src/index';
import { catchObjectError, compileFixture, expectGolden, findClang, FIXTURES, skipNote, UPDATE_GOLDEN } from './support';

const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.bpf.c'))
  .map((f) => f.slice(0, -'.bpf.c'.length))
  .sort();
const errorNames = readdirSync(join(FIXTURES, '_error_'))
  .filter((f) => f.endsWith('.bpf.c'))
  .map((f) => f.slice(0, -'.bpf.c'.length))
  .sort();

const clang = findClang();
if (!clang) skipNote('object fixture tests: no clang found (set CLANG, or install clang)');
const withClang = clang ? it : it.skip;

let goldensMatchCompiler = true;
beforeAll(() => {
  if (!clang) return;
  const versionFile = join(FIXTURES, 'clang-major.golden');
  if (UPDATE_GOLDEN) {
    writeFileSync(versionFile, `${clang.major}\n`);
    return;
  }
  const want = Number(readFileSync(versionFile, 'utf8').trim());
  if (want !== clang.major) {
    goldensMatchCompiler = false;
    skipNote(`object golden comparisons: goldens were written with clang ${want}, this is clang ${clang.major}`);
  }
});

function read(name: string, dir = ''): ObjectSpec {
  return readObject(compileFixture(clang!, join(dir, `${name}.bpf.c`)), { name: `${name}.bpf.o` });
}

/** Structural facts every linked program must satisfy. */
function checkProgram(spec: ObjectSpec): void {
  for (const p of spec.programs) {
    const { pcs, slots } = slotIndex(p.insns);
    expect(p.slots).toBe(slots);
    // Functions tile the program in order.
    let pc = 0;
    for (const f of p.functions) {
      expect(f.pc).toBe(pc);
      pc += f.slots;
    }
    expect(pc).toBe(slots);
    expect(p.functions[0]?.name).toBe(p.name);
    for (const r of p.relocations) {
      expect(pcs[r.insn]).toBe(r.pc);
      const insn = p.insns[r.insn]!;
      switch (r.ref.kind) {
        case 'map':
          expect(insn).toMatchObject({ kind: 'lddw', pseudo: 'map_fd' });
          expect(spec.maps.some((m) => m.name === (r.ref as { map: string }).map)).toBe(true);
          break;
        case 'global':
          expect(insn).toMatchObject({ kind: 'lddw', pseudo: 'map_value', value: BigInt(r.ref.offset >>> 0) << 32n });
          break;
        case 'subprog': {
          const target = p.functions.find((f) => f.name === (r.ref as { name: string }).name);
          expect(target?.pc).toBe(r.ref.pc);
          const rel = insn.kind === 'call_local' ? insn.off : insn.kind === 'lddw' ? Number(BigInt.asIntN(32, insn.value)) : NaN;
          expect(r.pc + rel + 1).toBe(r.ref.pc);
          break;
        }
        case 'extern':
          expect(spec.externs.some((e) => e.name === (r.ref as { name: string }).name)).toBe(true);
          break;
      }
    }
    // Every BPF-to-BPF call lands on a function start.
    p.insns.forEach((insn, i) => {
      if (insn.kind === 'call_local') expect(p.functions.some((f) => f.pc === pcs[i]! + insn.off + 1)).toBe(true);
    });
    for (let i = 1; i < p.lineInfo.length; i++) expect(p.lineInfo[i]!.pc).toBeGreaterThanOrEqual(p.lineInfo[i - 1]!.pc);
    for (const c of p.coreRelocations) expect(pcs[c.insn]).toBe(c.pc);
  }
}

describe.each(names)('%s', (name) => {
  withClang('reads, links and prints as the goldens say', () => {
    const spec = read(name);
    checkProgram(spec);
    if (!goldensMatchCompiler) return;
    expectGolden(join(FIXTURES, `${name}.inspect.txt`), formatInspect(spec));
    expectGolden(join(FIXTURES, `${name}.source.txt`), formatSourceListing(spec));
  });

  withClang('is deterministic: the same bytes give an equal spec', () => {
    const bytes = compileFixture(clang!, `${name}.bpf.c`);
    const a = readObject(bytes, { name });
    const b = readObject(bytes.slice(), { name });
    expect(formatObjectJson(a)).toBe(formatObjectJson(b));
    expect({ ...a, btf: a.btf?.types }).toEqual({ ...b, btf: b.btf?.types });
    // No absolute paths leak into what is printed.
    expect(formatObjectJson(a)).not.toContain(FIXTURES);
    expect(formatSourceListing(a)).not.toContain(FIXTURES);
  });
});

describe.each(errorNames)('_error_/%s', (name) => {
  withClang('is refused with the golden error', () => {
    const e = catchObjectError(() => read(name, '_error_'));
    const text = `code: ${e.code}\nsection: ${e.section ?? '-'}\nmessage: ${e.message}\n`;
    if (!goldensMatchCompiler) {
      const want = readFileSync(join(FIXTURES, '_error_', `${name}.error.txt`), 'utf8');
      expect(`code: ${e.code}`).toBe(want.split('\n')[0]);
      return;
    }
    expectGolden(join(FIXTURES, '_error_', `${name}.error.txt`), text);
  });
});
