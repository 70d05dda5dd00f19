// Batch grading in a worker pool: submissions that hang, allocate without
// bound, kill their worker or throw are each graded 0 with the reason while
// the rest of the batch completes; real submissions that do not compile or
// are not ELF at all are graded by the runner in the workers; an
// interrupted batch resumes without grading anyone twice (a truncated last
// line ignored); shards partition the students exactly and merge back.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveClang, REPO } from '../../tools/test-support/bpf-clang';
import {
  gradeBatch,
  listSubmissions,
  loadLab,
  mergeShards,
  parseJsonLines,
  readResultsFile,
  resolveShard,
  selectShard,
  studentFileName,
  type Lab,
  type Scenario,
  type SubmissionResult,
} from '../src/index';


/** Batches start worker threads: more than jest's default 5 s on a busy machine (a hang guard, not a timing check). */
const SLOW = 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'bpflab-batch-'));
const freshDir = (name: string): string => mkdtempSync(join(tmp, `${name}-`));

// A grading module standing in for the runner: it behaves as the student's name says.
const STUB = join(tmp, 'stub-worker.mjs');
writeFileSync(
  STUB,
  `import { appendFileSync } from 'node:fs';
export default async function grade(task) {
  const s = task.student;
  if (task.lab.dir !== '') appendFileSync(task.lab.dir + '/graded.log', s + '\\n');
  if (s.startsWith('hang')) for (;;) {}
  if (s.startsWith('hog')) { const keep = []; for (;;) keep.push(new Array(1 << 16).fill(s)); }
  if (s.startsWith('crash')) process.exit(3);
  if (s.startsWith('throw')) throw new Error('stub grader failed on ' + s);
  if (s.startsWith('slow')) await new Promise((r) => setTimeout(r, 150));
  const scenarios = task.lab.scenarios.map((sc) => ({ name: sc.name, status: 'passed', points: sc.points, maxPoints: sc.points, hidden: sc.hidden, visibility: sc.visibility, message: 'passed', differences: [], durationMs: 1 }));
  return { lab: task.lab.id, student: s, submission: task.submission, score: task.lab.maxScore, maxScore: task.lab.maxScore, gradable: true, scenarios, durationMs: 1 };
}
`,
);

const SC: Scenario = { name: 'works', points: 10, hidden: false, visibility: 'visible', dependsOn: [], cpus: 1, attach: {}, setup: [], steps: [], expect: [], needsLoad: true, pos: { line: 1, column: 1 } };
function stubLab(dir: string): Lab {
  return {
    id: 'stub-lab',
    title: 'A stub lab',
    dir,
    file: join(dir, 'lab.yaml'),
    hook: 'xdp',
    submission: 'prog.bpf.c',
    starter: 'starter/prog.bpf.c',
    solution: 'solution/prog.bpf.c',
    variants: [],
    privileged: true,
    limits: { insnsPerEvent: 1000, timeoutSeconds: 60, memoryMb: 512 },
    scenarios: [SC, { ...SC, name: 'hidden one', hidden: true, visibility: 'after_published' }],
    maxScore: 20,
  };
}

/** A submissions folder with one file per student. */
function submissions(names: readonly string[]): string {
  const d = freshDir('subs');
  for (const n of names) writeFileSync(join(d, `${n}.bpf.c`), '// stub\n');
  return d;
}

function graded(labDir: string): string[] {
  const f = join(labDir, 'graded.log');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter((l) => l !== '') : [];
}

describe('gradeBatch with a stub grader', () => {
  it('grades 0 a submission that hangs, exhausts memory, kills its worker or throws; the others finish', async () => {
    const labDir = freshDir('lab');
    const names = ['alice', 'crash-carl', 'hang-harry', 'hog-hannah', 'throw-tom', 'zoe'];
    const out = freshDir('out');
    const outcome = await gradeBatch({ lab: stubLab(labDir), submissionsDir: submissions(names), outDir: out, jobs: 2, workerModule: STUB, timeoutMs: 3000, memoryMb: 48 });
    const by = new Map(outcome.results.map((r) => [r.student, r]));
    expect([...by.keys()]).toEqual(names);
    expect(outcome).toMatchObject({ graded: 6, interrupted: false, total: 6 });
    expect(by.get('alice')).toMatchObject({ score: 20, gradable: true });
    expect(by.get('zoe')).toMatchObject({ score: 20, gradable: true });
    expect(by.get('hang-harry')).toMatchObject({ score: 0, problem: 'timeout', gradable: true });
    expect(by.get('hang-harry')!.message).toMatch(/longer than the lab's limit of 3 s/);
    expect(by.get('hog-hannah')).toMatchObject({ score: 0, problem: 'memory', gradable: true });
    expect(by.get('hog-hannah')!.message).toMatch(/out of memory: the lab's limit is 48 MiB/);
    expect(by.get('crash-carl')).toMatchObject({ score: 0, problem: 'internal', gradable: false });
    expect(by.get('throw-tom')).toMatchObject({ score: 0, problem: 'internal' });
    expect(by.get('throw-tom')!.message).toContain('stub grader failed on throw-tom');
    // every scenario of an unfinished submission is there, failed, with its points at stake
    for (const r of outcome.results.filter((x) => x.problem !== undefined)) {
      expect(r.scenarios.map((s) => [s.name, s.status, s.points, s.maxPoints])).toEqual([
        ['works', 'failed', 0, 10],
        ['hidden one', 'failed', 0, 10],
      ]);
    }
    // results.jsonl has one whole line per student, and the reports are written
    const lines = parseJsonLines(readFileSync(join(out, 'results.jsonl'), 'utf8'));
    expect(lines.bad).toBe(0);
    expect(lines.results.map((r) => r.student).sort()).toEqual(names);
    expect(readFileSync(join(out, 'grades.csv'), 'utf8').trim().split('\n')).toHaveLength(7);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<testsuite name="hang-harry"');
    expect(readdirSync(join(out, 'gradescope')).sort()).toEqual(names.map((n) => `${n}.json`));
    expect(JSON.parse(readFileSync(join(out, 'prairielearn', 'crash-carl.json'), 'utf8'))).toMatchObject({ gradable: false, score: 0 });
  }, SLOW);

  it('resumes an interrupted batch without grading anyone twice, ignoring a truncated last line', async () => {
    const labDir = freshDir('lab');
    const lab = stubLab(labDir);
    const names = Array.from({ length: 8 }, (_, i) => `slow-${i}`);
    const subs = submissions(names);
    const out = freshDir('out');
    const ctl = new AbortController();
    const first = await gradeBatch({ lab, submissionsDir: subs, outDir: out, jobs: 2, workerModule: STUB, signal: ctl.signal, onResult: (_r, done) => done >= 3 && ctl.abort() });
    expect(first.interrupted).toBe(true);
    expect(first.graded).toBeGreaterThanOrEqual(3);
    expect(first.graded).toBeLessThan(names.length);
    expect(existsSync(join(out, 'grades.csv'))).toBe(false); // reports only for a complete batch
    const kept = readResultsFile(join(out, 'results.jsonl')).results.map((r) => r.student);
    expect(kept).toHaveLength(first.graded);
    // a crash while writing leaves half a line behind
    appendFileSync(join(out, 'results.jsonl'), '{"lab":"stub-lab","student":"slow-7","sco');
    const before = graded(labDir).length;

    const second = await gradeBatch({ lab, submissionsDir: subs, outDir: out, jobs: 2, workerModule: STUB, resume: true });
    expect(second).toMatchObject({ interrupted: false, resumed: kept.length, graded: names.length - kept.length });
    const regraded = graded(labDir).slice(before);
    expect(regraded.filter((s) => kept.includes(s))).toEqual([]);
    const all = parseJsonLines(readFileSync(join(out, 'results.jsonl'), 'utf8'));
    expect(all.bad).toBe(0);
    expect(all.results.map((r) => r.student).sort()).toEqual(names);
    expect(second.results.map((r) => r.student)).toEqual(names);
    expect(readFileSync(join(out, 'grades.csv'), 'utf8').trim().split('\n')).toHaveLength(names.length + 1);
  }, SLOW);

  it('partitions the students exactly over shards, and merges them back', async () => {
    const labDir = freshDir('lab');
    const lab = stubLab(labDir);
    const names = Array.from({ length: 7 }, (_, i) => `s${i}`);
    const subs = submissions(names);
    const out = freshDir('out');
    const seen: string[][] = [];
    for (let i = 1; i <= 3; i++) {
      const o = await gradeBatch({ lab, submissionsDir: subs, outDir: out, jobs: 1, workerModule: STUB, shard: { index: i, count: 3 } });
      expect(o.outDir).toBe(join(out, `shard-${i}-of-3`));
      seen.push(o.results.map((r) => r.student));
    }
    expect(seen).toEqual([
      ['s0', 's3', 's6'],
      ['s1', 's4'],
      ['s2', 's5'],
    ]);
    expect(graded(labDir).sort()).toEqual(names);
    const merged = mergeShards(out, lab);
    expect(merged).toMatchObject({ shards: 3, missing: [] });
    expect(merged.results.map((r: SubmissionResult) => r.student)).toEqual(names);
    expect(readFileSync(join(out, 'grades.csv'), 'utf8').trim().split('\n')).toHaveLength(names.length + 1);
  }, SLOW);
});

describe('shards', () => {
  it.each([
    { have: { shard: '2/4' }, want: { index: 2, count: 4 } },
    { have: { shard: '4', env: { JOB_COMPLETION_INDEX: '0' } }, want: { index: 1, count: 4 } },
    { have: { shards: '4', env: { JOB_COMPLETION_INDEX: '3' } }, want: { index: 4, count: 4 } },
    { have: { shard: '1/4', env: { JOB_COMPLETION_INDEX: '3' } }, want: { index: 1, count: 4 } },
    { have: { env: { JOB_COMPLETION_INDEX: '3' } }, want: undefined },
    { have: {}, want: undefined },
  ])('resolveShard($have) = $want', ({ have, want }) => {
    expect(resolveShard(have)).toEqual(want);
  });

  it.each([
    [{ shard: '5/4' }, /between 1 and 4/],
    [{ shard: '0/4' }, /positive integer/],
    [{ shard: 'a/b' }, /positive integer/],
    [{ shard: '4' }, /JOB_COMPLETION_INDEX/],
    [{ shard: '4', env: { JOB_COMPLETION_INDEX: '4' } }, /out of range for 4 shards/],
    [{ shard: '2/4', shards: '3' }, /disagree/],
  ])('rejects %j', (have, want) => {
    expect(() => resolveShard(have)).toThrow(want);
  });

  it('every student lands in exactly one shard, for any count', () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    for (let n = 1; n <= 7; n++) {
      const parts = Array.from({ length: n }, (_, i) => selectShard(items, { index: i + 1, count: n }));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(items);
      expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
    }
  });
});

describe('listSubmissions', () => {
  it('takes one folder or file per student, sorted, names without extensions', () => {
    const d = freshDir('list');
    mkdirSync(join(d, 'bob'));
    writeFileSync(join(d, 'alice.bpf.c'), '');
    writeFileSync(join(d, 'carol.o'), '');
    writeFileSync(join(d, '.DS_Store'), '');
    expect(listSubmissions(d).map((e) => e.student)).toEqual(['alice', 'bob', 'carol']);
  });

  it('says so when there is nothing to grade', () => {
    expect(() => listSubmissions(join(tmp, 'nope'))).toThrow(/no such folder/);
    expect(() => listSubmissions(freshDir('empty'))).toThrow(/no submissions/);
  });
});

const clang = haveClang('batch grading with the runner');
const LAB_DIR = join(REPO, 'labs', 'hello-world');
(clang && existsSync(join(LAB_DIR, 'lab.yaml')) ? describe : describe.skip)('gradeBatch with the runner', () => {
  it('grades a solution, C that does not compile, and a file that is not ELF, in workers', async () => {
    const lab = loadLab(LAB_DIR);
    const subs = freshDir('real');
    mkdirSync(join(subs, 'alice'));
    writeFileSync(join(subs, 'alice', lab.submission), readFileSync(join(LAB_DIR, lab.solution)));
    mkdirSync(join(subs, 'bob'));
    writeFileSync(join(subs, 'bob', lab.submission), 'int broken( {\n');
    writeFileSync(join(subs, 'carol.o'), 'this is not an ELF object\n');
    mkdirSync(join(subs, 'dan'));
    writeFileSync(join(subs, 'dan', 'a.bpf.c'), '');
    writeFileSync(join(subs, 'dan', 'b.bpf.c'), '');
    const out = freshDir('out');
    const o = await gradeBatch({ lab, submissionsDir: subs, outDir: out, jobs: 2 });
    const by = new Map(o.results.map((r) => [r.student, r]));
    expect(by.get('alice')).toMatchObject({ score: lab.maxScore, gradable: true });
    expect(by.get('alice')!.problem).toBeUndefined();
    expect(by.get('bob')).toMatchObject({ score: 0, gradable: false, problem: 'build-failed' });
    expect(by.get('bob')!.message).toMatch(/does not compile/);
    expect(by.get('carol')).toMatchObject({ score: 0, gradable: false, problem: 'bad-submission' });
    expect(by.get('dan')).toMatchObject({ score: 0, problem: 'bad-submission' });
    expect(by.get('dan')!.message).toMatch(/several files could be it/);
  }, SLOW);
});

describe('studentFileName', () => {
  it('keeps plain names and never gives two students one file', () => {
    expect(studentFileName('alice')).toBe('alice');
    const names = ['a b', 'a_b', 'a/b', 'a:b', '', '..', 'é'];
    const files = names.map(studentFileName);
    expect(new Set(files).size).toBe(names.length);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
  });
});
