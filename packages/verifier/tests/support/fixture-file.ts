/**
 * Verifier fixture files: LLVM-syntax assembly with `-- ` sections.
 *
 * ```
 * -- asm                      the program (labels allowed)
 * r0 = 0
 * exit
 * -- prog-type                socket_filter | xdp | tracepoint | test | lsm/<hook> (default socket_filter)
 * xdp
 * -- maps                     one map a line: type key_size value_size max_entries [name]
 * hash 4 8 16 counts
 * -- privileged               true (default) | false | cap_bpf (CAP_BPF without CAP_PERFMON)
 * -- license                  default GPL
 * -- btf                      loaded with BTF function info (one function per subprogram)
 * -- verdict                  accept | reject
 * -- error                    the error line, as the kernel prints it
 * -- processed                processed instruction count
 * -- kernel-processed         the kernel's count, when it knowingly differs
 * -- note                     free text
 * -- oracle-skip              why the running kernel cannot check this fixture
 * ```
 *
 * Expected failures live in `_error_/` folders and must say `reject`.
 */
import { assembleLlvmProgram, type Insn, type SourceLocation } from '@bpflab/isa';
import { readFileSync } from 'node:fs';
import type { MapDescription } from '../../src/index';

/** One parsed fixture. */
export interface Fixture {
  readonly file: string;
  readonly asm: string;
  readonly insns: readonly Insn[];
  readonly sources: readonly SourceLocation[];
  readonly progType: string;
  readonly maps: readonly MapDescription[];
  readonly privileged: boolean | 'cap_bpf';
  readonly license: string;
  /** loaded with BTF function info */
  readonly btf: boolean;
  readonly verdict: 'accept' | 'reject';
  readonly error?: string;
  readonly processed?: number;
  readonly kernelProcessed?: number;
  readonly note?: string;
  readonly oracleSkip?: string;
}

const KNOWN = new Set(['asm', 'prog-type', 'maps', 'privileged', 'license', 'verdict', 'error', 'processed', 'kernel-processed', 'note', 'oracle-skip', 'btf']);

/** Parses a fixture's text. Throws with the file name on malformed input. */
export function parseFixture(text: string, file: string): Fixture {
  const sections = new Map<string, string[]>();
  let cur: string[] | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^-- ([a-z-]+)\s*(.*)$/.exec(line);
    if (m) {
      const name = m[1] as string;
      if (!KNOWN.has(name)) throw new Error(`${file}:${i + 1}: unknown section '-- ${name}'`);
      if (sections.has(name)) throw new Error(`${file}:${i + 1}: section '-- ${name}' given twice`);
      cur = [];
      sections.set(name, cur);
      if (m[2]) cur.push(m[2]);
      return;
    }
    if (cur === undefined) {
      if (line.trim() !== '') throw new Error(`${file}:${i + 1}: text before the first section`);
      return;
    }
    cur.push(line);
  });
  const one = (name: string): string | undefined => {
    const v = sections.get(name);
    return v === undefined ? undefined : v.join('\n').trim();
  };
  const asm = sections.get('asm')?.join('\n');
  if (asm === undefined) throw new Error(`${file}: no '-- asm' section`);
  const verdict = one('verdict');
  if (verdict !== 'accept' && verdict !== 'reject') throw new Error(`${file}: '-- verdict' must be accept or reject`);
  const prog = assembleLlvmProgram(asm, { file });
  const maps = (one('maps') ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l, i): MapDescription => {
      const [type, k, v, n, name] = l.split(/\s+/);
      const num = (s: string | undefined, what: string): number => {
        const x = Number(s);
        if (!Number.isInteger(x)) throw new Error(`${file}: map ${i}: bad ${what} '${s}'`);
        return x;
      };
      return { type: type ?? '', keySize: num(k, 'key size'), valueSize: num(v, 'value size'), maxEntries: num(n, 'max entries'), ...(name ? { name } : {}) };
    });
  const numOpt = (name: string): number | undefined => {
    const v = one(name);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isInteger(x)) throw new Error(`${file}: '-- ${name}' must be an integer`);
    return x;
  };
  const error = one('error');
  const processed = numOpt('processed');
  const kernelProcessed = numOpt('kernel-processed');
  const note = one('note');
  const oracleSkip = one('oracle-skip');
  return {
    file,
    asm,
    insns: prog.insns,
    sources: prog.sources,
    progType: one('prog-type') ?? 'socket_filter',
    maps,
    privileged: one('privileged') === 'cap_bpf' ? 'cap_bpf' : (one('privileged') ?? 'true') !== 'false',
    license: one('license') ?? 'GPL',
    btf: sections.has('btf'),
    verdict,
    ...(error === undefined ? {} : { error }),
    ...(processed === undefined ? {} : { processed }),
    ...(kernelProcessed === undefined ? {} : { kernelProcessed }),
    ...(note === undefined ? {} : { note }),
    ...(oracleSkip === undefined ? {} : { oracleSkip }),
  };
}

/** Reads and parses a fixture file. */
export function readFixture(path: string, displayName = path): Fixture {
  return parseFixture(readFileSync(path, 'utf8'), displayName);
}
