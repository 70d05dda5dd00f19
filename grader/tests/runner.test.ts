// Grading one submission: the test lab's solution, starter and wrong
// variants, and submissions that are not C, not ELF, do not compile, or
// loop forever, each graded with a message instead of a crash.
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradeSubmission, loadLab, resolveSubmissionFile, type SubmissionResult } from '../src/index';
import { haveClang } from '../../tools/test-support/bpf-clang';

const HERE = dirname(fileURLToPath(import.meta.url));
const MINI = join(HERE, 'fixtures', 'mini-lab');
const lab = loadLab(MINI);
const clang = haveClang('grader runner');
const withClang = clang ? it : it.skip;
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-runner-'));

function brief(r: SubmissionResult): unknown {
  return { score: r.score, problem: r.problem, gradable: r.gradable, scenarios: r.scenarios.map((s) => [s.name, s.status, s.points]) };
}

describe('gradeSubmission', () => {
  withClang('gives the solution full marks', async () => {
    const r = await gradeSubmission(lab, join(MINI, 'solution'));
    expect(brief(r)).toEqual({
      score: 100,
      problem: undefined,
      gradable: true,
      scenarios: [
        ['loads', 'passed', 10],
        ['counts per CPU', 'passed', 60],
        ['prints execve callers', 'passed', 30],
      ],
    });
    expect(r.maxScore).toBe(100);
    expect(r.student).toBe('solution');
  });

  withClang('shows what the starter misses, with differences and hints', async () => {
    const r = await gradeSubmission(lab, join(MINI, 'starter', 'count.bpf.c'), { student: 'ada' });
    expect(r.student).toBe('ada');
    expect(r.score).toBe(10);
    const counts = r.scenarios[1]!;
    expect(counts.message).toBe('map counts key 59: expected 2, got (no such element; the map has 0) (and 1 more failed check)');
    expect(counts.hint).toBe('count every system call, keyed by its id');
    expect(counts.differences[0]).toEqual({ where: 'map counts key 59', expected: '2', actual: '(no such element; the map has 0)' });
    expect(r.scenarios[2]!.message).toBe('trace pipe lines containing "execve from 4242": expected 1, got 0 (the trace pipe has 0 lines)');
  });

  withClang('explains a verifier rejection and skips what depends on loading', async () => {
    const r = await gradeSubmission(lab, join(MINI, 'wrong', 'no-null-check.bpf.c'));
    expect(brief(r)).toMatchObject({ score: 0, problem: 'rejected', gradable: false });
    expect(r.message).toMatch(/^program count_syscalls was rejected by the verifier/);
    expect(r.message).toMatch(/R0 invalid mem access 'map_value_or_null'/);
    expect(r.message).toMatch(/no-null-check\.bpf\.c:\d+: +\*count \+= 1;/);
    expect(r.scenarios.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(r.scenarios[0]!.hint).toMatch(/bpflab verify/);
  });

  withClang('reports C that does not compile with the compiler\'s diagnostics', async () => {
    const dir = join(tmp, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'count.bpf.c'), 'int f(void) { return x; }\n');
    const r = await gradeSubmission(lab, dir);
    expect(brief(r)).toMatchObject({ score: 0, problem: 'build-failed', gradable: false });
    expect(r.message).toMatch(/count\.bpf\.c does not compile:\n.*count\.bpf\.c:1:22: error: use of undeclared identifier 'x'/);
    expect(r.scenarios.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(r.scenarios[0]!.message).toBe('not graded: the submission does not compile');
  });

  it('grades a file that is not ELF at all with a message', async () => {
    const file = join(tmp, 'carol.o');
    writeFileSync(file, 'this is a text file\n');
    const r = await gradeSubmission(lab, file);
    expect(brief(r)).toMatchObject({ score: 0, problem: 'bad-submission', gradable: false });
    expect(r.message).toBe('carol.o is not an ELF object file: hand in count.bpf.c (C source, built by the grader)');
    expect(r.student).toBe('carol');
  });

  it('grades a truncated ELF file with the object reader\'s message', async () => {
    const file = join(tmp, 'dave.o');
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    const r = await gradeSubmission(lab, file);
    expect(brief(r)).toMatchObject({ score: 0, problem: 'bad-submission' });
    expect(r.message).toMatch(/^dave\.o: /);
  });

  it('finds the submission in a student folder, or says why not', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(resolveSubmissionFile(lab, empty)).toEqual({ ok: false, message: `${empty}: no count.bpf.c in this folder (and no other .c or .o file to grade)` });
    const two = join(tmp, 'two');
    mkdirSync(two);
    writeFileSync(join(two, 'a.c'), '');
    writeFileSync(join(two, 'b.c'), '');
    expect(resolveSubmissionFile(lab, two)).toMatchObject({ ok: false, message: expect.stringMatching(/several files could be it \(a\.c, b\.c\): name yours count\.bpf\.c$/) });
    const one = join(tmp, 'one');
    mkdirSync(one);
    writeFileSync(join(one, 'mine.bpf.c'), '');
    expect(resolveSubmissionFile(lab, one)).toEqual({ ok: true, file: join(one, 'mine.bpf.c') });
    expect(resolveSubmissionFile(lab, join(tmp, 'nobody'))).toMatchObject({ ok: false, message: expect.stringMatching(/no such file or folder$/) });
  });

  withClang('stops a program that loops forever at the per-event budget', async () => {
    // lsm/task_kill loads unverified (the simulated kernel's BTF lacks the hook), so the budget is what stops this one.
    const dir = join(tmp, 'lsm-lab');
    cpSync(MINI, dir, { recursive: true });
    writeFileSync(
      join(dir, 'lab.yaml'),
      `id: lsm-lab
title: loops
hook: lsm
submission: spin.bpf.c
starter: starter/count.bpf.c
solution: solution/count.bpf.c
limits: { insns_per_event: 5000 }
scenarios:
  - name: opens
    points: 5
    steps:
      - op: kill
        task: { pid: 7, comm: sh, uid: 1000 }
        target: 7
        expect: { result: 0 }
`,
    );
    writeFileSync(
      join(dir, 'spin.bpf.c'),
      `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
volatile int stop;
struct kernel_siginfo;
SEC("lsm/task_kill")
int BPF_PROG(spin, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred, int ret)
{
	while (!stop)
		;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`,
    );
    const r = await gradeSubmission(loadLab(dir), join(dir, 'spin.bpf.c'));
    expect(brief(r)).toMatchObject({ score: 0, gradable: true, scenarios: [['opens', 'failed', 0]] });
    expect(r.scenarios[0]!.message).toMatch(
      /^steps\[0\] \(op\): program spin: pc \d+: instruction budget of 5000 exhausted before the program exited \(the lab's limit per event: an endless loop, or a loop too long\?\)$/,
    );
  });

  withClang("checks an array's all-zero elements by key, though listings leave them out", async () => {
    const dir = join(tmp, 'array-lab');
    cpSync(MINI, dir, { recursive: true });
    writeFileSync(
      join(dir, 'lab.yaml'),
      `id: array-lab
title: arrays
hook: tracepoint
submission: arr.bpf.c
starter: starter/count.bpf.c
solution: solution/count.bpf.c
scenarios:
  - name: zero
    points: 1
    steps:
      - syscall: read
        task: { pid: 9 }
    expect:
      - map: slots
        key: 0
        value: 0
      - map: slots
        key: 1
        value: 7
      - map: slots
        entries: [{ key: 1, value: 7 }]
  - name: wrong
    points: 1
    steps:
      - syscall: read
        task: { pid: 9 }
    expect:
      - map: slots
        key: 2
        value: 5
`,
    );
    writeFileSync(
      join(dir, 'arr.bpf.c'),
      `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");
SEC("tracepoint/raw_syscalls/sys_enter")
int f(void *ctx)
{
	__u32 k = 1;
	__u64 v = 7;
	bpf_map_update_elem(&slots, &k, &v, BPF_ANY);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`,
    );
    const r = await gradeSubmission(loadLab(dir), join(dir, 'arr.bpf.c'));
    expect(r.scenarios.map((s) => [s.name, s.status])).toEqual([
      ['zero', 'passed'],
      ['wrong', 'failed'],
    ]);
    expect(r.scenarios[1]!.message).toBe('map slots key 2: expected 5, got 0');
  });
});

