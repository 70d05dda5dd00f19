// `bpflab sim` and `bpflab hooks`: scenario files checked with
// file:line:column errors, the seed's hello world and syscount driven by
// syscall workloads, user-space map steps, faults and step errors with
// their location, the --json report against the registry's schemas, and
// the hook listing. Objects are built with clang (skipped visibly without).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { matchesPattern } from '../src/commands/hooks';
import type { SimReport } from '../src/commands/sim';
import { main, type Io } from '../src/index';
import { shippedHookRegistry } from '../src/shipped-hooks';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures', 'programs');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-sim-'));

function hasClang(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = hasClang();
if (!clang) console.warn('bpflab sim tests with programs skipped: clang not found (apt-get install clang)');
const describeClang = clang ? describe : describe.skip;

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

function file(name: string, text: string): string {
  writeFileSync(join(tmp, name), text);
  return name;
}

async function build(source: string, object: string): Promise<string> {
  const r = await bpflab('build', source, '-o', object);
  if (r.code !== 0) throw new Error(`bpflab build ${source}: ${r.err}`);
  return object;
}

// The seed's hello world as the course writes it: SEC("tracepoint") alone,
// attached by its loader to raw_syscalls/sys_enter, so every syscall prints.
const SEED_HELLO = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint")
int handle_tracepoint(void *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("BPF triggered from PID %d.\\n", pid);
	return 0;
}
`;

// A watch list user space fills: programs print only for watched uids.
const WATCH = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u8);
} watched SEC(".maps");

__u64 seen = 0;

SEC("tp/syscalls/sys_enter_openat")
int on_openat(void *ctx)
{
	__u32 uid = bpf_get_current_uid_gid();

	if (!bpf_map_lookup_elem(&watched, &uid))
		return 0;
	__sync_fetch_and_add(&seen, 1);
	bpf_printk("uid %u opened a file", uid);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
`;

// Uses the lookup's result without the NULL check: the verifier rejects it.
const NO_NULL_CHECK = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int count(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	*v += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

// Reads far past the 16-byte record of sys_enter_getpid: the verifier allows
// tracepoint context reads up to PERF_MAX_TRACE_SIZE (8192), as Linux does, so the run faults.
const FAULT = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getpid")
int wild(unsigned long *ctx)
{
	return ctx[500];
}

char LICENSE[] SEC("license") = "GPL";
`;

describe('scenario files', () => {
  // the object is never reached: the scenario is checked first
  it.each([
    {
      name: 'a misspelt syscall and an unknown key',
      text: 'steps:\n  - syscall: opnat\n    cpuu: 1\n',
      want: [
        "s.yaml:2:14: steps[0].syscall: \"opnat\" is not one of the 94 known values; did you mean 'openat'?",
        "s.yaml:3:5: steps[0]: unknown key 'cpuu' (did you mean 'cpu'?); known keys: name, syscall, args, ret, task, cpu, repeat",
      ],
    },
    {
      name: 'a step with no kind',
      text: 'steps:\n  - syscall: read\n  - { cpu: 1 }\n',
      want: ['s.yaml:3:5: steps[1]: the step has none of the step kinds (advance_ns, file, map_delete, map_update, mix, network, op, packet, send, syscall); its keys: cpu'],
    },
    {
      name: 'a step with two kinds',
      text: 'steps:\n  - syscall: read\n    mix: { read: 1 }\n',
      want: ['s.yaml:2:5: steps[0]: the step has several step kinds (syscall, mix): one step does one thing'],
    },
    {
      name: 'a bad task and too many arguments',
      text: 'steps:\n  - syscall: read\n    args: [1, 2, 3, 4, 5, 6, 7]\n    task: { pid: 5, uidd: 3 }\n',
      want: [
        's.yaml:3:11: steps[0].args: must NOT have more than 6 items',
        "s.yaml:4:21: steps[0].task: unknown key 'uidd' (did you mean 'uid'?); known keys: pid, tgid, ppid, comm, uid, gid, euid, egid",
      ],
    },
    {
      name: 'a misspelt syscall in a mix',
      text: 'steps:\n  - mix: { reed: 3, write: 2 }\n',
      want: ["s.yaml:2:12: steps[0].mix key 'reed': \"reed\" is not one of the 94 known values; did you mean 'read'?"],
    },
    { name: 'a map step without its value', text: 'steps:\n  - map_update: { map: m, key: 1 }\n', want: ["s.yaml:2:17: steps[0].map_update: missing key 'value'"] },
    { name: 'a wrong type', text: 'cpus: two\nsteps: []\n', want: ['s.yaml:1:7: cpus: "two" is not an integer'] },
    { name: 'no steps', text: 'cpus: 2\n', want: ["s.yaml:1:1: the file: missing key 'steps'"] },
    { name: 'a list instead of a mapping', text: '- syscall: read\n', want: ['s.yaml:1:1: a scenario is a mapping with steps (and optionally cpus, attach)'] },
    {
      name: 'a YAML syntax error',
      text: 'steps:\n  - syscall: read\n    syscall: write\n',
      want: ['s.yaml:3:5: Map keys must be unique'],
    },
  ])('reports $name with file:line:column', async ({ text, want }) => {
    file('s.yaml', text);
    const r = await bpflab('sim', 'never-read.o', 's.yaml');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`bpflab: ${want.join('\n')}\n`);
  });

  it('reads JSON scenarios too', async () => {
    file('s.json', '{"steps": [{"syscall": "read", "cpuu": 1}]}');
    const r = await bpflab('sim', 'never-read.o', 's.json');
    expect(r.err).toContain("s.json:1:32: steps[0]: unknown key 'cpuu'");
  });
});

describeClang('bpflab sim (clang)', () => {
  let hello: string;
  let seedHello: string;
  let syscount: string;
  let watch: string;
  let fault: string;

  beforeAll(async () => {
    hello = await build(join(FIXTURES, 'hello.bpf.c'), 'hello.bpf.o');
    seedHello = await build(file('seed_hello.bpf.c', SEED_HELLO), 'seed_hello.bpf.o');
    syscount = await build(join(FIXTURES, 'syscount.bpf.c'), 'syscount.bpf.o');
    watch = await build(file('watch.bpf.c', WATCH), 'watch.bpf.o');
    fault = await build(file('fault.bpf.c', FAULT), 'fault.bpf.o');
  });

  const WORKLOAD = `cpus: 2
attach:
  handle_tracepoint: raw_syscalls/sys_enter
steps:
  - syscall: openat
    args: [-100, /etc/passwd, 0, 0]
    task: { pid: 4242, comm: cat, uid: 1000 }
    cpu: 1
  - syscall: read
    args: [3, 0, 4096]
    task: 4242
    cpu: 1
    repeat: 2
  - name: a shell starts ls
    syscall: execve
    args: [/bin/ls, 0, 0]
    task: { pid: 4300, comm: bash }
  - mix: { close: 2, getpid: 1 }
    tasks: [4242, 4300]
    cpus: [0, 1]
`;

  it('hello world prints one line per syscall with each task\'s pid', async () => {
    file('hello.yaml', WORKLOAD);
    const r = await bpflab('sim', seedHello, 'hello.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').filter((l) => l.includes('bpf_trace_printk'));
    const pids = lines.map((l) => /BPF triggered from PID (\d+)\.$/.exec(l)?.[1]);
    // openat, read ×2 by 4242; execve by 4300; then the mix: tasks in turn
    expect(pids).toEqual(['4242', '4242', '4242', '4300', '4242', '4300', '4242']);
    expect(lines[0]).toMatch(/^ +cat-4242 +\[001\] d\.\.\.1 +5\.000000: bpf_trace_printk: BPF triggered from PID 4242\.$/);
    expect(r.out).toContain('handle_tracepoint: SEC("tracepoint") -> tracepoint raw_syscalls/sys_enter');
    expect(r.out).toContain('  [3] line 14: syscall (a shell starts ls)\n      bash-4300 [000] execve("/bin/ls", 0, 0) = 0: handle_tracepoint r0=0\n');
  });

  it('hello world of the fixtures prints only for execve', async () => {
    file('hello2.yaml', WORKLOAD.replace(/attach:\n.*\n/, ''));
    const r = await bpflab('sim', hello, 'hello2.yaml');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.includes('BPF triggered from PID 4300.'))).toHaveLength(1);
    expect(r.out).toContain('trace pipe (1 line):');
  });

  it('asks for the target of SEC("tracepoint") when the scenario gives none', async () => {
    file('noattach.yaml', 'steps:\n  - syscall: read\n');
    const r = await bpflab('sim', seedHello, 'noattach.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'bpflab: seed_hello.bpf.o: program handle_tracepoint: SEC("tracepoint") names no tracepoint, so libbpf does not attach it by itself: name its target in noattach.yaml, e.g.\n  attach:\n    handle_tracepoint: raw_syscalls/sys_enter\n',
    );
  });

  it('attaches by section: attach names SEC("tracepoint") programs whatever their function is called', async () => {
    file('bysection.yaml', 'attach:\n  tracepoint: raw_syscalls/sys_enter\nsteps:\n  - syscall: read\n    task: { pid: 4301 }\n');
    const r = await bpflab('sim', seedHello, 'bysection.yaml');
    expect(r.err).toBe('');
    expect(r.out).toContain('handle_tracepoint: SEC("tracepoint") -> tracepoint raw_syscalls/sys_enter');
    expect(r.out).toContain('BPF triggered from PID 4301.');
  });

  it('refuses an attach key that names no program and no section', async () => {
    file('nokey.yaml', 'attach:\n  handle: raw_syscalls/sys_enter\nsteps: []\n');
    const r = await bpflab('sim', seedHello, 'nokey.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`bpflab: nokey.yaml: attach: 'handle' names no program and no section of ${seedHello} (programs: handle_tracepoint (SEC("tracepoint")))\n`);
  });

  it('reports a target that does not exist', async () => {
    file('badattach.yaml', 'attach:\n  handle_tracepoint: syscalls/sys_enter_nope\nsteps: []\n');
    const r = await bpflab('sim', seedHello, 'badattach.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toBe('bpflab: badattach.yaml: attach.handle_tracepoint: cannot attach: prog handle_tracepoi: tracepoint syscalls/sys_enter_nope does not exist (no events/syscalls/sys_enter_nope in tracefs; bpflab hooks lists them)\n');
  });

  it('syscount over two CPUs sums to exactly the workload\'s counts', async () => {
    file(
      'syscount.yaml',
      `cpus: 2
steps:
  - mix: { openat: 13, read: 40, write: 21, close: 13, mmap: 5 }
    tasks: [{ pid: 100, comm: nginx }, { pid: 101, comm: nginx }, { pid: 200, comm: psql }]
    cpus: [0, 1]
    seed: 42
  - syscall: execve
    cpu: 1
    repeat: 3
  - syscall: exit_group
    args: [0]
    task: 200
`,
    );
    const r = await bpflab('sim', syscount, 'syscount.yaml', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as SimReport;
    const map = report.maps.find((m) => m.name === 'syscall_counts')!;
    expect(map.percpu).toBe(true);
    const totals = Object.fromEntries(map.entries.map((e) => [String(e.key), e.total]));
    expect(totals).toEqual({ 257: 13, 0: 40, 1: 21, 3: 13, 9: 5, 59: 3, 231: 1 });
    for (const e of map.entries) {
      expect(e.values).toHaveLength(2);
      expect((e.values as number[]).reduce((a, b) => a + b, 0)).toBe(e.total);
    }
    // the mix spread over both CPUs
    expect((map.entries.find((e) => e.key === 0)!.values as number[]).every((v) => v > 0)).toBe(true);
    expect(report.summaries[0]).toMatchObject({ hook: 'tracepoint', title: 'system calls', data: { total: 96 } });

    // the text form shows each key's total, then per CPU
    const text = await bpflab('sim', syscount, 'syscount.yaml');
    expect(text.out).toMatch(/\n  syscall_counts \(PERCPU_HASH, 7 entries\):\n/);
    expect(text.out).toMatch(/\n    59: 3 \(cpu0 0, cpu1 3\)\n/);
    expect(text.out).toContain('92 syscalls (write 21, close 13, read 40, openat 13, mmap 5) by 3 tasks on cpu 0,1: 92 program runs');
  });

  it('validates its --json report against the registry\'s schemas', async () => {
    file('hello.yaml', WORKLOAD);
    const r = await bpflab('sim', seedHello, 'hello.yaml', '--json');
    const report = JSON.parse(r.out) as SimReport;
    const ajv = new Ajv({ strict: false });
    const check = ajv.compile(shippedHookRegistry().stepResultSchema());
    expect(report.steps).toHaveLength(4);
    for (const s of report.steps) {
      const { index: _i, line: _l, ...result } = s;
      expect(check(result) ? [] : check.errors).toEqual([]);
    }
    // and a result that does not match is caught
    const broken = { ...report.steps[0]!, observation: { syscalls: 'one' } } as Record<string, unknown>;
    delete broken.index;
    delete broken.line;
    expect(check(broken)).toBe(false);
  });

  it('runs user-space map steps between events', async () => {
    file(
      'watch.yaml',
      `steps:
  - syscall: openat
    task: { pid: 7, comm: vim, uid: 1001 }
  - map_update: { map: watched, key: 1001, value: 1 }
  - syscall: openat
    task: 7
    repeat: 2
  - map_delete: { map: watched, key: 1001 }
  - syscall: openat
    task: 7
`,
    );
    const r = await bpflab('sim', watch, 'watch.yaml', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as SimReport;
    const rets = report.steps.map((s) => (s.kind === 'syscall' ? (s.observation as { events: { runs: { retval: number }[] }[] }).events.map((e) => e.runs[0]!.retval) : s.kind));
    expect(rets).toEqual([[0], 'map_update', [1, 1], 'map_delete', [0]]);
    expect(report.trace_pipe.map((l) => l.replace(/^.*bpf_trace_printk: /, ''))).toEqual(['uid 1001 opened a file', 'uid 1001 opened a file']);
    expect(report.maps.map((m) => [m.name, m.entries])).toEqual([
      ['watched', []],
      ['watch.bss', [{ key: 0, value: { seen: 2 } }]],
    ]);
  });

  it.each([
    {
      name: 'a map the object does not have',
      steps: 'steps:\n  - syscall: read\n  - map_update: { map: nope, key: 1, value: 1 }\n',
      code: 2,
      want: "bpflab: s2.yaml:3:5: steps[1] (map_update): no map 'nope' (maps: watched, watch.bss, watch.rodata)\n",
    },
    {
      name: 'a value the map\'s type does not take',
      steps: 'steps:\n  - map_update: { map: watched, key: x, value: 1 }\n',
      code: 2,
      want: 'bpflab: s2.yaml:2:5: steps[0] (map_update): map_update watched: a value of type __u32: x is not an integer\n',
    },
    {
      name: 'an argument count the syscall does not take',
      steps: 'steps:\n  - syscall: close\n    args: [1, 2]\n',
      code: 2,
      want: 'bpflab: s2.yaml:2:5: steps[0] (syscall): close takes 1 argument (fd), 2 given\n',
    },
    {
      name: 'a CPU the machine does not have',
      steps: 'cpus: 1\nsteps:\n  - syscall: close\n    cpu: 1\n',
      code: 2,
      want: "bpflab: s2.yaml:3:5: steps[0] (syscall): cpu 1 is not one of the machine's 1 CPUs (0-0)\n",
    },
  ])('reports $name at its step', async ({ steps, code, want }) => {
    file('s2.yaml', steps);
    const r = await bpflab('sim', watch, 's2.yaml');
    expect(r.code).toBe(code);
    expect(r.err).toBe(want);
  });

  it('reports a program fault with exit code 1 and the step', async () => {
    file('fault.yaml', 'steps:\n  - syscall: read\n  - syscall: getpid\n');
    const r = await bpflab('sim', fault, 'fault.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^bpflab: fault\.yaml:3:5: steps\[1\] \(syscall\): program wild: pc \d+: read of 8 bytes at /);
  });

  it('never runs a program the verifier rejects: exit 1, its log and explanation on stderr', async () => {
    file('nonull.bpf.c', NO_NULL_CHECK);
    file('n.yaml', 'steps:\n  - syscall: getpid\n');
    const r = await bpflab('sim', 'nonull.bpf.c', 'n.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^count: rejected \(program type tracepoint; context from hook plugin tracepoint\)\n--- verifier log ---\n/);
    expect(r.err).toContain("\nR0 invalid mem access 'map_value_or_null'\n");
    expect(r.err).toMatch(/^ {2}at nonull\.bpf\.c:\d+: \*v \+= 1;$/m);
    expect(r.err).toMatch(/\nbpflab: nonull\.bpf\.c: program count was rejected by the verifier: permission denied \(EACCES\)\n$/);
  });

  it('says when no packet was captured for --pcap-out', async () => {
    file('p.yaml', 'steps: []\n');
    const r = await bpflab('sim', watch, 'p.yaml', '--pcap-out', 'out.pcap');
    expect(r.code).toBe(0);
    expect(r.err).toBe('bpflab: --pcap-out: no packets were captured; out.pcap not written\n');
  });
});

describe('bpflab hooks', () => {
  it('lists every hook point with its SEC name and program type', async () => {
    const r = await bpflab('hooks');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^PLUGIN +SEC +TYPE +DESCRIPTION$/);
    expect(r.out).toMatch(/\ntracepoint +tracepoint\/raw_syscalls\/sys_enter +TRACEPOINT +every system call, on entry \[id 21\]\n/);
    expect(r.out).toMatch(/\ntracepoint +tp_btf\/sys_enter +TRACING +sys_enter\(struct pt_regs \*regs, long id\)\n/);
    expect(lines.filter((l) => l.includes('tracepoint/syscalls/sys_enter_'))).toHaveLength(90); // one per syscall of the table
  });

  it('filters by substring or glob and shows contexts', async () => {
    const r = await bpflab('hooks', 'syscalls/sys_enter_open*', '--ctx');
    expect(r.out.split('\n').filter((l) => l.startsWith('tracepoint '))).toEqual([
      expect.stringMatching(/tracepoint\/syscalls\/sys_enter_open +TRACEPOINT +open\(const char \* filename, int flags, umode_t mode\) entry \(nr 2\)/),
      expect.stringMatching(/sys_enter_openat +TRACEPOINT +openat\(/),
      expect.stringMatching(/sys_enter_openat2 +TRACEPOINT +openat2\(/),
    ]);
    expect(r.out).toContain('    \tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n');
  });

  it('prints JSON', async () => {
    const rows = JSON.parse((await bpflab('hooks', 'raw_tp/', '--json', '--ctx')).out) as { section: string; ctx: { size: number } }[];
    expect(rows.map((x) => [x.section, x.ctx.size])).toEqual([
      ['raw_tp/sys_enter', 16],
      ['raw_tp/sys_exit', 16],
    ]);
  });

  it('lists step kinds', async () => {
    const r = await bpflab('hooks', '--steps');
    expect(r.out.split('\n').map((l) => l.split(/ +/)[0])).toEqual(['STEP', 'advance_ns', 'file', 'map_delete', 'map_update', 'mix', 'network', 'op', 'packet', 'send', 'syscall', '']);
  });

  it('says when nothing matches', async () => {
    const r = await bpflab('hooks', 'nope*');
    expect(r).toMatchObject({ code: 2, err: "bpflab: no hook point matches 'nope*' (bpflab hooks lists them all)\n" });
  });

  it.each([
    ['syscalls/sys_enter_open', 'open', true],
    ['syscalls/sys_enter_open', 'syscalls/*_open', true],
    ['syscalls/sys_enter_openat', 'syscalls/*_open', false],
    ['raw_tp/sys_exit', 'raw_tp/sys_e?it', true],
  ])('%s matches %s: %s', (text, pattern, want) => {
    expect(matchesPattern(text, pattern)).toBe(want);
  });
});
