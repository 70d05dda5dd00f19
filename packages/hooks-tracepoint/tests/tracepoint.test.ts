// The tracepoint plugin: the syscall table and tracepoint formats, attach
// rules and errnos, what each kind of program sees in its context (checked
// by small programs that return what they read), the order programs run
// in, the mix generator, and the seed's hello world and syscount.
import { assembleLlvm } from '@bpflab/isa';
import { formatCtxLayout, HookRegistry, Kernel, KernelError, type HookHost, type ProgramRun } from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import {
  RAW_TRACEPOINTS,
  syscallByName,
  SYSCALLS,
  tracepointByPath,
  tracepointHook,
  TRACEPOINTS,
  type SyscallObservation,
} from '../src/index';
import { buildC, buildSeed, haveClang } from './support/clang';

function setup(cpus = 2): { kernel: Kernel; host: HookHost } {
  const kernel = new Kernel({ cpus });
  return { kernel, host: new HookRegistry().register(tracepointHook).install(kernel) };
}

/** Loads `asm` as a program of `type` and attaches it to `target`; returns the program's name. */
function attachAsm(kernel: Kernel, type: string, target: string, asm: string, name: string): string {
  const p = kernel.bpf.progLoad({ type, insns: assembleLlvm(asm), license: 'GPL', name, ...(type === 'TRACING' ? { expectedAttachType: 'TRACE_RAW_TP' } : {}) });
  if (!p.ok) throw new Error(p.message);
  const l = kernel.bpf.linkCreate(p.value, { target });
  if (!l.ok) throw new Error(l.message);
  return name;
}

function obs(host: HookHost, step: Record<string, unknown>): SyscallObservation {
  return host.runStep(step).observation as SyscallObservation;
}

const retvals = (o: SyscallObservation): (readonly [string, string, number])[] => o.events.flatMap((e) => e.runs.map((r) => [r.program, r.point, r.retval] as const));

function thrown(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a KernelError');
}

describe('the syscall table', () => {
  it('has unique x86-64 numbers and names', () => {
    expect(new Set(SYSCALLS.map((s) => s.nr)).size).toBe(SYSCALLS.length);
    expect(new Set(SYSCALLS.map((s) => s.name)).size).toBe(SYSCALLS.length);
  });

  it.each([
    ['read', 0, 3],
    ['write', 1, 3],
    ['open', 2, 3],
    ['close', 3, 1],
    ['stat', 4, 2],
    ['mmap', 9, 6],
    ['getpid', 39, 0],
    ['clone', 56, 5],
    ['execve', 59, 3],
    ['kill', 62, 2],
    ['exit_group', 231, 1],
    ['openat', 257, 4],
    ['newfstatat', 262, 4],
  ])('%s is %i with %i arguments', (name, nr, nargs) => {
    expect(syscallByName(name)).toMatchObject({ nr, params: { length: nargs } });
  });

  it('traces stat as newstat, and knows it by both names', () => {
    expect(syscallByName('newstat')?.name).toBe('stat');
    expect(tracepointByPath('syscalls/sys_enter_newstat')?.syscall?.nr).toBe(4);
    expect(tracepointByPath('syscalls/sys_enter_stat')).toBeUndefined();
  });
});

describe('tracepoint formats', () => {
  it('lays out syscalls/sys_enter_openat as its tracefs format file', () => {
    expect(formatCtxLayout(tracepointByPath('syscalls/sys_enter_openat')!.layout)).toBe(
      [
        'struct syscall_trace_enter (48 bytes)',
        '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
        '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
        '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
        '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
        '\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;',
        '\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;',
        '\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;',
        '\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;',
        '\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['raw_syscalls/sys_enter', 64, [['id', 8, 8], ['args', 16, 48]]],
    ['raw_syscalls/sys_exit', 24, [['id', 8, 8], ['ret', 16, 8]]],
    ['syscalls/sys_exit_read', 24, [['__syscall_nr', 8, 4], ['ret', 16, 8]]],
    ['syscalls/sys_enter_getpid', 16, [['__syscall_nr', 8, 4]]],
  ] as const)('%s is %i bytes', (path, size, fields) => {
    const l = tracepointByPath(path)!.layout;
    expect(l.size).toBe(size);
    expect(l.fields.slice(4).map((f) => [f.name, f.offset, f.size])).toEqual(fields);
  });

  it('gives tp_btf programs regs as a pointer to struct pt_regs', () => {
    const f = RAW_TRACEPOINTS[0]!.btfLayout.fields;
    expect(f.map((x) => [x.name, x.offset, x.yields ?? 'scalar', x.btfType])).toEqual([
      ['regs', 0, 'btf_id', 'struct pt_regs'],
      ['id', 8, 'scalar', undefined],
    ]);
  });

  it('lists every tracepoint, raw tracepoint and tp_btf target', () => {
    const reg = new HookRegistry().register(tracepointHook);
    const pts = reg.points();
    expect(pts).toHaveLength(TRACEPOINTS.length + 4);
    expect(pts.find((p) => p.section === 'tracepoint/syscalls/sys_enter_execve')).toMatchObject({
      hook: 'tracepoint',
      progType: 'TRACEPOINT',
      doc: 'execve(const char * filename, const char *const * argv, const char *const * envp) entry (nr 59)',
    });
    expect(pts.filter((p) => p.progType !== 'TRACEPOINT').map((p) => p.section)).toEqual(['raw_tp/sys_enter', 'raw_tp/sys_exit', 'tp_btf/sys_enter', 'tp_btf/sys_exit']);
  });
});

describe('attaching', () => {
  it.each([
    { type: 'TRACEPOINT', target: 'syscalls/sys_enter_nope', errno: ERRNO.ENOENT, want: 'prog p: tracepoint syscalls/sys_enter_nope does not exist' },
    { type: 'TRACEPOINT', target: '', errno: ERRNO.EINVAL, want: 'needs the tracepoint (<category>/<name>)' },
    { type: 'RAW_TRACEPOINT', target: 'sched_switch', errno: ERRNO.ENOENT, want: 'raw tracepoint sched_switch does not exist (raw tracepoints: sys_enter, sys_exit)' },
    { type: 'TRACING', target: 'nope', errno: ERRNO.ENOENT, want: 'raw tracepoint nope does not exist' },
  ])('$type to "$target" fails with errno $errno', ({ type, target, errno, want }) => {
    const { kernel } = setup();
    const p = kernel.bpf.progLoad({ type, insns: assembleLlvm('r0 = 0\nexit'), license: 'GPL', name: 'p', ...(type === 'TRACING' ? { expectedAttachType: 'TRACE_RAW_TP' as const } : {}) });
    if (!p.ok) throw new Error(p.message);
    const r = kernel.bpf.linkCreate(p.value, { target });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errno).toBe(errno);
    expect(r.message).toContain(want);
  });

  it('records the link type and target', () => {
    const { kernel } = setup();
    attachAsm(kernel, 'TRACEPOINT', 'raw_syscalls/sys_enter', 'r0 = 0\nexit', 'a');
    attachAsm(kernel, 'RAW_TRACEPOINT', 'sys_exit', 'r0 = 0\nexit', 'b');
    expect(kernel.liveLinks().map((l) => [l.body.type, l.body.target])).toEqual([
      ['PERF_EVENT', 'raw_syscalls/sys_enter'],
      ['RAW_TRACEPOINT', 'sys_exit'],
    ]);
  });
});

describe('what programs see', () => {
  it.each([
    // [program type, target, what it reads, the syscall step, r0]
    { name: 'common_pid', type: 'TRACEPOINT', target: 'syscalls/sys_enter_kill', asm: 'r0 = *(s32 *)(r1 + 4)', want: 4242 },
    { name: 'common_type (the event id)', type: 'TRACEPOINT', target: 'syscalls/sys_enter_kill', asm: 'r0 = *(u16 *)(r1 + 0)', want: tracepointByPath('syscalls/sys_enter_kill')!.id },
    { name: '__syscall_nr', type: 'TRACEPOINT', target: 'syscalls/sys_enter_kill', asm: 'r0 = *(s32 *)(r1 + 8)', want: 62 },
    { name: 'the first argument', type: 'TRACEPOINT', target: 'syscalls/sys_enter_kill', asm: 'r0 = *(u64 *)(r1 + 16)', want: 1234 },
    { name: 'the second argument', type: 'TRACEPOINT', target: 'syscalls/sys_enter_kill', asm: 'r0 = *(u64 *)(r1 + 24)', want: 9 },
    { name: 'sys_exit ret', type: 'TRACEPOINT', target: 'syscalls/sys_exit_kill', asm: 'r0 = *(u64 *)(r1 + 16)', want: -3 },
    { name: 'raw sys_enter id', type: 'TRACEPOINT', target: 'raw_syscalls/sys_enter', asm: 'r0 = *(u64 *)(r1 + 8)', want: 62 },
    { name: 'raw sys_enter args[1]', type: 'TRACEPOINT', target: 'raw_syscalls/sys_enter', asm: 'r0 = *(u64 *)(r1 + 24)', want: 9 },
    { name: 'raw sys_exit ret', type: 'TRACEPOINT', target: 'raw_syscalls/sys_exit', asm: 'r0 = *(u64 *)(r1 + 16)', want: -3 },
    { name: 'raw_tp args[1] (id)', type: 'RAW_TRACEPOINT', target: 'sys_enter', asm: 'r0 = *(u64 *)(r1 + 8)', want: 62 },
    { name: 'raw_tp regs->di', type: 'RAW_TRACEPOINT', target: 'sys_enter', asm: 'r1 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r1 + 112)', want: 1234 },
    { name: 'raw_tp regs->si', type: 'RAW_TRACEPOINT', target: 'sys_enter', asm: 'r1 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r1 + 104)', want: 9 },
    { name: 'raw_tp regs->orig_ax', type: 'RAW_TRACEPOINT', target: 'sys_enter', asm: 'r1 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r1 + 120)', want: 62 },
    { name: 'raw_tp sys_exit ret', type: 'RAW_TRACEPOINT', target: 'sys_exit', asm: 'r0 = *(u64 *)(r1 + 8)', want: -3 },
    { name: 'raw_tp sys_exit regs->ax', type: 'RAW_TRACEPOINT', target: 'sys_exit', asm: 'r1 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r1 + 80)', want: -3 },
    { name: 'tp_btf id', type: 'TRACING', target: 'sys_enter', asm: 'r0 = *(u64 *)(r1 + 8)', want: 62 },
  ])('$name', ({ type, target, asm, want }) => {
    const { kernel, host } = setup();
    attachAsm(kernel, type, target, `${asm}\nexit`, 'reader');
    const o = obs(host, { syscall: 'kill', args: [1234, 9], ret: -3, task: { pid: 4242, comm: 'sh' }, cpu: 1 });
    expect(o.events[0]!.runs.map((r) => [r.program, r.retval, r.cpu, r.pid])).toEqual([['reader', want, 1, 4242]]);
  });

  it('puts text arguments in the task\'s memory', () => {
    const { kernel, host } = setup();
    // bpf_probe_read_user_str(fp - 16, 16, filename); return the first 8 bytes
    attachAsm(
      kernel,
      'TRACEPOINT',
      'syscalls/sys_enter_openat',
      `r3 = *(u64 *)(r1 + 24)
r1 = r10
r1 += -16
r2 = 16
call 114
r0 = *(u64 *)(r10 - 16)
exit`,
      'name',
    );
    const o = obs(host, { syscall: 'openat', args: [-100, '/etc/pw', 0, 0], task: { pid: 9, comm: 'cat' } });
    const r0 = BigInt(o.events[0]!.runs[0]!.r0);
    const bytes = new Uint8Array(new BigUint64Array([r0]).buffer);
    expect(new TextDecoder().decode(bytes)).toBe('/etc/pw\0');
  });

  it('runs programs in attach order across the tracepoints of a syscall, sys_enter before sys_exit', () => {
    const { kernel, host } = setup();
    attachAsm(kernel, 'TRACEPOINT', 'syscalls/sys_exit_read', 'r0 = 1\nexit', 'exit_read');
    attachAsm(kernel, 'TRACEPOINT', 'syscalls/sys_enter_read', 'r0 = 2\nexit', 'enter_read');
    attachAsm(kernel, 'RAW_TRACEPOINT', 'sys_enter', 'r0 = 3\nexit', 'raw_enter');
    attachAsm(kernel, 'TRACEPOINT', 'raw_syscalls/sys_enter', 'r0 = 4\nexit', 'tp_raw_enter');
    attachAsm(kernel, 'TRACEPOINT', 'syscalls/sys_enter_write', 'r0 = 5\nexit', 'enter_write');
    const o = obs(host, { syscall: 'read', args: [3, 0, 100] });
    expect(retvals(o)).toEqual([
      ['enter_read', 'syscalls/sys_enter_read', 2],
      ['raw_enter', 'sys_enter', 3],
      ['tp_raw_enter', 'raw_syscalls/sys_enter', 4],
      ['exit_read', 'syscalls/sys_exit_read', 1],
    ]);
    expect(o.events[0]!.ret).toBe(100); // read returns its count by default
    expect(o.programs).toEqual({
      enter_read: { runs: 1, retvals: { 2: 1 } },
      raw_enter: { runs: 1, retvals: { 3: 1 } },
      tp_raw_enter: { runs: 1, retvals: { 4: 1 } },
      exit_read: { runs: 1, retvals: { 1: 1 } },
    });
  });

  it('fires only sys_enter for exit_group, which does not return', () => {
    const { kernel, host } = setup();
    attachAsm(kernel, 'TRACEPOINT', 'raw_syscalls/sys_enter', 'r0 = 1\nexit', 'enter');
    attachAsm(kernel, 'TRACEPOINT', 'raw_syscalls/sys_exit', 'r0 = 2\nexit', 'exit');
    const o = obs(host, { syscall: 'exit_group', args: [0] });
    expect(retvals(o).map((r) => r[0])).toEqual(['enter']);
    expect(o.events[0]!.ret).toBeNull();
  });

  it.each([
    { syscall: 'getpid', want: 700 },
    { syscall: 'gettid', want: 701 },
    { syscall: 'getuid', want: 1000 },
    { syscall: 'getppid', want: 1 },
    { syscall: 'close', want: 0 },
  ])('$syscall returns $want by default', ({ syscall, want }) => {
    const { kernel, host } = setup();
    kernel.tasks.spawn({ pid: 700, comm: 'srv', uid: 1000 });
    expect(obs(host, { syscall, task: { pid: 701, tgid: 700, comm: 'worker', uid: 1000 } }).events[0]!.ret).toBe(want);
  });

  it.each([
    { step: { syscall: 'opne' }, want: "no system call 'opne' in the x86-64 table" },
    { step: { syscall: 'close', args: [1, 2] }, want: 'close takes 1 argument (fd), 2 given' },
    { step: { syscall: 'kill', args: ['x', 9] }, want: 'kill: argument 1 (pid_t pid) is a number, not text' },
    { step: { syscall: 999 }, want: 'syscall number 999 is not in [0, 511]' },
    { step: { mix: { read: 2 }, cpus: [0, 5] }, want: "cpu 5 is not one of the machine's 2 CPUs" },
  ])('refuses $step', ({ step, want }) => {
    const { host } = setup();
    const e = thrown(() => host.runStep(step));
    expect(e.code).toBe('bad-step');
    expect(e.message).toContain(want);
  });

  it('takes syscall numbers the table does not name: only raw_syscalls fire', () => {
    const { kernel, host } = setup();
    attachAsm(kernel, 'TRACEPOINT', 'raw_syscalls/sys_enter', 'r0 = *(u64 *)(r1 + 8)\nexit', 'id');
    expect(retvals(obs(host, { syscall: 400 }))).toEqual([['id', 'raw_syscalls/sys_enter', 400]]);
    expect(host.summaries()[0]!.data).toEqual({ total: 1, syscalls: [{ nr: 400, name: '#400', count: 1 }] });
  });

  it('advances the clock 1 µs per syscall', () => {
    const { kernel, host } = setup();
    const t0 = kernel.clock.now();
    host.runStep({ syscall: 'getpid', repeat: 3 });
    expect(kernel.clock.now() - t0).toBe(3000n);
  });
});

describe('mix', () => {
  const step = { mix: { openat: 3, read: 10, close: 2 }, tasks: [{ pid: 100, comm: 'a' }, { pid: 200, comm: 'b' }], cpus: [0, 1], seed: 7 };

  it('makes exactly the counts asked, tasks and CPUs in turn', () => {
    const { host } = setup();
    const o = obs(host, step);
    expect(o.syscalls).toBe(15);
    expect(o.counts).toEqual({ openat: 3, read: 10, close: 2 });
    expect(o.events.map((e) => e.pid)).toEqual(Array.from({ length: 15 }, (_, i) => (i % 2 === 0 ? 100 : 200)));
    expect(o.events.map((e) => e.cpu)).toEqual(Array.from({ length: 15 }, (_, i) => i % 2));
  });

  it('is deterministic: the same seed gives the same order, another seed another', () => {
    const order = (s: Record<string, unknown>) => obs(setup().host, s).events.map((e) => e.syscall).join(' ');
    expect(order(step)).toBe(order(step));
    expect(order({ ...step, seed: 8 })).not.toBe(order(step));
    expect(order({ mix: { read: 2, write: 2 } })).toBe(order({ mix: { read: 2, write: 2 }, seed: 1 }));
  });

  it('summarises many syscalls in a few lines', () => {
    const { host } = setup();
    expect(host.runStep(step).text[0]).toBe('15 syscalls (read 10, openat 3, close 2) by 2 tasks on cpu 0,1: 0 program runs');
  });
});

const CLANG = haveClang('tracepoint.test.ts');
const maybe = CLANG ? describe : describe.skip;

maybe('the seed programs (clang)', () => {
  it('hello world prints one line per execve with the caller\'s pid', () => {
    const { kernel, host } = setup(2);
    const obj = kernel.openObject(buildSeed('hello')!, { name: 'hello.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    expect(host.attachObject(obj)).toMatchObject([{ kind: 'attached', point: 'syscalls/sys_enter_execve', hook: 'tracepoint' }]);
    host.runStep({ syscall: 'execve', args: ['/bin/ls', 0, 0], task: { pid: 4242, comm: 'bash' }, cpu: 1, repeat: 2 });
    host.runStep({ syscall: 'openat', args: [-100, '/etc/passwd', 0, 0], task: { pid: 4243, comm: 'cat' } });
    host.runStep({ syscall: 'execve', task: { pid: 4243, comm: 'cat' } });
    const lines = kernel.tracePipe().readLines().map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual([
      'bash-4242 [001] d...1 5.000000: bpf_trace_printk: BPF triggered from PID 4242.',
      'bash-4242 [001] d...1 5.000001: bpf_trace_printk: BPF triggered from PID 4242.',
      'cat-4243 [000] d...1 5.000003: bpf_trace_printk: BPF triggered from PID 4243.',
    ]);
  });

  it('syscount sums over CPUs to exactly the workload\'s counts', () => {
    const { kernel, host } = setup(2);
    const obj = kernel.openObject(buildSeed('syscount')!, { name: 'syscount.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    expect(host.attachObject(obj)).toMatchObject([{ kind: 'attached', point: 'raw_syscalls/sys_enter' }]);
    host.runStep({ mix: { openat: 7, read: 20, write: 11, close: 7, getpid: 1 }, tasks: [{ pid: 10, comm: 'a' }, { pid: 11, comm: 'b' }, { pid: 12, comm: 'c' }], cpus: [0, 1], seed: 3 });
    host.runStep({ syscall: 'execve', cpu: 1, repeat: 2 });
    const totals: Record<string, bigint> = {};
    for (const [k, v] of obj.map('syscall_counts').entries()) totals[String(k)] = (v as bigint[]).reduce((a, b) => a + b, 0n);
    expect(totals).toEqual({ 257: 7n, 0: 20n, 1: 11n, 3: 7n, 39: 1n, 59: 2n });
    // both CPUs did some of the reads
    const perCpu = obj.map('syscall_counts').lookup(0) as bigint[];
    expect(perCpu).toHaveLength(2);
    expect(perCpu.every((n) => n > 0n)).toBe(true);
    expect(host.summaries()[0]!.data).toEqual({
      total: 48,
      syscalls: [
        { nr: 0, name: 'read', count: 20 },
        { nr: 1, name: 'write', count: 11 },
        { nr: 3, name: 'close', count: 7 },
        { nr: 39, name: 'getpid', count: 1 },
        { nr: 59, name: 'execve', count: 2 },
        { nr: 257, name: 'openat', count: 7 },
      ],
    });
  });

  it('runs a tp_btf program with pt_regs typed by BTF', () => {
    // the user-space struct pt_regs of <linux/ptrace.h> has the kernel's layout (rsi is si)
    const src = `
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sys_enter")
int on_enter(unsigned long long *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long id = ctx[1];

	if (id != 62)
		return 0;
	return regs->rsi;	/* kill's second argument, the signal */
}

char LICENSE[] SEC("license") = "GPL";
`;
    const { kernel, host } = setup();
    const obj = kernel.openObject(buildC(src, 'tp_btf.bpf.c')!, { name: 'tp_btf.bpf.o' });
    const loaded = obj.load();
    expect(loaded).toEqual({ ok: true });
    expect(host.attachObject(obj)).toMatchObject([{ kind: 'attached', point: 'sys_enter', hook: 'tracepoint' }]);
    const runs = (o: SyscallObservation): ProgramRun[] => o.events.flatMap((e) => e.runs);
    expect(runs(obs(host, { syscall: 'kill', args: [1, 15] })).map((r) => r.retval)).toEqual([15]);
    expect(runs(obs(host, { syscall: 'getpid' })).map((r) => r.retval)).toEqual([0]);
  });
});
