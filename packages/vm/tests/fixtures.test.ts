/**
 * The `.data` fixtures of tests/fixtures (bpf_conformance syntax), run with
 * `runProgram` under the harness contract:
 *
 * - files with `-- result` must return it;
 * - files under `_error_/` have `-- error TEXT` and must be refused with a
 *   `VmError` whose message contains TEXT;
 * - files under `trace/` are also traced, and the trace is compared with the
 *   sibling `.trace` golden (`UPDATE_GOLDEN=1` rewrites the goldens).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleCase, parseDataFile, type ConformanceCase } from '@bpflab/isa';
import { runProgram, VmError, type RunProgramResult } from '../src/index';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.data') ? [relative(FIXTURES, path)] : [];
    });
}

const files = walk(FIXTURES);

function load(file: string): ConformanceCase {
  return parseDataFile(readFileSync(join(FIXTURES, file), 'utf8'), { file });
}

/** Runs a case; returns the result or the VmError it was refused with. */
function attempt(c: ConformanceCase, trace?: (line: string) => void): RunProgramResult | VmError {
  try {
    return runProgram(assembleCase(c), {
      ...(c.mem === undefined ? {} : { mem: c.mem }),
      ...(trace === undefined ? {} : { trace }),
    });
  } catch (e) {
    if (e instanceof VmError) return e;
    throw e;
  }
}

describe('fixtures', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)('%s', (file) => {
    const c = load(file);
    const expectsError = file.split(/[\\/]/).includes('_error_');
    expect({ error: c.error !== undefined, result: c.result !== undefined }).toEqual(
      expectsError || (file.startsWith('trace') && c.error !== undefined)
        ? { error: true, result: false }
        : { error: false, result: true },
    );
    const have = attempt(c);
    if (c.error !== undefined) {
      expect(have).toBeInstanceOf(VmError);
      expect((have as VmError).message).toContain(c.error.text ?? '');
    } else {
      if (have instanceof VmError) throw have;
      expect(`0x${have.r0.toString(16)}`).toBe(`0x${c.result!.toString(16)}`);
    }
  });
});

describe('trace goldens', () => {
  const traced = files.filter((f) => f.startsWith('trace'));

  it.each(traced)('%s', (file) => {
    const lines: string[] = [];
    const have = attempt(load(file), (line) => lines.push(line));
    lines.push(have instanceof VmError ? `error (${have.code}): ${have.message}` : `result 0x${have.r0.toString(16)}, ${have.executed} instructions`);
    const text = `${lines.join('\n')}\n`;
    const golden = join(FIXTURES, file.replace(/\.data$/, '.trace'));
    if (UPDATE || !existsSync(golden)) {
      if (!UPDATE) throw new Error(`missing golden ${relative(FIXTURES, golden)}: run with UPDATE_GOLDEN=1 to create it`);
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});
