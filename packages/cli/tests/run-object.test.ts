// `bpflab run FILE.o --prog NAME`: one program of an object run once in a
// simulated kernel (as BPF_PROG_TEST_RUN), printing r0, its trace pipe
// lines and the map elements it changed; `--state` carries the maps from
// one invocation to the next. Objects are the toolchain's fixtures built
// with clang (skipped visibly without clang).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseUptime } from '../src/commands/run-object';
import { main, type Io } from '../src/index';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-run-object-'));

function hasClang(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = hasClang();
if (!clang) console.warn('bpflab run (objects) tests skipped: clang not found (apt-get install clang)');
const describeClang = clang ? describe : describe.skip;

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

async function build(source: string, object: string): Promise<void> {
  const r = await bpflab('build', source.startsWith('/') ? source : join(FIXTURES, source), '-o', object);
  if (r.code !== 0) throw new Error(`bpflab build ${source}: ${r.err}`);
}

/** struct trace_event_raw_sys_enter: the common header (common_pid at 4), long id at 8, unsigned long args[6]. */
function sysEnter(pid: number, id: number): string {
  const b = new Uint8Array(64);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0x15f, true); // common_type
  v.setInt32(4, pid, true);
  v.setBigInt64(8, BigInt(id), true);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

const SEED_LINE = '<...>-13197 [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.';

describe('--uptime', () => {
  it.each<[string, bigint]>([
    ['14391.036697', 14_391_036_697_000n],
    ['5', 5_000_000_000n],
    ['0.000000001', 1n],
  ])('reads %s seconds', (have, want) => {
    expect(parseUptime(have)).toBe(want);
  });

  it.each(['-1', '1.0000000001', 'soon', '1e3'])('refuses %s', (have) => {
    expect(() => parseUptime(have)).toThrow('--uptime must be seconds since boot');
  });
});

describeClang('bpflab run of an object', () => {
  beforeAll(async () => {
    await build('vmlinux/hello.bpf.c', 'hello.bpf.o');
    await build('programs/syscount.bpf.c', 'syscount.bpf.o');
    await build('programs/lsm_access.bpf.c', 'lsm_access.bpf.o');
    await build('programs/shared_maps.bpf.c', 'shared_maps.bpf.o');
  });

  it("prints hello world's trace line exactly as the course's trace_pipe shows it", async () => {
    const r = await bpflab('run', 'hello.bpf.o', '--prog', 'handle_tracepoint', '--ctx', sysEnter(13197, 59), '--pid', '13197', '--uptime', '14391.036697');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.slice(0, 3)).toEqual(['r0 = 0x0 (0)', expect.stringMatching(/^executed \d+ instructions on CPU 0$/), 'trace_pipe:']);
    // the kernel's padding (comm in 16 columns, pid in 7); the seed's text collapses the spaces
    expect(lines[3]).toBe('           <...>-13197   [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.');
    expect(lines[3]!.replace(/ +/g, ' ').trim()).toBe(SEED_LINE);
    expect(lines.slice(4)).toEqual(['maps: no changes', '']);
  });

  it('shows the comm, CPU and clock it is given, and picks the only program without --prog', async () => {
    const r = await bpflab('run', 'hello.bpf.o', '--pid', '4242', '--comm', 'bash', '--cpu', '1', '--repeat', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('in 2 runs (r0 of the last) on CPU 1\n');
    const line = '            bash-4242    [001] d...1     5.000000: bpf_trace_printk: BPF triggered from PID 4242.';
    expect(r.out).toContain(`trace_pipe:\n${line}\n${line}\nmaps: no changes\n`);
  });

  it('compiles C on the way, and reports as JSON', async () => {
    const r = await bpflab('run', join(FIXTURES, 'vmlinux/hello.bpf.c'), '--pid', '77', '--json');
    expect(r.code).toBe(0);
    const have = JSON.parse(r.out);
    expect(have).toMatchObject({ prog: 'handle_tracepoint', cpu: 0, runs: 1, r0: 0, retval: 0, maps: [] });
    expect(have.trace).toEqual([expect.stringMatching(/<\.\.\.>-77 .*BPF triggered from PID 77\.$/)]);
  });

  it('counts syscalls per CPU across runs, and map dump sums to the number of runs', async () => {
    rmSync(join(tmp, 'sc.json'), { force: true });
    const run = (cpu: number, id: number, ...extra: string[]) =>
      bpflab('run', 'syscount.bpf.o', '--prog', 'count_syscalls', '--ctx', sysEnter(1000, id), '--cpu', String(cpu), '--state', 'sc.json', ...extra);
    const first = await run(1, 59);
    expect(first.code).toBe(0);
    // a new element: the BPF program's update sets its own CPU's value, zeros elsewhere
    expect(first.out).toContain(
      'maps changed:\n  syscall_counts: added key 3b 00 00 00\n    value (CPU 00): 00 00 00 00 00 00 00 00\n    value (CPU 01): 01 00 00 00 00 00 00 00\n',
    );
    const second = await run(0, 59, '--repeat', '3');
    expect(second.out).toContain('maps changed:\n  syscall_counts: changed key 3b 00 00 00\n    value (CPU 00): 00 00 00 00 00 00 00 00 -> 03 00 00 00 00 00 00 00\n');
    expect((await run(1, 59)).out).toContain('value (CPU 01): 01 00 00 00 00 00 00 00 -> 02 00 00 00 00 00 00 00');
    expect((await run(0, 1)).code).toBe(0);

    const dump = await bpflab('map', 'dump', 'syscount.bpf.o', 'syscall_counts', '--state', 'sc.json', '--json');
    const entries = JSON.parse(dump.out) as { formatted: { key: number; values: { cpu: number; value: bigint | number }[] } }[];
    const totals = Object.fromEntries(entries.map((e) => [e.formatted.key, e.formatted.values.reduce((sum, v) => sum + Number(v.value), 0)]));
    expect(totals).toEqual({ 59: 5, 1: 1 });
    expect(entries.find((e) => e.formatted.key === 59)!.formatted.values).toEqual([
      { cpu: 0, value: 3 },
      { cpu: 1, value: 2 },
    ]);
    const plain = await bpflab('map', 'dump', 'syscount.bpf.o', 'syscall_counts', '--state', 'sc.json');
    expect(plain.out).toContain('key:\n3b 00 00 00\nvalue (CPU 00): 03 00 00 00 00 00 00 00\nvalue (CPU 01): 02 00 00 00 00 00 00 00\n');
    expect(plain.out).toContain('Found 2 elements\n');
  });

  it('sees a map update made by an earlier command through the state file (the LSM lab)', async () => {
    rmSync(join(tmp, 'lsm.json'), { force: true });
    const ctx = '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'; // BPF_PROG(..., struct file *file, int ret): u64 args[2]
    const check = (uid: number, ...extra: string[]) => bpflab('run', 'lsm_access.bpf.o', '--prog', 'restrict_file_open', '--ctx', ctx, '--uid', String(uid), ...extra);
    expect((await check(1001, '--state', 'lsm.json')).out).toMatch(/^r0 = 0x0 \(0\)\n/);
    const mark = await bpflab('map', 'update', 'lsm_access.bpf.o', 'compromised_users', 'key', '0xe9', '0x03', '0x00', '0x00', 'value', '0x01', '--state', 'lsm.json');
    expect(mark.code).toBe(0);
    const denied = await check(1001, '--state', 'lsm.json');
    expect(denied.code).toBe(0);
    expect(denied.out).toMatch(/^r0 = 0xffffffff \(4294967295\)\nretval = -1 \(-EPERM\)\n/);
    expect((await check(1000, '--state', 'lsm.json')).out).toMatch(/^r0 = 0x0 \(0\)\n/);
    // without the state file the map is empty again
    expect((await check(1001)).out).toMatch(/^r0 = 0x0 \(0\)\n/);
  });

  it('shows array elements as changed and hash elements as added, per pid', async () => {
    rmSync(join(tmp, 'shared.json'), { force: true });
    const r = await bpflab('run', 'shared_maps.bpf.o', '--prog', 'on_read', '--pid', '321', '--state', 'shared.json');
    expect(r.out).toContain(
      [
        'maps changed:',
        '  calls: changed key 01 00 00 00',
        '    value: 00 00 00 00 00 00 00 00 -> 01 00 00 00 00 00 00 00',
        '  calls_by_pid: added key 41 01 00 00',
        '    value: 01 00 00 00 00 00 00 00',
        '',
      ].join('\n'),
    );
    const saved = JSON.parse(readFileSync(join(tmp, 'shared.json'), 'utf8'));
    // arrays keep only their non-zero elements
    expect(saved.maps[0]).toMatchObject({ name: 'calls', entries: [{ key: '01 00 00 00', value: '01 00 00 00 00 00 00 00' }] });
    const again = await bpflab('run', 'shared_maps.bpf.o', '--prog', 'on_read', '--pid', '321', '--state', 'shared.json', '--json');
    expect(JSON.parse(again.out).maps).toEqual([
      { map: 'calls', changes: [{ change: 'changed', key: ['0x01', '0x00', '0x00', '0x00'], before: ['0x01', ...Array(7).fill('0x00')], after: ['0x02', ...Array(7).fill('0x00')] }] },
      { map: 'calls_by_pid', changes: [{ change: 'changed', key: ['0x41', '0x01', '0x00', '0x00'], before: ['0x01', ...Array(7).fill('0x00')], after: ['0x02', ...Array(7).fill('0x00')] }] },
    ]);
  });

  it.each<[name: string, type: string, popped: string, left: string]>([
    ['queue', 'QUEUE', 'e8 03 00 00', '02 00 00 00'],
    ['stack', 'STACK', '02 00 00 00', 'e8 03 00 00'],
  ])('keeps a %s across invocations and shows pushes and pops', async (name, type, popped, left) => {
    const source = join(tmp, `${name}.bpf.c`);
    writeFileSync(
      source,
      [
        '#include <linux/bpf.h>',
        '#include <bpf/bpf_helpers.h>',
        `struct { __uint(type, BPF_MAP_TYPE_${type}); __uint(max_entries, 8); __type(value, __u32); } values SEC(".maps");`,
        'SEC("tracepoint/syscalls/sys_enter_getpid") int push(void *ctx) { __u32 v = bpf_get_current_pid_tgid() >> 32; return bpf_map_push_elem(&values, &v, 0); }',
        'SEC("tracepoint/syscalls/sys_enter_getpid") int pop(void *ctx) { __u32 v = 0; bpf_map_pop_elem(&values, &v); return v; }',
        'char LICENSE[] SEC("license") = "GPL";',
      ].join('\n'),
    );
    await build(source, `${name}.bpf.o`);
    const state = `${name}.json`;
    rmSync(join(tmp, state), { force: true });
    // pid 1000 (the default process), then pid 2
    expect((await bpflab('run', `${name}.bpf.o`, '--prog', 'push', '--state', state)).code).toBe(0);
    const second = await bpflab('run', `${name}.bpf.o`, '--prog', 'push', '--pid', '2', '--state', state);
    expect(second.out).toContain('maps changed:\n  values: pushed\n    value: 02 00 00 00\n');
    // oldest first, as the state file keeps them
    expect((await bpflab('map', 'dump', `${name}.bpf.o`, 'values', '--state', state)).out).toBe('value: e8 03 00 00\nvalue: 02 00 00 00\nFound 2 elements\n');
    const pop = await bpflab('run', `${name}.bpf.o`, '--prog', 'pop', '--state', state);
    expect(pop.out).toMatch(new RegExp(`^r0 = 0x${popped.split(' ').reverse().join('').replace(/^0+/, '')} `));
    expect(pop.out).toContain(`maps changed:\n  values: popped\n    value: ${popped}\n`);
    const saved = JSON.parse(readFileSync(join(tmp, state), 'utf8'));
    expect(saved.maps[0].entries).toEqual([{ value: left }]);
  });

  it('exits 1 on a fault at run time, showing what the program printed first', async () => {
    const source = join(tmp, 'fault.bpf.c');
    writeFileSync(
      source,
      '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("tracepoint/syscalls/sys_enter_getpid") int far(void *ctx) { bpf_printk("before"); return *(volatile long *)(ctx + 4096); }\nchar LICENSE[] SEC("license") = "GPL";\n',
    );
    await build(source, 'fault.bpf.o');
    rmSync(join(tmp, 'fault.json'), { force: true });
    const r = await bpflab('run', 'fault.bpf.o', '--ctx', '00 00 00 00 00 00 00 00', '--state', 'fault.json');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^trace_pipe:\n +<\.\.\.>-1000 .*: bpf_trace_printk: before\n$/);
    expect(r.err).toMatch(/^bpflab: fault\.bpf\.o: program far: pc \d+: read of 8 bytes at 0x[0-9a-f]+ \(ctx\+4096\)/);
  });

  it('never runs a program the verifier rejects: exit 1, the log and the explanation on stderr, no state written', async () => {
    const source = join(tmp, 'uninit.bpf.c');
    writeFileSync(
      source,
      [
        '#include <linux/bpf.h>',
        '#include <bpf/bpf_helpers.h>',
        'SEC("tracepoint/syscalls/sys_enter_getpid") int noexit(void *ctx) {',
        '  asm volatile("r0 = 0; if r0 == 0 goto +0;" ::: "r0");',
        '  asm volatile("r1 = r9");',
        '  return 0;',
        '}',
        'char LICENSE[] SEC("license") = "GPL";',
        '',
      ].join('\n'),
    );
    await build(source, 'uninit.bpf.o');
    rmSync(join(tmp, 'uninit.json'), { force: true });
    const r = await bpflab('run', 'uninit.bpf.o', '--state', 'uninit.json');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^noexit: rejected \(program type tracepoint; context from hook plugin tracepoint\)\n--- verifier log ---\n/);
    expect(r.err).toContain('\nR9 !read_ok\n');
    expect(r.err).toMatch(/^why: R9 is read before anything was written to it/m);
    expect(r.err).toMatch(/\nbpflab: uninit\.bpf\.o: program noexit was rejected by the verifier: permission denied \(EACCES\)\n$/);
    expect(existsSync(join(tmp, 'uninit.json'))).toBe(false);
  });

  it('--unprivileged verifies as a loader without CAP_BPF (a tracepoint program may not be loaded)', async () => {
    const r = await bpflab('run', 'hello.bpf.o', '--unprivileged');
    expect(r.code).toBe(1);
    expect(r.err).toContain('program type tracepoint needs CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN); load it as root');
  });

  it.each<[string, string[], string]>([
    ['a program the object does not have', ['lsm_access.bpf.o', '--prog', 'nope'], "lsm_access.bpf.o has no program 'nope' (programs: restrict_file_open, restrict_file_permission)"],
    ['no --prog with two programs', ['lsm_access.bpf.o'], 'lsm_access.bpf.o has 2 programs (restrict_file_open, restrict_file_permission): choose one with --prog NAME'],
    ['a CPU the kernel does not have', ['hello.bpf.o', '--cpu', '2'], '--cpu 2: the simulated kernel has 2 CPUs (0-1)'],
    ['--mem for an object', ['hello.bpf.o', '--mem', '00'], "--mem is for assembly and raw programs: give an object's program its context with --ctx HEX"],
    ['--trace for an object', ['hello.bpf.o', '--trace'], '--trace is for assembly and raw programs'],
    ['bad --ctx hex', ['hello.bpf.o', '--ctx', 'zz'], "--ctx: expected hex bytes like 'de ad be ef'"],
    ['a missing --ctx-file', ['hello.bpf.o', '--ctx-file', 'nope.bin'], 'nope.bin: no such file'],
    ['a truncated ELF object', ['truncated.o'], 'truncated.o: elf header: 8 bytes: too short'],
  ])('refuses %s with exit code 2', async (_name, args, message) => {
    writeFileSync(join(tmp, 'truncated.o'), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    const r = await bpflab('run', ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
  });

  it('refuses the object options for an assembly program, which still runs as before', async () => {
    writeFileSync(join(tmp, 'two.s'), 'r0 = 2\nexit\n');
    expect(await bpflab('run', 'two.s')).toEqual({ code: 0, out: 'r0 = 0x2 (2)\nexecuted 2 instructions\n', err: '' });
    const r = await bpflab('run', 'two.s', '--state', 'x.json');
    expect(r).toMatchObject({ code: 2, err: expect.stringContaining('--state is for object files') });
    expect(await bpflab('run', 'two.s', '--unprivileged')).toMatchObject({ code: 2, err: expect.stringContaining('--unprivileged is for object files') });
  });
});
