// The base helpers, one program each (written in LLVM's assembly syntax),
// run with a context they write their results into: task, CPU and time
// helpers, probe reads and writes with the kernel's errno on bad
// addresses, signals, random numbers, queue maps, perf event output and
// bpf_override_return.
import { assembleLlvm } from '@bpflab/isa';
import { ERRNO } from '@bpflab/uapi';
import { initialJiffies, Kernel, kernelOffsetOf, type RunOptions } from '../src/index';

/** Loads `asm` and runs it with a zeroed 64-byte context; returns r0 and the context after the run. */
function run(kernel: Kernel, asm: string, options: RunOptions & { type?: string } = {}): { r0: bigint; ctx: DataView } {
  const p = kernel.bpf.progLoad({ type: options.type ?? 'TRACEPOINT', insns: assembleLlvm(asm), license: 'GPL', name: 'helper_test' });
  if (!p.ok) throw new Error(p.message);
  const r = kernel.bpf.progTestRun(p.value, { ...options, ctx: new Uint8Array(64) });
  if (!r.ok) throw new Error(r.message);
  return { r0: r.value.r0, ctx: new DataView(r.value.ctxOut.buffer) };
}

const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

describe('current task and CPU', () => {
  it('gives tgid << 32 | pid, gid << 32 | uid, the CPU, NUMA node 0', () => {
    const k = new Kernel({ cpus: 4 });
    k.tasks.spawn({ pid: 700, comm: 'server', uid: 33, gid: 44 });
    const thread = k.tasks.spawn({ pid: 702, tgid: 700, comm: 'worker', uid: 33, gid: 44 });
    const { ctx } = run(k, `r6 = r1
call 14
*(u64 *)(r6 + 0) = r0
call 15
*(u64 *)(r6 + 8) = r0
call 8
*(u64 *)(r6 + 16) = r0
call 42
*(u64 *)(r6 + 24) = r0
r0 = 0
exit`, { cpu: 3, task: thread });
    expect(ctx.getBigUint64(0, true)).toBe((700n << 32n) | 702n);
    expect(ctx.getBigUint64(8, true)).toBe((44n << 32n) | 33n);
    expect(ctx.getBigUint64(16, true)).toBe(3n);
    expect(ctx.getBigUint64(24, true)).toBe(0n);
  });

  it('answers -EINVAL without a current task', () => {
    const { ctx } = run(new Kernel(), 'r6 = r1\ncall 14\n*(u64 *)(r6 + 0) = r0\ncall 15\n*(u64 *)(r6 + 8) = r0\nr0 = 0\nexit', { task: null });
    expect(s64(ctx.getBigUint64(0, true))).toBe(BigInt(-ERRNO.EINVAL));
    expect(s64(ctx.getBigUint64(8, true))).toBe(BigInt(-ERRNO.EINVAL));
  });

  it.each([
    { size: 16, want: 'kworker/1:0\0\0\0\0\0' },
    { size: 4, want: 'kwo\0' },
    { size: 24, want: 'kworker/1:0' + '\0'.repeat(13) },
  ])('bpf_get_current_comm with size $size copies and NUL-pads', ({ size, want }) => {
    const k = new Kernel();
    const t = k.tasks.spawn({ pid: 55, comm: 'kworker/1:0' });
    const { r0, ctx } = run(k, `r6 = r1\nr1 = r6\nr2 = ${size}\ncall 16\nexit`, { task: t });
    expect(r0).toBe(0n);
    expect(new TextDecoder().decode(new Uint8Array(ctx.buffer, 0, size))).toBe(want);
  });

  it('returns the current task_struct, laid out as the kernel BTF says', () => {
    const k = new Kernel();
    const t = k.tasks.spawn({ pid: 812, comm: 'reader' });
    const pidAt = kernelOffsetOf('task_struct', 'pid');
    const { r0, ctx } = run(k, `r6 = r1
call 35
*(u64 *)(r6 + 0) = r0
r3 = r0
r3 += ${pidAt}
r1 = r6
r1 += 8
r2 = 4
call 113
exit`, { task: t });
    expect(ctx.getBigUint64(0, true)).toBe(BigInt(t.address));
    expect(r0).toBe(0n);
    expect(ctx.getUint32(8, true)).toBe(812);
  });

  it('sends signals to the current process or thread, not to init', () => {
    const k = new Kernel();
    const proc = k.tasks.spawn({ pid: 900 });
    const thread = k.tasks.spawn({ pid: 901, tgid: 900 });
    expect(run(k, 'r1 = 10\ncall 109\nexit', { task: thread }).r0).toBe(0n);
    expect(run(k, 'r1 = 12\ncall 117\nexit', { task: thread }).r0).toBe(0n);
    expect(proc.signals).toEqual([10]);
    expect(thread.signals).toEqual([12]);
    expect(s64(run(k, 'r1 = 9\ncall 109\nexit', { task: 1 }).r0)).toBe(BigInt(-ERRNO.EPERM));
    expect(s64(run(k, 'r1 = 65\ncall 109\nexit', { task: proc }).r0)).toBe(BigInt(-ERRNO.EINVAL));
    expect(s64(run(k, 'r1 = 9\ncall 109\nexit', { task: 0 }).r0)).toBe(BigInt(-ERRNO.EPERM));
  });
});

describe('time and random numbers', () => {
  it('reads the simulated clocks', () => {
    const k = new Kernel({ clock: { startNs: 10_000_000_123n, hz: 250 } });
    k.clock.suspend(7);
    const { ctx } = run(k, `r6 = r1
call 5
*(u64 *)(r6 + 0) = r0
call 125
*(u64 *)(r6 + 8) = r0
call 160
*(u64 *)(r6 + 16) = r0
call 118
*(u64 *)(r6 + 24) = r0
r0 = 0
exit`, { type: 'XDP' });
    expect(ctx.getBigUint64(0, true)).toBe(10_000_000_123n);
    expect(ctx.getBigUint64(8, true)).toBe(10_000_000_130n);
    expect(ctx.getBigUint64(16, true)).toBe(10_000_000_000n);
    expect(ctx.getBigUint64(24, true)).toBe(initialJiffies(250) + 2500n);
  });

  it('gives reproducible bpf_get_prandom_u32 sequences per seed', () => {
    const draw = (seed: number): bigint[] => {
      const { ctx } = run(new Kernel({ seed }), 'r6 = r1\ncall 7\n*(u64 *)(r6 + 0) = r0\ncall 7\n*(u64 *)(r6 + 8) = r0\nr0 = 0\nexit');
      return [ctx.getBigUint64(0, true), ctx.getBigUint64(8, true)];
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1)[0]).not.toBe(draw(1)[1]);
    for (const v of draw(3)) expect(v < 2n ** 32n).toBe(true);
  });
});

describe('probe reads and writes', () => {
  /** `helper(dst=ctx+8, size, src)`; r0 to ctx+0. The buffer is prefilled with 0xff. */
  function probe(k: Kernel, helper: number, size: number, src: bigint | number, options: RunOptions = {}): { ret: bigint; bytes: Uint8Array } {
    const { ctx } = run(k, `r6 = r1
r1 = -1
*(u64 *)(r6 + 8) = r1
*(u64 *)(r6 + 16) = r1
r1 = r6
r1 += 8
r2 = ${size}
r3 = ${BigInt.asIntN(64, BigInt(src))} ll
call ${helper}
*(u64 *)(r6 + 0) = r0
r0 = 0
exit`, options);
    return { ret: s64(ctx.getBigUint64(0, true)), bytes: new Uint8Array(ctx.buffer, 8, 16) };
  }

  const ff = (n: number): number[] => new Array<number>(n).fill(0xff);

  it.each([
    { name: 'probe_read_kernel of NULL: -ERANGE, zeroed', helper: 113, src: 0, ret: -ERRNO.ERANGE },
    { name: 'probe_read_kernel of an unmapped kernel address: -EFAULT, zeroed', helper: 113, src: 0xffffffff81000000n, ret: -ERRNO.EFAULT },
    { name: 'probe_read_kernel of a non-canonical address: -ERANGE', helper: 113, src: 0x0001000000000000n, ret: -ERRNO.ERANGE },
    { name: 'probe_read_user of NULL: -EFAULT, zeroed', helper: 112, src: 0, ret: -ERRNO.EFAULT },
    { name: 'probe_read (compat) of NULL goes the user way: -EFAULT', helper: 4, src: 0, ret: -ERRNO.EFAULT },
  ])('$name', ({ helper, src, ret }) => {
    const r = probe(new Kernel(), helper, 8, src);
    expect(r.ret).toBe(BigInt(ret));
    expect([...r.bytes]).toEqual([...new Array<number>(8).fill(0), ...ff(8)]);
  });

  it('reads the current process user memory, and only its own', () => {
    const k = new Kernel();
    const me = k.tasks.spawn({ pid: 300 });
    const other = k.tasks.spawn({ pid: 301 });
    const mine = k.tasks.mapUserMemory(me, new TextEncoder().encode('secret!\0padding'));
    const theirs = k.tasks.mapUserMemory(other, new TextEncoder().encode('theirs\0'));
    expect(probe(k, 112, 8, mine, { task: me })).toEqual({ ret: 0n, bytes: Uint8Array.from([...new TextEncoder().encode('secret!\0'), ...ff(8)]) });
    expect(probe(k, 112, 8, theirs, { task: me }).ret).toBe(BigInt(-ERRNO.EFAULT));
    expect(probe(k, 4, 8, mine, { task: me }).ret).toBe(0n);
    // a kernel read of a user address is refused on x86-64
    expect(probe(k, 113, 8, mine, { task: me }).ret).toBe(BigInt(-ERRNO.ERANGE));
  });

  it.each([
    { size: 16, ret: 8, bytes: 'secret!\0' },
    { size: 4, ret: 4, bytes: 'sec\0' },
  ])('probe_read_user_str with size $size returns $ret', ({ size, ret, bytes }) => {
    const k = new Kernel();
    const me = k.tasks.spawn({ pid: 300 });
    const mine = k.tasks.mapUserMemory(me, new TextEncoder().encode('secret!\0'));
    const r = probe(k, 114, size, mine, { task: me });
    expect(r.ret).toBe(BigInt(ret));
    expect(new TextDecoder().decode(r.bytes.subarray(0, bytes.length))).toBe(bytes);
    expect([...r.bytes.subarray(bytes.length, 16)]).toEqual(ff(16 - bytes.length));
  });

  it('probe_read_kernel_str reads a task comm', () => {
    const k = new Kernel();
    const t = k.tasks.spawn({ pid: 88, comm: 'nginx' });
    const r = probe(k, 115, 16, t.address + kernelOffsetOf('task_struct', 'comm'));
    expect(r.ret).toBe(6n);
    expect(new TextDecoder().decode(r.bytes.subarray(0, 6))).toBe('nginx\0');
  });

  it('bpf_probe_write_user writes user memory, warns in the kernel log at load, and refuses the rest', () => {
    const k = new Kernel({ clock: { startNs: 12_500_000_000n } });
    const me = k.tasks.spawn({ pid: 400 });
    const kthread = k.tasks.spawn({ pid: 401, kthread: true });
    const buf = k.tasks.mapUserMemory(me, 8);
    const write = (dst: bigint | number, task: RunOptions['task']): bigint =>
      s64(run(k, `r1 = ${BigInt(dst)} ll\nr2 = r10\nr2 += -8\nr3 = 0x41424344\n*(u64 *)(r10 - 8) = r3\nr3 = 4\ncall 36\nexit`, { task }).r0);
    expect(write(buf, me)).toBe(0n);
    expect(k.memory.readBytes(buf, 4)).toEqual(Uint8Array.of(0x44, 0x43, 0x42, 0x41));
    expect(write(me.address, me)).toBe(BigInt(-ERRNO.EFAULT));
    expect(write(buf, kthread)).toBe(BigInt(-ERRNO.EPERM));
    expect(k.log.read()[0]).toBe('[   12.500000] bpflab[1000] is installing a program with bpf_probe_write_user helper that may corrupt user memory!');
    expect(k.tracePipe().peek()).toEqual([]);
  });
});

describe('maps from programs', () => {
  it('pushes, peeks and pops a queue', () => {
    const k = new Kernel();
    const q = k.bpf.mapCreate({ type: 'QUEUE', name: 'q', keySize: 0, valueSize: 8, maxEntries: 4 });
    if (!q.ok) throw new Error(q.message);
    const { ctx } = run(k, `r6 = r1
r1 = 11
*(u64 *)(r10 - 8) = r1
ld_pseudo r1, 1, ${q.value}
r2 = r10
r2 += -8
r3 = 0
call 87
r1 = 22
*(u64 *)(r10 - 8) = r1
ld_pseudo r1, 1, ${q.value}
r2 = r10
r2 += -8
r3 = 0
call 87
ld_pseudo r1, 1, ${q.value}
r2 = r6
call 89
ld_pseudo r1, 1, ${q.value}
r2 = r6
r2 += 8
call 88
r0 = 0
exit`);
    expect([ctx.getBigUint64(0, true), ctx.getBigUint64(8, true)]).toEqual([11n, 11n]);
    expect(k.bpf.mapLookupAndDeleteElem(q.value, null)).toMatchObject({ ok: true });
  });

  it('outputs, reserves, discards and queries a ring buffer', () => {
    const k = new Kernel();
    const rb = k.bpf.mapCreate({ type: 'RINGBUF', name: 'rb', keySize: 0, valueSize: 0, maxEntries: 4096 });
    if (!rb.ok) throw new Error(rb.message);
    const { r0 } = run(k, `r1 = 0x11223344
*(u64 *)(r10 - 8) = r1
ld_pseudo r1, 1, ${rb.value}
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call 130
if r0 != 0 goto out
ld_pseudo r1, 1, ${rb.value}
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 133
ld_pseudo r1, 1, ${rb.value}
r2 = 0
call 134
out:
exit`);
    expect(r0).toBe(16n + 24n);
    const ring = k.fds.get(rb.value);
    expect(ring?.kind === 'map' && ring.map.kind === 'ringbuf' && ring.map.consume().map((rec) => [...rec.data])).toEqual([[0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0]]);
  });

  it('writes perf event samples to the current CPU event', () => {
    const k = new Kernel({ cpus: 2 });
    const arr = k.bpf.mapCreate({ type: 'PERF_EVENT_ARRAY', name: 'events', keySize: 4, valueSize: 4, maxEntries: 2 });
    if (!arr.ok) throw new Error(arr.message);
    const events = [0, 1].map((cpu) => {
      const e = k.bpf.perfEventOpen({ cpu });
      if (!e.ok) throw new Error(e.message);
      const key = Uint8Array.of(cpu, 0, 0, 0);
      const val = new Uint8Array(4);
      new DataView(val.buffer).setUint32(0, e.value, true);
      expect(k.bpf.mapUpdateElem(arr.value, key, val)).toMatchObject({ ok: true });
      return e.value;
    });
    const r = run(k, `r1 = 0x1234
*(u64 *)(r10 - 8) = r1
r1 = r1
ld_pseudo r2, 1, ${arr.value}
r3 = 0xffffffff ll
r4 = r10
r4 += -8
r5 = 8
call 25
exit`, { cpu: 1 });
    expect(r.r0).toBe(0n);
    const read = (fd: number) => {
      const b = k.bpf.perfEventBuffer(fd);
      return b.ok ? b.value.read() : [];
    };
    expect(read(events[0]!)).toEqual([]);
    expect(read(events[1]!)).toEqual([{ kind: 'sample', cpu: 1, data: Uint8Array.of(0x34, 0x12, 0, 0, 0, 0, 0, 0) }]);
  });
});

describe('bpf_override_return', () => {
  it('is for kprobes only, and reports the value asked for', () => {
    const k = new Kernel();
    const asm = 'r2 = -12\ncall 58\nr0 = 0\nexit';
    const tp = k.bpf.progLoad({ type: 'TRACEPOINT', insns: assembleLlvm(asm), license: 'GPL', name: 'tp' });
    expect(tp).toMatchObject({ ok: false, errno: ERRNO.EINVAL, message: expect.stringMatching(/program of this type cannot use helper bpf_override_return#58/) });
    const kp = k.bpf.progLoad({ type: 'KPROBE', insns: assembleLlvm(asm), license: 'GPL', name: 'kp' });
    if (!kp.ok) throw new Error(kp.message);
    const r = k.bpf.progTestRun(kp.value, { ctx: new Uint8Array(168) });
    expect(r).toMatchObject({ ok: true, value: { overrideReturn: BigInt.asUintN(64, -12n) } });
  });
});

describe('callbacks and tail calls in functions', () => {
  // main (pc 0-7): r0 = bpf_loop(3, callback, ctx, flags); the callback starts at pc 8 with `body`
  const loopAsm = (flags: number, body: string): string => `r6 = r1
r1 = 3
ld_pseudo r2, 4, 5
r3 = r6
r4 = ${flags}
call 181
exit
${body}
exit`;

  it('refuses bpf_loop flags with -EINVAL', () => {
    expect(s64(run(new Kernel(), loopAsm(1, 'r0 = 0')).r0)).toBe(BigInt(-ERRNO.EINVAL));
    expect(run(new Kernel(), loopAsm(0, 'r0 = 0')).r0).toBe(3n);
  });

  it('reports a callback fault with the callback pc', () => {
    expect(() => run(new Kernel(), loopAsm(0, 'r1 = 0\nr0 = *(u64 *)(r1 + 0)'))).toThrow(
      expect.objectContaining({ code: 'run-fault', message: expect.stringMatching(/^program helper_test: pc 6: helper 181 \(bpf_loop\) failed: callback at pc 8: pc 9: read of 8 bytes at 0x0/) }),
    );
  });

  it('refuses a tail call from a BPF-to-BPF subprogram as unsupported', () => {
    const k = new Kernel();
    const arr = k.bpf.mapCreate({ type: 'PROG_ARRAY', name: 'jmp', keySize: 4, valueSize: 4, maxEntries: 1 });
    if (!arr.ok) throw new Error(arr.message);
    const r = k.bpf.progLoad({
      type: 'TRACEPOINT',
      license: 'GPL',
      name: 'sub_tail',
      insns: assembleLlvm(`call sub\nexit\nsub:\nld_pseudo r2, 1, ${arr.value}\nr3 = 0\ncall 12\nr0 = 0\nexit`),
    });
    expect(r).toMatchObject({ ok: false, reason: 'unsupported', feature: 'bpf_tail_call in a subprogram', pc: 5 });
  });
});
