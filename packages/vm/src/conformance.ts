/**
 * Checking bpf_conformance `.data` files against the interpreter.
 *
 * One file goes: parse → assemble (and decode `-- raw`, which must agree
 * with the assembly) → encode → decode → interpreter, under the harness
 * contract of `runProgram`. The file's expectation is then met or not:
 *
 * - `-- result X`: the program ran and r0 is X (all 64 bits);
 * - `-- error [text]`: some stage refused the program (and, where text is
 *   given, its message contains the text, ignoring case).
 *
 * A file of the suite's `tests/` must meet its expectation. A file of
 * `negative/` must be refused: by some stage, or by returning something
 * other than its `-- result` (a file without one that runs is refused too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleCase, decode, encode, IsaError, parseDataFile, type ConformanceCase, type Insn } from '@bpflab/isa';
import { hex } from './address-space';
import { VmError } from './errors';
import { runProgram } from './run-program';

/** The step of the pipeline that refused a program. */
export type ConformanceStage =
  /** the `.data` file itself is malformed or has no program */
  | 'parse'
  /** `-- asm` does not assemble (or disagrees with `-- raw`) */
  | 'assemble'
  /** bytes (`-- raw`, or the encoder's output) do not decode */
  | 'decode'
  /** the assembled program cannot be encoded */
  | 'encode'
  /** the interpreter refused to load it or faulted while running it */
  | 'vm';

/** What happened to a program. */
export type ConformanceOutcome =
  | { readonly kind: 'returned'; readonly r0: bigint; readonly executed: number }
  | { readonly kind: 'refused'; readonly stage: ConformanceStage; readonly message: string };

/** The check of one file. */
export interface ConformanceCheck {
  /** the file name as given */
  readonly file: string;
  readonly outcome: ConformanceOutcome;
  /** the parsed case (absent when the file did not parse) */
  readonly case?: ConformanceCase;
  /** whether the file's own expectation (`-- result` / `-- error`) was met: what a file of `tests/` needs */
  readonly met: boolean;
  /**
   * whether the program was refused: some stage refused it, or it returned
   * something other than its `-- result` (or it has none): what a file of
   * `negative/` needs
   */
  readonly refused: boolean;
  /** one line saying what happened against what was expected */
  readonly explanation: string;
}

/** Options of `checkConformanceCase`. */
export interface ConformanceCheckOptions {
  /** the file name, for messages */
  readonly file?: string;
  /** instruction budget of the run; default 1,000,000 */
  readonly budget?: number;
}

const STAGE_TEXT: Readonly<Record<ConformanceStage, string>> = {
  parse: 'the data file parser',
  assemble: 'the assembler',
  decode: 'the decoder',
  encode: 'the encoder',
  vm: 'the interpreter',
};

function isExpected(e: unknown): e is IsaError | VmError {
  return e instanceof IsaError || e instanceof VmError;
}

/** A canonical text of a value: keys sorted, bigints spelled out. */
function canonical(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${k}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** Index of the first instruction that differs, or -1. */
function firstDifference(a: readonly Insn[], b: readonly Insn[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (canonical(a[i]) !== canonical(b[i])) return i;
  return -1;
}

/** Runs one case through the pipeline; programming errors (not IsaError/VmError) propagate. */
function outcomeOf(c: ConformanceCase, budget: number | undefined): ConformanceOutcome {
  let insns: Insn[];
  try {
    insns = assembleCase(c);
  } catch (e) {
    if (!(e instanceof IsaError)) throw e;
    return { kind: 'refused', stage: e.code === 'bad-encoding' ? 'decode' : 'assemble', message: e.message };
  }
  let bytes: Uint8Array;
  try {
    bytes = encode(insns);
  } catch (e) {
    if (!(e instanceof IsaError)) throw e;
    return { kind: 'refused', stage: 'encode', message: e.message };
  }
  let decoded: Insn[];
  try {
    decoded = decode(bytes);
  } catch (e) {
    if (!(e instanceof IsaError)) throw e;
    return { kind: 'refused', stage: 'decode', message: e.message };
  }
  const differs = firstDifference(insns, decoded);
  if (differs >= 0) {
    return {
      kind: 'refused',
      stage: 'decode',
      message: `encoding then decoding changed instruction ${differs} of the program`,
    };
  }
  try {
    const r = runProgram(decoded, {
      ...(c.mem === undefined ? {} : { mem: c.mem }),
      ...(budget === undefined ? {} : { budget }),
    });
    return { kind: 'returned', r0: r.r0, executed: r.executed };
  } catch (e) {
    if (!isExpected(e)) throw e;
    return { kind: 'refused', stage: 'vm', message: e.message };
  }
}

/** Checks one `.data` file's text. */
export function checkConformanceCase(text: string, options: ConformanceCheckOptions = {}): ConformanceCheck {
  const file = options.file ?? '<input>';
  let c: ConformanceCase;
  try {
    c = parseDataFile(text, { file });
  } catch (e) {
    if (!(e instanceof IsaError)) throw e;
    const outcome: ConformanceOutcome = { kind: 'refused', stage: 'parse', message: e.message };
    return { file, outcome, met: false, refused: true, explanation: `refused by ${STAGE_TEXT.parse}: ${e.message}` };
  }
  const outcome = outcomeOf(c, options.budget);
  const expectation =
    c.error !== undefined
      ? `the file expects the program to be refused${c.error.text === undefined ? '' : ` with '${c.error.text}'`}`
      : `the file expects ${hex(c.result ?? 0n)}`;
  let met: boolean;
  let explanation: string;
  if (outcome.kind === 'returned') {
    met = c.error === undefined && outcome.r0 === c.result;
    explanation = met
      ? `returned ${hex(outcome.r0)} as expected (${outcome.executed} instructions)`
      : `returned ${hex(outcome.r0)}, but ${expectation}`;
  } else {
    const refusal = `refused by ${STAGE_TEXT[outcome.stage]}: ${outcome.message}`;
    const wanted = c.error?.text;
    met = c.error !== undefined && (wanted === undefined || outcome.message.toLowerCase().includes(wanted.toLowerCase()));
    explanation = met ? `${refusal} (as expected)` : `${refusal}; but ${expectation}`;
  }
  const refused = !(outcome.kind === 'returned' && c.result !== undefined && outcome.r0 === c.result);
  return { file, outcome, case: c, met, refused, explanation };
}

/** The checks of a whole conformance folder. */
export interface ConformanceReport {
  /** every file of `tests/`, sorted by name; each should have `met` */
  readonly tests: readonly ConformanceCheck[];
  /** every file of `negative/`, sorted by name; each should be `refused` */
  readonly negative: readonly ConformanceCheck[];
}

/** The `.data` files of `dir/sub`, sorted (empty when the folder does not exist). */
export function listConformanceFiles(dir: string, sub: 'tests' | 'negative'): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, sub));
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.data')).sort();
}

/** Checks every file of `dir/tests` and `dir/negative`. */
export function checkConformanceDir(dir: string, options: Omit<ConformanceCheckOptions, 'file'> = {}): ConformanceReport {
  const check = (sub: 'tests' | 'negative'): ConformanceCheck[] =>
    listConformanceFiles(dir, sub).map((name) =>
      checkConformanceCase(readFileSync(join(dir, sub, name), 'utf8'), { ...options, file: `${sub}/${name}` }),
    );
  return { tests: check('tests'), negative: check('negative') };
}
