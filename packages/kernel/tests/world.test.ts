// The world helpers read: the trace pipe's line format and options, the
// clock, tasks and their task_struct in memory, kconfig values, kallsyms,
// and typed map values.
import { createBtf } from '@bpflab/btf';
import type { ExternSpec } from '@bpflab/object';
import { ERRNO } from '@bpflab/uapi';
import {
  btfCodec,
  Clock,
  formatLatencyFlags,
  initialJiffies,
  Kallsyms,
  Kernel,
  kernelOffsetOf,
  PROCESS_TRACE_CONTEXT,
  resolveKconfig,
  sizeCodec,
  TracePipe,
  type TraceEntry,
} from '../src/index';

const entry = (over: Partial<TraceEntry> = {}): TraceEntry => ({
  pid: 13197,
  tgid: 13190,
  comm: 'bash',
  cpu: 0,
  timestampNs: 14_391_036_697_400n,
  flags: 'd...1',
  event: 'bpf_trace_printk',
  message: 'BPF triggered from PID 13197.',
  ...over,
});

describe('trace pipe', () => {
  it.each([
    { name: 'the default format', options: {}, e: entry(), want: '            bash-13197   [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.' },
    { name: 'record-cmd off', options: { recordCmd: false }, e: entry(), want: '           <...>-13197   [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.' },
    { name: 'record-tgid on', options: { recordTgid: true }, e: entry({ cpu: 12 }), want: '            bash-13197   (  13190) [012] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.' },
    { name: 'irq-info off', options: { irqInfo: false }, e: entry(), want: '            bash-13197   [000]  14391.036697: bpf_trace_printk: BPF triggered from PID 13197.' },
    { name: 'the idle task', options: {}, e: entry({ pid: 0, comm: 'swapper/0' }), want: '          <idle>-0       [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.' },
    { name: 'a long comm and a big pid', options: {}, e: entry({ pid: 4194303, comm: 'systemd-journal', timestampNs: 3_000_000n }), want: ' systemd-journal-4194303 [000] d...1     0.003000: bpf_trace_printk: BPF triggered from PID 13197.' },
    { name: 'microseconds rounded', options: {}, e: entry({ timestampNs: 1_999_999_600n }), want: '            bash-13197   [000] d...1     2.000000: bpf_trace_printk: BPF triggered from PID 13197.' },
  ])('$name', ({ options, e, want }) => {
    expect(new TracePipe(options).format(e)).toBe(want);
  });

  it.each([
    { name: 'process context', c: PROCESS_TRACE_CONTEXT, want: 'd...1' },
    { name: 'softirq, preempt 2', c: { ...PROCESS_TRACE_CONTEXT, softirq: true, preemptDepth: 2, migrateDisable: 0 }, want: 'd.s2.' },
    { name: 'hardirq and softirq, need resched', c: { ...PROCESS_TRACE_CONTEXT, hardirq: true, softirq: true, needResched: true, preemptResched: true }, want: 'dNH.1' },
    { name: 'nmi in hardirq', c: { ...PROCESS_TRACE_CONTEXT, irqsOff: false, bhOff: true, nmi: true, hardirq: true }, want: 'b.Z.1' },
    { name: 'irqs and bh off, depth 11', c: { ...PROCESS_TRACE_CONTEXT, bhOff: true, preemptDepth: 11, needResched: true }, want: 'Dn.b1' },
  ])('latency flags: $name → $want', ({ c, want }) => {
    expect(formatLatencyFlags(c)).toBe(want);
  });

  it('consumes on read, keeps on peek, overwrites the oldest when full', () => {
    const pipe = new TracePipe({ capacity: 2 });
    for (const m of ['a', 'b\n', 'c']) pipe.write(entry({ message: m }));
    expect(pipe.overwritten).toBe(1);
    expect(pipe.peek().map((e) => e.message)).toEqual(['b\n', 'c']);
    expect(pipe.read()).toBe(`${pipe.format(entry({ message: 'b\n' }))}\n${pipe.format(entry({ message: 'c' }))}\n`);
    expect(pipe.readLines()).toEqual([]);
    pipe.write(entry());
    pipe.clear();
    expect(pipe.peek()).toEqual([]);
    expect(pipe.written).toBe(4);
  });
});

describe('clock', () => {
  it('keeps monotonic, boot, coarse time and jiffies', () => {
    const c = new Clock({ startNs: 0n, hz: 100 });
    expect(c.jiffies()).toBe(initialJiffies(100));
    expect(initialJiffies(100)).toBe(4294937296n);
    c.advance(25_000_001);
    c.suspend(1000n);
    expect([c.now(), c.boot(), c.coarse(), c.jiffies() - initialJiffies(100)]).toEqual([25_000_001n, 25_001_001n, 20_000_000n, 2n]);
    expect(() => c.set(1n)).toThrow(expect.objectContaining({ code: 'bad-call' }));
    expect(() => c.advance(-1)).toThrow(expect.objectContaining({ code: 'bad-call' }));
  });
});

describe('tasks', () => {
  it('mirror identity and credentials into task_struct and cred', () => {
    const k = new Kernel();
    const parent = k.tasks.spawn({ pid: 10, comm: 'init-ish' });
    const t = k.tasks.spawn({ pid: 11, ppid: 10, comm: 'a-very-long-command-name', uid: 1000, gid: 100, euid: 0 });
    const v = k.memory.view();
    const at = (path: string): number => t.address + kernelOffsetOf('task_struct', path);
    expect(v.getInt32(at('pid'), true)).toBe(11);
    expect(v.getInt32(at('tgid'), true)).toBe(11);
    expect(Number(v.getBigUint64(at('real_parent'), true))).toBe(parent.address);
    expect(t.comm).toBe('a-very-long-com');
    expect(new TextDecoder().decode(t.commBytes())).toBe('a-very-long-com\0');
    const cred = Number(v.getBigUint64(at('cred'), true));
    expect(cred).toBe(t.credAddress);
    expect(v.getUint32(cred + kernelOffsetOf('cred', 'uid'), true)).toBe(1000);
    expect(v.getUint32(cred + kernelOffsetOf('cred', 'euid'), true)).toBe(0);
    t.setCredentials({ uid: 0, gid: 0 });
    expect(v.getUint32(cred + kernelOffsetOf('cred', 'uid'), true)).toBe(0);
    k.tasks.mapUserMemory(t, 4);
    expect(() => k.tasks.spawn({ pid: 11 })).toThrow(/pid 11 is already in use/);
    expect(() => k.tasks.spawn({ pid: 12, tgid: 99 })).toThrow(/leader 99 does not exist/);
    expect(() => k.tasks.mapUserMemory(k.tasks.require(0), 4)).toThrow(/kernel thread/);
  });

  it('records the CPU a task last ran on', () => {
    const k = new Kernel({ cpus: 3 });
    const t = k.tasks.spawn({ pid: 70 });
    const p = k.bpf.progLoad({ type: 'TRACEPOINT', insns: [{ kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 0 } }, { kind: 'exit' }], license: 'GPL' });
    if (!p.ok) throw new Error(p.message);
    k.bpf.progTestRun(p.value, { cpu: 2, task: t });
    expect(k.memory.view().getUint32(t.address + kernelOffsetOf('task_struct', 'thread_info.cpu'), true)).toBe(2);
    expect(k.bpf.progTestRun(p.value, { cpu: 3 })).toMatchObject({ ok: false, errno: ERRNO.ENXIO });
    expect(() => k.run(k.loadedPrograms()[0]!, 0, { cpu: 3 })).toThrow(/cpu 3 is not one of the 3 CPUs/);
  });
});

describe('kconfig', () => {
  const ext = (name: string, valueKind: 'bool' | 'char' | 'int' | 'tristate' | 'char_array', offset: number, size: number, signed = false, weak = false): ExternSpec => ({
    kind: 'kconfig',
    name,
    weak,
    btfId: 1,
    valueKind,
    signed,
    offset,
    size,
    align: 1,
  });

  it.each([
    { name: 'y bool', e: ext('CONFIG_A', 'bool', 0, 1), value: 'y', bytes: [1] },
    { name: 'n tristate', e: ext('CONFIG_A', 'tristate', 0, 4), value: 'n', bytes: [0, 0, 0, 0] },
    { name: 'm tristate', e: ext('CONFIG_A', 'tristate', 0, 4), value: 'm', bytes: [2, 0, 0, 0] },
    { name: 'm char', e: ext('CONFIG_A', 'char', 0, 1), value: 'm', bytes: [0x6d] },
    { name: 'hex int', e: ext('CONFIG_A', 'int', 0, 2), value: '0x1f4', bytes: [0xf4, 0x01] },
    { name: 'negative int', e: ext('CONFIG_A', 'int', 0, 2, true), value: '-2', bytes: [0xfe, 0xff] },
    { name: 'string', e: ext('CONFIG_A', 'char_array', 0, 4), value: '"abcdef"', bytes: [0x61, 0x62, 0x63, 0] },
  ])('$name', ({ e, value, bytes }) => {
    const r = resolveKconfig(bytes.length, [e], { CONFIG_A: value }, { kernelVersion: 0, hasBpfCookie: true, hasSyscallWrapper: true });
    expect(r).toEqual({ ok: true, value: Uint8Array.from(bytes) });
  });

  it.each([
    { name: 'm for a bool', e: ext('CONFIG_A', 'bool', 0, 1), config: { CONFIG_A: 'm' }, errno: ERRNO.EINVAL, message: "extern (kcfg) 'CONFIG_A': value 'm' implies tristate or char type" },
    { name: 'y for an int', e: ext('CONFIG_A', 'int', 0, 4), config: { CONFIG_A: 'y' }, errno: ERRNO.EINVAL, message: "extern (kcfg) 'CONFIG_A': value 'y' implies bool, tristate, or char type" },
    { name: 'too big', e: ext('CONFIG_A', 'int', 0, 1), config: { CONFIG_A: '300' }, errno: ERRNO.ERANGE, message: "extern (kcfg) 'CONFIG_A': value '300' doesn't fit in 1 bytes" },
    { name: 'a string for an int', e: ext('CONFIG_A', 'int', 0, 4), config: { CONFIG_A: '"x"' }, errno: ERRNO.EINVAL, message: "extern (kcfg) 'CONFIG_A': value '\"x\"' implies char array type" },
    { name: 'a missing strong one', e: ext('CONFIG_B', 'int', 0, 4), config: {}, errno: ERRNO.ESRCH, message: "extern 'CONFIG_B' (strong): not resolved" },
    { name: 'an unknown virtual', e: ext('LINUX_NOPE', 'int', 0, 4), config: {}, errno: ERRNO.EINVAL, message: "extern (kcfg) 'LINUX_NOPE': unrecognized virtual extern" },
  ])('refuses $name', ({ e, config, errno, message }) => {
    expect(resolveKconfig(4, [e], config as Readonly<Record<string, string>>, { kernelVersion: 0, hasBpfCookie: true, hasSyscallWrapper: true })).toEqual({ ok: false, errno, message });
  });

  it('fills the virtual LINUX_ externs and leaves weak missing ones at 0', () => {
    const r = resolveKconfig(
      12,
      [ext('LINUX_KERNEL_VERSION', 'int', 0, 4), ext('LINUX_HAS_BPF_COOKIE', 'bool', 4, 1), ext('CONFIG_MAYBE', 'int', 8, 4, false, true)],
      {},
      { kernelVersion: 0x061200, hasBpfCookie: true, hasSyscallWrapper: true },
    );
    expect(r).toEqual({ ok: true, value: Uint8Array.from([0x00, 0x12, 0x06, 0, 1, 0, 0, 0, 0, 0, 0, 0]) });
  });
});

describe('kallsyms', () => {
  it('finds the symbol containing an address; names may repeat', () => {
    const s = new Kallsyms();
    s.add({ name: 'f', address: 0x1000, size: 0x10, type: 't' });
    s.add({ name: 'f', address: 0x2000, size: 0x10, type: 't' });
    expect(s.symbolAt(0x100fn)?.address).toBe(0x1000n);
    expect(s.symbolAt(0x1010n)).toBeUndefined();
    expect(s.lookup('f')?.address).toBe(0x1000n);
    s.remove(0x1000);
    expect(s.lookup('f')?.address).toBe(0x2000n);
    expect(() => s.add({ name: 'g', address: 0x2000, size: 1 })).toThrow(/already has symbol f/);
  });
});

describe('typed values', () => {
  it('decode and encode structs with bitfields, arrays, strings and enums', () => {
    const btf = createBtf([
      { kind: 'int', name: 'unsigned int', size: 4, encoding: 'none', offset: 0, bits: 32 },
      { kind: 'int', name: 'char', size: 1, encoding: 'signed', offset: 0, bits: 8 },
      { kind: 'array', name: '', type: 2, indexType: 1, length: 8 },
      { kind: 'int', name: 'long long', size: 8, encoding: 'signed', offset: 0, bits: 64 },
      { kind: 'enum', name: 'color', size: 4, signed: false, values: [{ name: 'RED', value: 0 }] },
      { kind: 'array', name: '', type: 1, indexType: 1, length: 2 },
      { kind: 'int', name: '_Bool', size: 1, encoding: 'bool', offset: 0, bits: 8 },
      {
        kind: 'struct',
        name: 'rec',
        size: 40,
        members: [
          { name: 'low', type: 1, bitOffset: 0, bitSize: 3 },
          { name: 'high', type: 1, bitOffset: 3, bitSize: 5 },
          { name: 'name', type: 3, bitOffset: 32, bitSize: 0 },
          { name: 'big', type: 4, bitOffset: 128, bitSize: 0 },
          { name: 'color', type: 5, bitOffset: 192, bitSize: 0 },
          { name: 'pair', type: 6, bitOffset: 224, bitSize: 0 },
          { name: 'ok', type: 7, bitOffset: 288, bitSize: 0 },
        ],
      },
    ]);
    const c = btfCodec(btf, 8);
    const value = { low: 5, high: 17, name: 'abc', big: -3n, color: 0, pair: [1, 2], ok: true };
    const bytes = c.encode(value);
    expect(bytes).toHaveLength(40);
    expect(bytes[0]).toBe(5 | (17 << 3));
    expect(c.decode(bytes)).toEqual(value);
    expect(() => c.encode({ nope: 1 })).toThrow(/it has no member nope/);
    expect(() => c.encode({ low: 8 })).toThrow(/bitfield low \(3 bits\) cannot hold 8/);
    expect(() => btfCodec(btf, 3).encode('123456789')).toThrow(/the array holds 8/);
  });

  it('fall back to unsigned integers of the size, or raw bytes', () => {
    expect(sizeCodec(4).decode(Uint8Array.of(1, 0, 0, 0))).toBe(1);
    expect(sizeCodec(8).encode(5)).toEqual(Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0));
    expect(sizeCodec(3).decode(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(() => sizeCodec(4).encode(-1)).toThrow(/out of range/);
  });
});
