// `bpflab grade` (a TA's command): exit codes for bad input, a complete
// batch with its reports, --json, Ctrl-C (exit 130, then --resume), and
// shards chosen by JOB_COMPLETION_INDEX. Most runs use a stub grading
// module so they need no compiler; one grades real C with the runner.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLines } from '@bpflab/grader';
import { gradeCommand } from '../src/commands/grade';
import { CliExit } from '../src/errors';
import { main, type Io } from '../src/index';
import { haveClang, REPO } from '../../../tools/test-support/bpf-clang';

/** Batches start worker threads: more than jest's default 5 s on a busy machine (a hang guard, not a timing check). */
const SLOW = 60_000;

const MINI = join(REPO, 'grader', 'tests', 'fixtures', 'mini-lab');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-grade-'));
const freshDir = (name: string): string => mkdtempSync(join(tmp, `${name}-`));

const STUB = join(tmp, 'stub-worker.mjs');
writeFileSync(
  STUB,
  `export default async function grade(task) {
  await new Promise((r) => setTimeout(r, 100));
  const scenarios = task.lab.scenarios.map((sc, i) => ({ name: sc.name, status: i === 0 ? 'passed' : 'failed', points: i === 0 ? sc.points : 0, maxPoints: sc.points, hidden: sc.hidden, visibility: sc.visibility, message: 'stub', differences: [], durationMs: 1 }));
  return { lab: task.lab.id, student: task.student, submission: task.submission, score: scenarios[0].points, maxScore: task.lab.maxScore, gradable: true, scenarios, durationMs: 1 };
}
`,
);

function capture(cwd: string, onErr?: (text: string) => void): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => {
      err += t;
      onErr?.(err);
    },
    cwd,
  };
  return { io, out: () => out, err: () => err };
}

async function bpflab(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture(cwd);
  const code = await main(['node', 'bpflab', ...args], c.io);
  return { code, out: c.out(), err: c.err() };
}

function submissions(n: number): string {
  const d = freshDir('subs');
  for (let i = 0; i < n; i++) writeFileSync(join(d, `student${i}.bpf.c`), '// stub\n');
  return d;
}

describe('bpflab grade: bad input is exit 2 with a message', () => {
  it.each([
    ['no such lab', ['grade', 'no-such-lab', '.'], /no-such-lab: no such lab folder/],
    ['no submissions folder', ['grade', MINI, 'nowhere'], /nowhere: no such folder/],
    ['an empty submissions folder', ['grade', MINI, 'empty'], /no submissions/],
    ['no SUBMISSIONS_DIR', ['grade', MINI], /missing SUBMISSIONS_DIR/],
    ['a bad --jobs', ['grade', MINI, 'empty', '--jobs', '0'], /--jobs must be a positive integer/],
    ['a bad --shard', ['grade', MINI, 'empty', '--shard', '3/2'], /between 1 and 2/],
    ['--merge without shards', ['grade', MINI, '--merge', '--out', 'nothing-here'], /no shard-i-of-N folders/],
  ])('%s', async (_what, args, want) => {
    const cwd = freshDir('cwd');
    mkdirSync(join(cwd, 'empty'));
    const r = await bpflab(cwd, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(want);
    expect(r.out).toBe('');
  }, SLOW);

  it('a broken lab.yaml: located at file:line:col', async () => {
    const lab = freshDir('badlab');
    writeFileSync(join(lab, 'lab.yaml'), 'id: bad\ntitle: [oops\n');
    const r = await bpflab(tmp, 'grade', lab, tmp);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lab\.yaml:\d+:\d+: /);
  }, SLOW);
});

describe('bpflab grade with a stub grader', () => {
  it('grades the batch, writes the reports, prints the summary; --json prints JSON lines', async () => {
    const subs = submissions(3);
    const c = capture(tmp);
    await gradeCommand(c.io, MINI, subs, { jobs: '2', out: join(tmp, 'out-a'), workerModule: STUB });
    expect(c.err()).toMatch(/^grading 3 submissions for mini-lab\n/);
    expect(c.err()).toMatch(/\[3\/3\] student\d: 10\/100\n/);
    expect(c.out()).toMatch(/│ student0 +│ 10\/100 +│ graded/);
    expect(c.out().trimEnd().split('\n').at(-1)).toBe('3 students, mean 10/100, median 10/100, 0 full marks, 0 ungradable');
    for (const f of ['results.jsonl', 'grades.csv', 'junit.xml']) expect(existsSync(join(tmp, 'out-a', f))).toBe(true);
    expect(readdirSync(join(tmp, 'out-a', 'gradescope'))).toEqual(['student0.json', 'student1.json', 'student2.json']);

    const j = capture(tmp);
    await gradeCommand(j.io, MINI, subs, { out: join(tmp, 'out-b'), workerModule: STUB, json: true });
    const parsed = parseJsonLines(j.out());
    expect(parsed.bad).toBe(0);
    expect(parsed.results.map((r) => r.student)).toEqual(['student0', 'student1', 'student2']);
  }, SLOW);

  it('Ctrl-C: exit 130 and how to resume; --resume finishes without regrading', async () => {
    const subs = submissions(6);
    const out = join(tmp, 'out-int');
    const ctl = new AbortController();
    const c = capture(tmp, (err) => err.includes('[2/') && ctl.abort());
    const stopped = await gradeCommand(c.io, MINI, subs, { jobs: '1', out, workerModule: STUB, signal: ctl.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(CliExit);
    expect((stopped as CliExit).exitCode).toBe(130);
    expect(c.err()).toMatch(/interrupted: \d of 6 students graded, \d left; the results so far are in .*results\.jsonl\nto finish, run the same command with --resume\n$/);
    const first = parseJsonLines(readFileSync(join(out, 'results.jsonl'), 'utf8')).results.length;
    expect(first).toBeGreaterThanOrEqual(2);
    expect(first).toBeLessThan(6);

    const r = capture(tmp);
    await gradeCommand(r.io, MINI, subs, { jobs: '2', out, workerModule: STUB, resume: true });
    expect(r.err()).toContain(`grading ${6 - first} submissions for mini-lab; ${first} already graded`);
    expect(parseJsonLines(readFileSync(join(out, 'results.jsonl'), 'utf8')).results).toHaveLength(6);
    expect(r.out().trimEnd().split('\n').at(-1)).toMatch(/^6 students/);
  }, SLOW);

  it('one command line for every pod: JOB_COMPLETION_INDEX picks the shard, --merge combines them', async () => {
    const subs = submissions(5);
    const out = join(tmp, 'out-shards');
    const seen: string[][] = [];
    for (const index of ['0', '1']) {
      const c = capture(tmp);
      await gradeCommand(c.io, MINI, subs, { shards: '2', out, workerModule: STUB, json: true, env: { JOB_COMPLETION_INDEX: index } });
      expect(c.err()).toContain(`(shard ${Number(index) + 1}/2)`);
      seen.push(parseJsonLines(c.out()).results.map((r) => r.student));
    }
    expect(seen).toEqual([
      ['student0', 'student2', 'student4'],
      ['student1', 'student3'],
    ]);
    const m = await bpflab(tmp, 'grade', MINI, '--merge', '--out', out);
    expect(m.code).toBe(0);
    expect(m.err).toContain('merged 2 shards: 5 students');
    expect(m.out.trimEnd().split('\n').at(-1)).toMatch(/^5 students/);
  }, SLOW);
});

const withClang = haveClang('bpflab grade') ? it : it.skip;
describe('bpflab grade with the runner', () => {
  withClang('exit 0 for a completed batch, whatever the scores', async () => {
    const subs = freshDir('real');
    mkdirSync(join(subs, 'alice'));
    writeFileSync(join(subs, 'alice', 'count.bpf.c'), readFileSync(join(MINI, 'solution', 'count.bpf.c')));
    writeFileSync(join(subs, 'bob.bpf.c'), 'int main( {\n');
    writeFileSync(join(subs, 'carol.o'), 'not ELF\n');
    const cwd = freshDir('cwd');
    const r = await bpflab(cwd, 'grade', MINI, subs, '--jobs', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/│ alice +│ 100\/100 +│ full marks/);
    expect(r.out).toMatch(/│ bob +│ 0\/100 +│ ungradable +│ build-failed/);
    expect(r.out).toMatch(/│ carol +│ 0\/100 +│ ungradable +│ bad-submission/);
    expect(readFileSync(join(cwd, 'grades', 'mini-lab', 'grades.csv'), 'utf8').split('\n')[0]).toMatch(/^student,score,max_score,loads,/);
  }, SLOW);
});
