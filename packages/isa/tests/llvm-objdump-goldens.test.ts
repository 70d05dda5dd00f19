// Goldens of tests/fixtures/objdump: real `llvm-objdump -d` output of C fixtures
// compiled by clang. The disassembler must print them exactly; the assembler
// must read them back to the same bytes; and, where the recorded clang and
// llvm-objdump are installed, the goldens must be what those tools print today.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  assembleLlvm,
  assembleLlvmProgram,
  decode,
  disassembleLlvm,
  encode,
  formatLlvmListing,
  IsaError,
  LLVM_UNKNOWN,
  type Insn,
  type LlvmDisasmOptions,
} from '../src/index';
import {
  FIXTURE_DIR,
  findTools,
  listGoldenSpecs,
  parseGolden,
  parseListing,
  renderGolden,
  type Golden,
  type ListingSection,
} from '../tools/update-objdump-goldens';

const GOLDENS = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.objdump'))
  .sort();

function load(file: string): Golden {
  return parseGolden(readFileSync(path.join(FIXTURE_DIR, file), 'utf8'), file);
}

/** The disassembler options that imitate the llvm-objdump (and flags) a golden was made with. */
function optionsOf(golden: Golden): LlvmDisasmOptions {
  const { objdumpVersion, objdumpFlags } = golden.header;
  const major = Number(objdumpVersion.split('.')[0]);
  if (major !== 14 && major !== 19) throw new Error(`no disassembler style for llvm-objdump ${objdumpVersion}`);
  const known = ['--mattr=+alu32', '--print-imm-hex', '--no-print-imm-hex'];
  const unknown = objdumpFlags.filter((f) => !known.includes(f));
  if (unknown.length > 0) throw new Error(`no disassembler option for llvm-objdump ${unknown.join(' ')}`);
  const immediates = objdumpFlags.includes('--print-imm-hex') ? 'hex' : objdumpFlags.includes('--no-print-imm-hex') ? 'decimal' : 'auto';
  return { llvmVersion: major, alu32: objdumpFlags.includes('--mattr=+alu32'), immediates };
}

/**
 * Where LLVM's text does not determine the bytes, the instruction the text
 * assembles to, given the one the bytes decode to. llvm-objdump prints a
 * BPF-to-BPF call like a helper call (`call <imm>`), and without
 * --mattr=+alu32 a fetching 32-bit add like the plain `lock` add; LLVM 14
 * ignores the offset field of sdiv (`/=`) and movsx (a plain move) and shows
 * callx with register 0.
 */
function asPrinted(insn: Insn, options: LlvmDisasmOptions): Insn {
  const v14 = options.llvmVersion === 14;
  switch (insn.kind) {
    case 'call_local':
      return { kind: 'call', helper: insn.off };
    case 'atomic':
      return insn.size === 4 && insn.op === 'add' && insn.fetch && options.alu32 !== true ? { ...insn, fetch: false } : insn;
    case 'alu':
      return v14 && insn.op === 'sdiv' ? { ...insn, op: 'div' } : insn;
    case 'movsx':
      return v14 ? { kind: 'alu', op: 'mov', wide: insn.wide, dst: insn.dst, src: { reg: insn.src } } : insn;
    case 'callx':
      return v14 ? { kind: 'callx', reg: 0 } : insn;
    default:
      return insn;
  }
}

/** The section as assembly source: labels and instruction texts, `<unknown>` lines replaced by a one-slot stand-in. */
function sourceOf(section: ListingSection): string {
  return section.lines
    .map((l) => {
      const label = section.labels.get(l.slot);
      const text = l.text === LLVM_UNKNOWN ? 'exit # stands for <unknown>' : l.text;
      return `${label === undefined ? '' : `${label}:\n`}\t${text}`;
    })
    .join('\n');
}

describe('llvm-objdump goldens', () => {
  it('cover every fixture and cpu it lists', () => {
    expect(GOLDENS).toEqual(listGoldenSpecs().map((spec) => spec.file));
  });

  describe.each(GOLDENS)('%s', (file) => {
    const golden = load(file);
    const options = optionsOf(golden);
    const listing = parseListing(golden.listing, file);

    it('is printed exactly by formatLlvmListing', () => {
      const have = formatLlvmListing(
        listing.sections.map((s) => ({ name: s.name, code: s.bytes, labels: s.labels })),
        { ...options, fileName: listing.fileName },
      );
      expect(have.split('\n')).toEqual(golden.listing.split('\n'));
    });

    it('has every instruction line printed by disassembleLlvm', () => {
      for (const section of listing.sections) {
        const have = disassembleLlvm(section.bytes, { ...options, labels: section.labels });
        expect(have).toEqual(section.lines.map((l) => l.text));
      }
    });

    it('assembles back to its bytes', () => {
      for (const section of listing.sections) {
        const decoded = decode(section.bytes);
        const program = assembleLlvmProgram(sourceOf(section), { file });
        expect(program.labelsBySlot).toEqual(section.labels);
        section.lines.forEach((line, i) => {
          const have = program.insns[i];
          if (line.text === LLVM_UNKNOWN) {
            // What llvm-objdump cannot decode cannot be assembled from its text.
            expect(() => assembleLlvm(line.text)).toThrow(IsaError);
            return;
          }
          const want = decoded[i] as Insn;
          const printed = asPrinted(want, options);
          expect({ line: line.line, insn: have }).toEqual({ line: line.line, insn: printed });
          if (printed === want) {
            expect({ line: line.line, bytes: encode([have as Insn]) }).toEqual({ line: line.line, bytes: line.bytes });
          }
        });
      }
    });

    it('round-trips assembler → disassembler → assembler', () => {
      for (const section of listing.sections) {
        const known = section.lines.filter((l) => l.text !== LLVM_UNKNOWN);
        const first = assembleLlvmProgram(sourceOf(section), { file });
        const text = disassembleLlvm(first.insns, { ...options, labels: first.labelsBySlot });
        const printed = text.filter((_, i) => section.lines[i]?.text !== LLVM_UNKNOWN);
        expect(printed).toEqual(known.map((l) => l.text));
        const source = text.map((t, i) => {
          const label = first.labelsBySlot.get(section.lines[i]?.slot ?? -1);
          return `${label === undefined ? '' : `${label}:\n`}${t === LLVM_UNKNOWN ? 'exit' : t}`;
        });
        const second = assembleLlvmProgram(source.join('\n'));
        expect(second.insns).toEqual(first.insns);
      }
    });

    it('pasted as a whole listing section, assembles to the same instructions', () => {
      for (const section of listing.sections) {
        if (section.lines.some((l) => l.text === LLVM_UNKNOWN)) continue;
        const lines = golden.listing.split('\n');
        let from = (section.lines[0]?.line ?? 1) - 1;
        // Take the symbol headers (and blank lines) just above the first instruction too.
        while (from > 0 && /^$|^[0-9a-f]{16} </.test(lines[from - 1] ?? '')) from--;
        const pasted = lines.slice(from, section.lines.at(-1)?.line).join('\n');
        expect(assembleLlvm(pasted, { file })).toEqual(decode(section.bytes).map((insn) => asPrinted(insn, options)));
      }
    });
  });
});

describe('assembly fixtures', () => {
  // The assembler must agree with llvm-mc byte for byte on the fixture itself.
  const cases = listGoldenSpecs().filter((spec) => spec.build.kind === 'mc' && spec.objdump.flags.length === 0 && spec.objdump.major === 19);

  it.each(cases)('$source assembles to the bytes llvm-mc made', ({ source, file }) => {
    const listing = parseListing(load(file).listing, file);
    const text = readFileSync(path.join(FIXTURE_DIR, source), 'utf8');
    const program = assembleLlvmProgram(text, { file: source });
    const bytes = Uint8Array.from(listing.sections.flatMap((s) => Array.from(s.bytes)));
    expect(encode(program.insns)).toEqual(bytes);
    expect(program.labelsBySlot).toEqual(listing.sections[0]?.labels);
  });
});

describe('llvm-objdump goldens are up to date', () => {
  const cases = listGoldenSpecs().map((spec) => ({ file: spec.file, spec, golden: load(spec.file) }));

  it.each(cases)('$file', ({ file, spec, golden }) => {
    const { builder, buildVersion, objdumpVersion } = golden.header;
    const tools = findTools(spec, { build: buildVersion, objdump: objdumpVersion });
    if (tools === undefined) {
      console.log(`skipped: ${file} needs ${builder} ${buildVersion} and llvm-objdump ${objdumpVersion}, not installed here`);
      return;
    }
    const fresh = renderGolden(spec, tools);
    // On a mismatch, run `pnpm update-goldens` in packages/isa and review the diff.
    expect(fresh.split('\n')).toEqual(readFileSync(path.join(FIXTURE_DIR, file), 'utf8').split('\n'));
  });
});
