// `bpflab test` (a student's command) and `bpflab lab check` (an
// instructor's), on the grader's test lab.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab, type SubmissionResult } from '@bpflab/grader';
import { main, type Io } from '../src/index';
import { watchTests } from '../src/commands/test';
import { haveClang, REPO } from '../../../tools/test-support/bpf-clang';

const MINI = join(REPO, 'grader', 'tests', 'fixtures', 'mini-lab');
const clang = haveClang('bpflab test / lab check');
const withClang = clang ? it : it.skip;

async function bpflab(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd };
  const code = await main(['node', 'bpflab', ...args], io);
  return { code, out, err };
}

/** A copy of the test lab to change. */
function labCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpflab-testcmd-'));
  cpSync(MINI, dir, { recursive: true });
  return dir;
}

describe('bpflab test', () => {
  withClang('passes the solution: exit 0, hidden scenarios counted but not named', async () => {
    const r = await bpflab(join(MINI, 'solution'), 'test', '..');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/│ loads +│ passed │ 10\/10 +│/);
    expect(r.out).toContain('1 hidden scenario: 1 passed, 0 failed (30/30 points)');
    expect(r.out).not.toContain('prints execve callers');
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('3 passed, 0 failed');
  });

  withClang('fails the starter: exit 1, differences and hints of visible scenarios only', async () => {
    const r = await bpflab(MINI, 'test', '.', 'starter/count.bpf.c');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED counts per CPU');
    expect(r.out).toContain('hint: count every system call, keyed by its id');
    expect(r.out).not.toContain('bpf_printk the pid');
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('1 passed, 2 failed');
  });

  withClang('prints the result with --json, hidden scenarios by points and status only', async () => {
    const r = await bpflab(MINI, 'test', '.', 'starter', '--json');
    const result = JSON.parse(r.out) as SubmissionResult;
    expect(result).toMatchObject({ lab: 'mini-lab', score: 10, maxScore: 100, gradable: true });
    expect(result.scenarios[2]).toMatchObject({ name: 'hidden scenario 1', status: 'failed', points: 0, maxPoints: 30, message: 'failed', differences: [] });
    expect(r.out).not.toContain('execve from');
  });

  it('exits 2 for a folder with nothing to grade', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpflab-empty-'));
    const r = await bpflab(dir, 'test', MINI, '.');
    expect(r.code).toBe(2);
    expect(r.err).toBe('bpflab: .: no count.bpf.c in this folder (and no other .c or .o file to grade)\n');
  });

  it('says where the submission should be when there is none', async () => {
    const r = await bpflab(MINI, 'test', '.');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'bpflab: no count.bpf.c in this folder: run bpflab test in the folder holding your count.bpf.c, or name it: bpflab test mini-lab path/to/count.bpf.c\n' +
        "(the lab's starter code is starter/count.bpf.c: copy it here to begin)\n",
    );
  });

  it('reports a broken lab.yaml at file:line:column', async () => {
    const dir = labCopy();
    writeFileSync(join(dir, 'lab.yaml'), readFileSync(join(dir, 'lab.yaml'), 'utf8').replace('points: 60', 'points: sixty'));
    const r = await bpflab(dir, 'test', '.', 'solution');
    expect(r.code).toBe(2);
    expect(r.err).toBe('bpflab: lab.yaml:24:13: scenarios[1].points: "sixty" is not a number\n');
  });

  it('names the shipped labs when the lab is unknown', async () => {
    const r = await bpflab(MINI, 'test', 'no-such-lab');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^bpflab: no-such-lab: no such lab folder, and no shipped lab has that id/);
  });

  withClang('grades again when the submission changes (--watch)', async () => {
    const dir = labCopy();
    const file = join(dir, 'count.bpf.c');
    cpSync(join(dir, 'starter', 'count.bpf.c'), file);
    let out = '';
    const io: Io = { out: (t) => void (out += t), err: () => undefined, cwd: dir };
    const stop = new AbortController();
    const scores: number[] = [];
    const done = watchTests(io, loadLab(dir), file, {}, stop.signal, (r) => {
      scores.push(r.score);
      if (scores.length === 1) cpSync(join(dir, 'solution', 'count.bpf.c'), file);
      else stop.abort();
    });
    // a hang guard, not a timing assertion: the second run comes after the file changes
    const guard = setTimeout(() => stop.abort(), 60_000);
    await done;
    clearTimeout(guard);
    expect(scores).toEqual([10, 100]);
    expect(out).toContain('score: 100/100');
  }, 90_000);
});

describe('bpflab lab check', () => {
  withClang('grades solution, starter and variants: exit 0 when all score as the lab says', async () => {
    const r = await bpflab(MINI, 'lab', 'check', '.');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/solution\/count\.bpf\.c +100 +100 +ok +reference solution/);
    expect(r.out).toMatch(/wrong\/no-print\.bpf\.c +70 +70 +ok +counts but never prints/);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('lab check: 1 lab, 4 submissions graded: 4 scored as the lab says, 0 did not');
  });

  withClang('exits 1 and shows the scenarios when a variant scores otherwise', async () => {
    const dir = labCopy();
    writeFileSync(join(dir, 'lab.yaml'), readFileSync(join(dir, 'lab.yaml'), 'utf8').replace('score: 70', 'score: 60'));
    const r = await bpflab(dir, 'lab', 'check', '.');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/wrong\/no-print\.bpf\.c +60 +70 +WRONG/);
    expect(r.out).toContain('wrong/no-print.bpf.c scored 70, the lab says 60:');
    expect(r.out).toMatch(/FAILED +0\/30 +prints execve callers \(hidden\): trace pipe lines containing/);
  });
});

describe('without clang', () => {
  /** Runs the bpflab command with a PATH holding only node: no clang to be found. */
  function bpflabWithoutClang(cwd: string, ...args: string[]): { code: number; out: string; err: string } {
    const bin = mkdtempSync(join(tmpdir(), 'bpflab-noclang-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
    delete env.CLANG;
    const r = spawnSync(process.execPath, [join(REPO, 'packages', 'cli', 'bin', 'bpflab.js'), ...args], { cwd, env, encoding: 'utf8' });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  }

  it("grades the lab's own files from their prebuilt objects", () => {
    const r = bpflabWithoutClang(MINI, 'lab', 'check', '.');
    expect(r.err).toBe('');
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('lab check: 1 lab, 4 submissions graded: 4 scored as the lab says, 0 did not');
    expect(r.code).toBe(0);
  });

  it("says how to install clang for a student's own C", () => {
    const dir = labCopy();
    writeFileSync(join(dir, 'count.bpf.c'), `${readFileSync(join(dir, 'solution', 'count.bpf.c'), 'utf8')}\n// mine\n`);
    const r = bpflabWithoutClang(dir, 'test', '.');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not gradable: build-failed\ncount\.bpf\.c: .*clang/);
  });
});
