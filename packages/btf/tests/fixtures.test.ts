// Golden tests over C fixtures: each tests/fixtures/<name>.c is built with
// `clang -O2 -g -target bpf -c`, its .BTF / .BTF.ext read from the object,
// and checked against the goldens beside it:
//   <name>.raw.golden  dumpRaw (bpftool's raw format)
//   <name>.h.golden    dumpC
//   <name>.ext.golden  dumpBtfExt
// UPDATE_GOLDEN=1 rewrites them (`pnpm run update-goldens`). When bpftool is
// installed the dumps are also compared with its output for the same object,
// and the dumped header is compiled with clang together with static
// assertions on every struct's size and member offsets.
//
// The goldens depend on the compiler's BTF output: `clang-major.golden`
// records the clang major version that wrote them; with another version the
// golden comparisons are skipped (visibly) and the other checks still run.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpBtfExt, dumpC, dumpRaw, encodeBtf, encodeBtfExt, parseBtf, parseBtfExt, type Btf, type BtfExt } from '../src/index';
import {
  bpftoolDumpOptions,
  expectGolden,
  findBpftool,
  findClang,
  FIXTURES,
  layoutChecks,
  run,
  skipNote,
  tempDir,
  UPDATE_GOLDEN,
  elfSections,
} from './support';

const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.c'))
  .map((f) => f.slice(0, -2))
  .sort();
const clang = findClang();
const bpftool = findBpftool();
if (!clang) skipNote('fixture tests: no clang 15 or later found (set CLANG, or install clang-19)');
if (!bpftool) skipNote('bpftool comparisons: bpftool not installed');

const withClang = clang ? it : it.skip;
const withBpftool = clang && bpftool ? it : it.skip;

interface Built {
  readonly object: string;
  readonly btf: Btf;
  readonly btfBytes: Uint8Array;
  readonly ext: BtfExt | undefined;
  readonly extBytes: Uint8Array | undefined;
}

const built = new Map<string, Built>();
let tmp: ReturnType<typeof tempDir> | undefined;
let goldensMatchCompiler = true;

beforeAll(() => {
  if (!clang) return;
  tmp = tempDir();
  const versionFile = join(FIXTURES, 'clang-major.golden');
  if (UPDATE_GOLDEN) {
    writeFileSync(versionFile, `${clang.major}\n`);
  } else {
    const want = Number(readFileSync(versionFile, 'utf8').trim());
    if (want !== clang.major) {
      goldensMatchCompiler = false;
      skipNote(`golden comparisons: goldens were written with clang ${want}, this is clang ${clang.major}`);
    }
  }
  for (const name of names) {
    const object = join(tmp.dir, `${name}.o`);
    run(clang.cmd, ['-O2', '-g', '-target', 'bpf', '-c', `${name}.c`, '-o', object], FIXTURES);
    const sections = elfSections(new Uint8Array(readFileSync(object)));
    const btfBytes = sections.get('.BTF');
    if (!btfBytes) throw new Error(`${name}.o has no .BTF section`);
    const btf = parseBtf(btfBytes);
    const extBytes = sections.get('.BTF.ext');
    built.set(name, { object, btf, btfBytes, ext: extBytes && parseBtfExt(extBytes, btf), extBytes });
  }
});

afterAll(() => tmp?.cleanup());

function get(name: string): Built {
  const b = built.get(name);
  if (!b) throw new Error(`${name} was not built`);
  return b;
}

/** File names in line info are absolute; goldens hold them relative to the fixtures folder. */
function extText(b: Built): string {
  if (!b.ext) return 'no .BTF.ext section\n';
  return dumpBtfExt(b.btf, b.ext).split(`${FIXTURES}/`).join('');
}

describe.each(names)('%s.c', (name) => {
  withClang('raw dump matches the golden', () => {
    if (!goldensMatchCompiler) return skipNote(`${name}: raw golden`);
    expectGolden(join(FIXTURES, `${name}.raw.golden`), dumpRaw(get(name).btf));
  });

  withClang('C dump matches the golden', () => {
    if (!goldensMatchCompiler) return skipNote(`${name}: C golden`);
    expectGolden(join(FIXTURES, `${name}.h.golden`), dumpC(get(name).btf));
  });

  withClang('.BTF.ext dump matches the golden', () => {
    if (!goldensMatchCompiler) return skipNote(`${name}: ext golden`);
    expectGolden(join(FIXTURES, `${name}.ext.golden`), extText(get(name)));
  });

  withBpftool('raw dump is what bpftool prints', () => {
    const b = get(name);
    expect(dumpRaw(b.btf)).toBe(run(bpftool!.cmd, ['btf', 'dump', 'file', b.object, 'format', 'raw']));
  });

  withBpftool('C dump is what bpftool prints', () => {
    const b = get(name);
    expect(dumpC(b.btf, bpftoolDumpOptions(bpftool!))).toBe(run(bpftool!.cmd, ['btf', 'dump', 'file', b.object, 'format', 'c']));
  });

  withClang('C dump compiles and keeps every struct layout', () => {
    const b = get(name);
    const header = join(tmp!.dir, `${name}.h`);
    writeFileSync(header, dumpC(b.btf));
    const checks = layoutChecks(b.btf, header);
    const source = join(tmp!.dir, `${name}.layout.c`);
    writeFileSync(source, checks.source);
    run(clang!.cmd, ['-target', 'bpf', '-fsyntax-only', '-Werror', source]);
    expect(checks.count).toBeGreaterThan(0);
  });

  withClang('.BTF encodes and parses back to the same model', () => {
    const b = get(name);
    const bytes = encodeBtf(b.btf);
    const again = parseBtf(bytes);
    expect(again.types).toEqual(b.btf.types);
    expect(encodeBtf(again)).toEqual(bytes);
    // Only the line-info strings are missing from the rewritten string section.
    expect(bytes.length).toBeLessThanOrEqual(b.btfBytes.length);
  });

  withClang('.BTF.ext encodes and parses back to the same records', () => {
    const b = get(name);
    if (!b.ext) {
      expect(b.extBytes).toBeUndefined();
      return;
    }
    const out = encodeBtfExt(b.btf, b.ext);
    const btf = parseBtf(out.btf);
    expect(btf.types).toEqual(b.btf.types);
    expect(parseBtfExt(out.ext, btf)).toEqual(b.ext);
    // clang writes minimal records too, so the .BTF.ext is byte for byte the same size.
    expect(out.ext.length).toBe(b.extBytes!.length);
  });
});
