// The seed course's four worked examples, loaded from the toolchain's
// fixtures and run once each with a hand-made context: hello world's trace
// line, syscount's per-CPU counts summed in user space, the XDP firewall's
// verdicts, and the LSM hook's -EPERM for a compromised user.
import { ERRNO, XDP_ACTION } from '@bpflab/uapi';
import { Kernel, type BpfObject } from '../src/index';
import { buildSeed, haveClang } from './support/clang';

const CLANG = haveClang('seed-examples.test.ts');
const maybe = CLANG ? describe : describe.skip;

function open(kernel: Kernel, name: string): BpfObject {
  const obj = kernel.openObject(buildSeed(name)!, { name: `${name}.bpf.o` });
  expect(obj.load()).toEqual({ ok: true });
  return obj;
}

maybe('lab 1: hello world', () => {
  it('prints the seed trace_pipe line', () => {
    // the seed's line: <...>-13197 [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.
    const kernel = new Kernel({ clock: { startNs: 14_391_036_697_000n }, trace: { recordCmd: false } });
    const obj = open(kernel, 'hello');
    const task = kernel.tasks.spawn({ pid: 13197, comm: 'bash' });
    const r = obj.program('hello').run(new Uint8Array(64), { cpu: 0, task });
    expect(r.retval).toBe(0);
    const want = '<...>-13197 [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.';
    expect(r.trace).toHaveLength(1);
    expect(r.trace[0]!.replace(/ +/g, ' ').trim()).toBe(want);
    expect(r.trace[0]).toBe('           <...>-13197   [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.\n');
    // the format's own \n, then the event's: an empty line follows in the raw pipe
    expect(kernel.tracePipe().read()).toBe(`${r.trace[0]}\n`);
    expect(kernel.tracePipe().read()).toBe('');
  });

  it('shows the comm, the CPU and the clock of each run', () => {
    const kernel = new Kernel({ cpus: 4 });
    const obj = open(kernel, 'hello');
    const task = kernel.tasks.spawn({ pid: 4242, comm: 'sh' });
    obj.program('hello').run(new Uint8Array(64), { cpu: 3, task });
    kernel.clock.advance(1_500_000);
    obj.program('hello').run(new Uint8Array(64), { cpu: 1, task });
    expect(kernel.tracePipe().readLines()).toEqual([
      '              sh-4242    [003] d...1     5.000000: bpf_trace_printk: BPF triggered from PID 4242.\n',
      '              sh-4242    [001] d...1     5.001500: bpf_trace_printk: BPF triggered from PID 4242.\n',
    ]);
  });
});

maybe('lab 2: syscount', () => {
  it('counts per CPU and sums over CPUs in user space as the seed does', () => {
    const kernel = new Kernel({ cpus: 2 });
    const obj = open(kernel, 'syscount');
    const prog = obj.program('count_syscalls');
    // struct trace_event_raw_sys_enter: u64 unused; long id; unsigned long args[6]
    const ctx = (id: number): Uint8Array => {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setBigInt64(8, BigInt(id), true);
      return b;
    };
    const runs: readonly (readonly [cpu: number, id: number])[] = [
      [0, 59],
      [0, 59],
      [1, 59],
      [1, 1],
      [0, 1],
      [1, 1],
      [1, 231],
    ];
    for (const [cpu, id] of runs) expect(prog.run(ctx(id), { cpu }).retval).toBe(0);

    // the seed's loop: get_next_key from NULL, lookup the per-CPU values, add them up
    const map = obj.map('syscall_counts');
    const totals = new Map<number, bigint>();
    let key: Uint8Array | null = null;
    for (let next = map.getNextKey(key); next.ok; next = map.getNextKey(key)) {
      const values = map.lookupElem(next.value);
      if (!values.ok) throw new Error(values.message);
      const view = new DataView(values.value.buffer, values.value.byteOffset);
      let total = 0n;
      for (let cpu = 0; cpu < kernel.cpus; cpu++) total += view.getBigUint64(cpu * 8, true);
      totals.set(new DataView(next.value.buffer, next.value.byteOffset).getUint32(0, true), total);
      key = next.value;
    }
    expect(Object.fromEntries(totals)).toEqual({ 59: 3n, 1: 3n, 231: 1n });
    // the typed view agrees, CPU by CPU
    expect(map.lookup(59)).toEqual([2n, 1n]);
    expect(map.lookup(1)).toEqual([1n, 2n]);
    expect(map.lookup(2)).toBeUndefined();
  });
});

maybe('lab 3: XDP firewall', () => {
  /** Ethernet + IPv4 + UDP to `dport`, with `payload` bytes. */
  function udpFrame(dport: number, payload = 8): Uint8Array {
    const b = new Uint8Array(14 + 20 + 8 + payload);
    const v = new DataView(b.buffer);
    b.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
    v.setUint16(12, 0x0800); // ETH_P_IP
    b[14] = 0x45; // version 4, ihl 5
    v.setUint16(16, 20 + 8 + payload);
    b[22] = 64; // ttl
    b[23] = 17; // IPPROTO_UDP
    b.set([10, 0, 0, 2, 10, 0, 0, 1], 26);
    v.setUint16(34, 40000); // source port
    v.setUint16(36, dport);
    v.setUint16(38, 8 + payload);
    return b;
  }

  /** Runs the program on `frame` with an xdp_md whose data/data_end point into a packet region. */
  function runXdp(kernel: Kernel, obj: BpfObject, frame: Uint8Array): number {
    const packet = kernel.memory.allocate({ name: 'packet', kind: 'packet', size: frame.length, init: frame });
    const md = new Uint8Array(24); // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
    const v = new DataView(md.buffer);
    v.setUint32(0, packet.start, true);
    v.setUint32(4, packet.start + packet.size, true);
    v.setUint32(8, packet.start, true);
    v.setUint32(12, 1, true);
    const ctx = kernel.memory.allocate({ name: 'xdp_md', kind: 'ctx', size: md.length, init: md });
    try {
      return obj.program('xdp_firewall').run({ address: ctx.start }).retval;
    } finally {
      kernel.memory.free(ctx);
      kernel.memory.free(packet);
    }
  }

  it.each([
    { name: 'UDP to 11111', frame: udpFrame(11111), want: XDP_ACTION.DROP },
    { name: 'UDP to 53', frame: udpFrame(53), want: XDP_ACTION.PASS },
    { name: 'a truncated frame', frame: udpFrame(11111).subarray(0, 30), want: XDP_ACTION.PASS },
    {
      name: 'TCP to 11111',
      frame: (() => {
        const f = udpFrame(11111);
        f[23] = 6;
        return f;
      })(),
      want: XDP_ACTION.PASS,
    },
  ])('$name: verdict $want', ({ frame, want }) => {
    const kernel = new Kernel();
    const obj = open(kernel, 'xdp_firewall');
    expect(runXdp(kernel, obj, frame)).toBe(want);
  });
});

maybe('lab 4: LSM access control', () => {
  it('denies a compromised uid and allows others', () => {
    const kernel = new Kernel();
    const obj = open(kernel, 'lsm_access');
    const mallory = kernel.tasks.spawn({ pid: 3001, comm: 'cat', uid: 1001, gid: 1001 });
    const alice = kernel.tasks.spawn({ pid: 3002, comm: 'cat', uid: 1000, gid: 1000 });
    obj.map('compromised_users').update(1001, 1);
    // BPF_PROG(restrict_file_open, struct file *file, int ret): ctx is u64 args[2]
    const open2 = new Uint8Array(16);
    new DataView(open2.buffer).setBigUint64(0, 0xffff888000001000n, true);
    const perm3 = new Uint8Array(24);
    expect(obj.program('restrict_file_open').run(open2, { task: mallory }).retval).toBe(-ERRNO.EPERM);
    expect(obj.program('restrict_file_permission').run(perm3, { task: mallory }).retval).toBe(-ERRNO.EPERM);
    expect(obj.program('restrict_file_open').run(open2, { task: alice }).retval).toBe(0);
    // a previous program's verdict is passed on
    const denied = new Uint8Array(16);
    new DataView(denied.buffer).setBigInt64(8, -13n, true);
    expect(obj.program('restrict_file_open').run(denied, { task: alice }).retval).toBe(-13);
    expect(obj.map('compromised_users').keys()).toEqual([1001]);
  });
});
