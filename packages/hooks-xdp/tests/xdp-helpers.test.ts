// The XDP helpers and actions, driven through C programs of this
// package's fixtures: adjust_head/tail/meta at and past their bounds,
// redirects (to interfaces, with bad flags, to nowhere), XDP_TX, illegal
// actions, bpf_fib_lookup as a router, bpf_csum_diff, load/store bytes.
import { ERRNO, FIB_LKUP_RET, XDP_ACTION } from '@bpflab/uapi';
import { HookRegistry, Kernel, type BpfObject, type HookHost, type LoadedProgram } from '@bpflab/kernel';
import {
  buildPacket,
  decodeFrame,
  internetChecksum,
  netStack,
  parseHex,
  runXdp,
  XDP_FRAME_OVERHEAD,
  XDP_MAX_FRAME_LEN,
  XDP_PACKET_HEADROOM,
  XdpError,
  xdpHook,
  type NetworkSpec,
  type PacketInput,
  type XdpObservation,
  type XdpRunOptions,
} from '../src/index';
import { compileC, fixture, haveClang } from './support/clang';

const CLANG = haveClang('xdp-helpers.test.ts');
const maybe = CLANG ? describe : describe.skip;

interface Setup {
  readonly kernel: Kernel;
  readonly host: HookHost;
  readonly obj: BpfObject;
  /** runs a program of the object on one frame */
  readonly xdp: { run(program: LoadedProgram, packet: PacketInput, options?: XdpRunOptions): XdpObservation };
}

function setup(network?: NetworkSpec): Setup {
  const kernel = new Kernel();
  const host = new HookRegistry().register(xdpHook).install(kernel);
  if (network !== undefined) netStack(kernel).setNetwork(network);
  const obj = kernel.openObject(compileC(fixture('xdp_helpers.bpf.c'))!, { name: 'xdp_helpers.bpf.o' });
  const r = obj.load();
  if (!r.ok) throw new Error(r.message);
  return { kernel, host, obj, xdp: { run: (program, packet, options) => runXdp(host, program, packet, options) } };
}

/** The frame an observation shows. */
function bytes(o: XdpObservation): Uint8Array {
  return parseHex(o.frame.hex);
}

function configure(obj: BpfObject, slots: readonly number[]): void {
  slots.forEach((v, i) => obj.map('config').update(i, BigInt(v)));
}

function result(obj: BpfObject, slot: number): number {
  return Number(obj.map('results').lookup(slot) as bigint);
}

/** A 60-byte UDP frame (14 + 20 + 8 + 18 bytes of payload). */
const UDP = { ipv4: {}, udp: { dport: 53 }, payload: 'eighteen bytes...!' } as const;
const UDP_LEN = 60;

maybe('bpf_xdp_adjust_head', () => {
  const s = setup();
  const room = XDP_PACKET_HEADROOM - XDP_FRAME_OVERHEAD;
  it.each([
    { name: 'pull the Ethernet header', delta: 14, want: 0, length: UDP_LEN - 14 },
    { name: 'push 16 bytes', delta: -16, want: 0, length: UDP_LEN + 16 },
    { name: 'push all the headroom after the xdp_frame', delta: -room, want: 0, length: UDP_LEN + room },
    { name: 'one byte into the xdp_frame', delta: -room - 1, want: -ERRNO.EINVAL, length: UDP_LEN },
    { name: 'leave exactly ETH_HLEN bytes', delta: UDP_LEN - 14, want: 0, length: 14 },
    { name: 'leave 13 bytes', delta: UDP_LEN - 13, want: -ERRNO.EINVAL, length: UDP_LEN },
    { name: 'past the end', delta: 4096, want: -ERRNO.EINVAL, length: UDP_LEN },
  ])('$name: delta $delta returns $want', ({ delta, want, length }) => {
    configure(s.obj, [delta]);
    const o = s.xdp.run(s.obj.program('adjust_head').loaded, UDP);
    expect(result(s.obj, 0)).toBe(want);
    expect(o.action).toBe('XDP_PASS');
    expect(o.frame.length).toBe(length);
    const original = buildPacket(UDP);
    if (delta > 0 && want === 0) expect(bytes(o)).toEqual(original.subarray(delta));
    if (delta < 0 && want === 0) {
      // the pushed bytes are the (zeroed) headroom, the frame follows unchanged
      expect(bytes(o).subarray(-delta)).toEqual(original);
      expect(bytes(o).subarray(0, -delta).every((b) => b === 0)).toBe(true);
    }
  });
});

maybe('bpf_xdp_adjust_tail', () => {
  const s = setup();
  const tailroom = XDP_MAX_FRAME_LEN - UDP_LEN;
  it.each([
    { name: 'trim the payload', delta: -18, want: 0, length: 42 },
    { name: 'grow by 100', delta: 100, want: 0, length: UDP_LEN + 100 },
    { name: 'grow to the end of the tailroom', delta: tailroom, want: 0, length: XDP_MAX_FRAME_LEN },
    { name: 'grow into skb_shared_info', delta: tailroom + 1, want: -ERRNO.EINVAL, length: UDP_LEN },
    { name: 'shrink to ETH_HLEN', delta: 14 - UDP_LEN, want: 0, length: 14 },
    { name: 'shrink below ETH_HLEN', delta: 13 - UDP_LEN, want: -ERRNO.EINVAL, length: UDP_LEN },
  ])('$name: delta $delta returns $want', ({ delta, want, length }) => {
    configure(s.obj, [delta]);
    const o = s.xdp.run(s.obj.program('adjust_tail').loaded, UDP);
    expect(result(s.obj, 0)).toBe(want);
    expect(o.frame.length).toBe(length);
    if (delta > 0 && want === 0) expect(bytes(o).subarray(UDP_LEN).every((b) => b === 0)).toBe(true);
  });

  it('zeroes grown bytes even where an earlier frame left data', () => {
    configure(s.obj, [-18]);
    s.xdp.run(s.obj.program('adjust_tail').loaded, { ipv4: {}, udp: {}, payload: { size: 1000, fill: 0xaa } });
    configure(s.obj, [500]);
    const o = s.xdp.run(s.obj.program('adjust_tail').loaded, UDP);
    expect(bytes(o).subarray(UDP_LEN).every((b) => b === 0)).toBe(true);
  });
});

maybe('bpf_xdp_adjust_meta', () => {
  const s = setup();
  const room = XDP_PACKET_HEADROOM - XDP_FRAME_OVERHEAD;
  it.each([
    { name: '4 bytes', delta: -4, want: 0, meta: 'c0 ff ee 01' },
    { name: '8 bytes', delta: -8, want: 0, meta: 'c0 ff ee 01 00 00 00 00' },
    { name: 'all the room after the xdp_frame', delta: -room, want: 0, meta: `c0 ff ee 01${' 00'.repeat(room - 4)}` },
    { name: 'into the xdp_frame', delta: -room - 4, want: -ERRNO.EINVAL, meta: '' },
    { name: 'a length that is not a multiple of 4', delta: -6, want: -ERRNO.EACCES, meta: '' },
    { name: 'past data', delta: 4, want: -ERRNO.EINVAL, meta: '' },
    { name: 'nothing', delta: 0, want: 0, meta: '' },
  ])('$name: delta $delta returns $want', ({ delta, want, meta }) => {
    configure(s.obj, [delta, 0]);
    const o = s.xdp.run(s.obj.program('adjust_meta').loaded, UDP);
    expect(result(s.obj, 0)).toBe(want);
    expect(o.metadata).toBe(meta);
    expect(o.frame.length).toBe(UDP_LEN);
  });

  it('moves the metadata with data when the head is adjusted', () => {
    configure(s.obj, [-8, 14]);
    const o = s.xdp.run(s.obj.program('adjust_meta').loaded, UDP);
    expect(result(s.obj, 1)).toBe(0);
    expect(o.metadata).toBe('c0 ff ee 01 00 00 00 00');
    expect(o.frame.length).toBe(UDP_LEN - 14);
  });

  it('leaves no room for adjust_head to push over metadata', () => {
    // with 8 bytes of metadata, the head may move back by at most room - 8
    configure(s.obj, [-8, -(room - 8) - 1]);
    expect(s.xdp.run(s.obj.program('adjust_meta').loaded, UDP).frame.length).toBe(UDP_LEN);
    expect(result(s.obj, 1)).toBe(-ERRNO.EINVAL);
    configure(s.obj, [-8, -(room - 8)]);
    expect(s.xdp.run(s.obj.program('adjust_meta').loaded, UDP).frame.length).toBe(UDP_LEN + room - 8);
    expect(result(s.obj, 1)).toBe(0);
  });
});

maybe('redirects and XDP_TX', () => {
  const network: NetworkSpec = { interfaces: [{ name: 'eth0' }, { name: 'eth1', mtu: 100 }] };
  const s = setup(network);

  it.each([
    { name: 'to eth1', ifindex: 3, flags: 0, action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'eth1', ifindex: 3 } },
    { name: 'back to eth0', ifindex: 2, flags: 0, action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'eth0', ifindex: 2 } },
    { name: 'to lo', ifindex: 1, flags: 0, action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'lo', ifindex: 1 } },
    { name: 'to a missing interface', ifindex: 9, flags: 0, action: 'XDP_REDIRECT', fate: { kind: 'redirect-failed', errno: ERRNO.EINVAL } },
    { name: 'with flags', ifindex: 3, flags: 1, action: 'XDP_ABORTED', fate: { kind: 'aborted' } },
  ])('bpf_redirect $name', ({ ifindex, flags, action, fate }) => {
    configure(s.obj, [0, ifindex, flags, 0]);
    const o = s.xdp.run(s.obj.program('redirect').loaded, UDP, { dev: 'eth0' });
    expect(o.action).toBe(action);
    expect(o.fate).toMatchObject(fate);
    if (fate.kind === 'redirect-failed') expect(o.warnings[0]).toMatch(/^XDP_REDIRECT failed: no interface with ifindex 9/);
  });

  it('drops a redirected frame larger than the target MTU', () => {
    configure(s.obj, [0, 3, 0, 0]);
    const o = s.xdp.run(s.obj.program('redirect').loaded, { ipv4: {}, udp: {}, payload: { size: 100 } });
    expect(o.fate).toMatchObject({ kind: 'redirect-failed', errno: ERRNO.EMSGSIZE });
  });

  it('fails XDP_REDIRECT without a target, and consumes a target once', () => {
    configure(s.obj, [XDP_ACTION.REDIRECT]);
    const none = s.xdp.run(s.obj.program('return_value').loaded, UDP);
    expect(none.fate).toMatchObject({ kind: 'redirect-failed', errno: ERRNO.EBADRQC });
    configure(s.obj, [0, 3, 0, 0]);
    expect(s.xdp.run(s.obj.program('redirect').loaded, UDP).fate.kind).toBe('redirected');
    configure(s.obj, [XDP_ACTION.REDIRECT]);
    expect(s.xdp.run(s.obj.program('return_value').loaded, UDP).fate.kind).toBe('redirect-failed');
  });

  it('does not carry a target from one frame to the next (each frame has its own NAPI poll)', () => {
    configure(s.obj, [XDP_ACTION.PASS, 3, 0, 1]);
    // bpf_redirect, then XDP_PASS: the target is forgotten with the poll
    expect(s.xdp.run(s.obj.program('redirect').loaded, UDP, { cpu: 0 }).action).toBe('XDP_PASS');
    expect(result(s.obj, 0)).toBe(XDP_ACTION.REDIRECT);
    configure(s.obj, [XDP_ACTION.REDIRECT]);
    expect(s.xdp.run(s.obj.program('return_value').loaded, UDP, { cpu: 0 }).fate.kind).toBe('redirect-failed');
  });

  it('XDP_TX sends the rewritten frame back out of the receiving interface', () => {
    const o = s.xdp.run(s.obj.program('tx_swap').loaded, UDP, { dev: 'eth1' });
    expect(o.action).toBe('XDP_TX');
    expect(o.action_value).toBe(XDP_ACTION.TX);
    expect(o.fate).toEqual({ kind: 'transmitted', dev: 'eth1', ifindex: 3, by: 'xdp' });
    expect(o.frame.summary).toMatch(/^02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4/);
  });
});

maybe('illegal actions', () => {
  it.each([
    { value: 5, retval: 5 },
    { value: 1000, retval: 1000 },
    { value: -1, retval: 0xffffffff },
  ])('return $value is treated as XDP_ABORTED with a warning', ({ value, retval }) => {
    const s = setup();
    configure(s.obj, [value]);
    const o = s.xdp.run(s.obj.program('return_value').loaded, UDP);
    expect(o.retval).toBe(retval);
    expect(o.action).toBe('XDP_ABORTED');
    expect(o.action_value).toBe(XDP_ACTION.ABORTED);
    expect(o.fate).toEqual({ kind: 'aborted', by: 'xdp' });
    expect(o.warnings).toEqual([
      `return_value returned invalid action ${retval} (the actions are XDP_ABORTED 0 to XDP_REDIRECT 4): the driver treats it as XDP_ABORTED and drops the frame`,
    ]);
    expect(s.kernel.log.read().join('\n')).toContain(
      `Illegal XDP return value ${retval} on prog return_value (id ${s.obj.program('return_value').id}) dev eth0, expect packet loss!`,
    );
  });

  it('prints the kernel warning once, warns in every observation', () => {
    const s = setup();
    configure(s.obj, [7]);
    const a = s.xdp.run(s.obj.program('return_value').loaded, UDP);
    const b = s.xdp.run(s.obj.program('return_value').loaded, UDP);
    expect(a.warnings).toHaveLength(1);
    expect(b.warnings).toHaveLength(1);
    expect(s.kernel.log.read().filter((l) => l.includes('Illegal XDP return value'))).toHaveLength(1);
  });

  it.each([
    { value: XDP_ACTION.ABORTED, action: 'XDP_ABORTED', fate: 'aborted' },
    { value: XDP_ACTION.DROP, action: 'XDP_DROP', fate: 'dropped' },
    { value: XDP_ACTION.PASS, action: 'XDP_PASS', fate: 'passed' },
    { value: XDP_ACTION.TX, action: 'XDP_TX', fate: 'transmitted' },
  ])('return $value is $action', ({ value, action, fate }) => {
    const s = setup();
    configure(s.obj, [value]);
    const o = s.xdp.run(s.obj.program('return_value').loaded, UDP);
    expect(o.action).toBe(action);
    expect(o.fate.kind).toBe(fate);
    expect(o.warnings).toEqual([]);
  });
});

maybe('bpf_fib_lookup', () => {
  const network: NetworkSpec = {
    interfaces: [
      { name: 'eth0', addresses: ['10.0.0.1/24'] },
      { name: 'eth1', addresses: ['192.168.1.1/24'], mac: '02:00:00:00:01:01', mtu: 1400 },
    ],
    routes: [
      { dst: '172.16.0.0/12', via: '192.168.1.254', dev: 'eth1' },
      { dst: '203.0.113.0/24', type: 'blackhole' },
      { dst: '198.51.100.0/24', type: 'unreachable' },
    ],
    neighbors: [
      { ip: '192.168.1.254', mac: '02:00:00:00:01:fe', dev: 'eth1' },
      { ip: '192.168.1.7', mac: '02:00:00:00:01:07', dev: 'eth1' },
    ],
  };
  const s = setup(network);

  it.each([
    { name: 'on-link neighbour', dst: '192.168.1.7', rc: FIB_LKUP_RET.SUCCESS, ifindex: 3, dmac: '02:00:00:00:01:07' },
    { name: 'through the gateway', dst: '172.16.5.5', rc: FIB_LKUP_RET.SUCCESS, ifindex: 3, dmac: '02:00:00:00:01:fe' },
    { name: 'no neighbour entry', dst: '192.168.1.8', rc: FIB_LKUP_RET.NO_NEIGH, ifindex: 3 },
    { name: 'a local address', dst: '192.168.1.1', rc: FIB_LKUP_RET.NOT_FWDED, ifindex: 2 },
    { name: 'no route', dst: '8.8.8.8', rc: FIB_LKUP_RET.NOT_FWDED, ifindex: 2 },
    { name: 'a blackhole', dst: '203.0.113.9', rc: FIB_LKUP_RET.BLACKHOLE, ifindex: 2 },
    { name: 'unreachable', dst: '198.51.100.9', rc: FIB_LKUP_RET.UNREACHABLE, ifindex: 2 },
  ])('$name ($dst): $rc', ({ dst, rc, ifindex, dmac }) => {
    configure(s.obj, [0, 0, 0]);
    const o = s.xdp.run(s.obj.program('router').loaded, { ipv4: { dst, ttl: 9 }, udp: {} }, { dev: 'eth0' });
    expect(result(s.obj, 0)).toBe(rc);
    expect(result(s.obj, 1)).toBe(ifindex);
    if (rc === FIB_LKUP_RET.SUCCESS) {
      expect(o.fate).toEqual({ kind: 'redirected', dev: 'eth1', ifindex: 3, by: 'xdp' });
      expect(result(s.obj, 2)).toBe(1400);
      const layers = decodeFrame(bytes(o)).layers;
      expect(layers[0]).toMatchObject({ kind: 'eth', src: '02:00:00:00:01:01', dst: dmac });
      // the TTL went down by one and the incrementally updated checksum still verifies
      expect(layers[1]).toMatchObject({ kind: 'ipv4', ttl: 8, checksumOk: true });
      expect(o.frame.checksums_ok).toBe(true);
    } else {
      expect(o.action).toBe('XDP_PASS');
    }
  });

  it('reports FRAG_NEEDED with the MTU for a packet larger than the route MTU', () => {
    configure(s.obj, [0, 0, 0]);
    s.xdp.run(s.obj.program('router').loaded, { ipv4: { dst: '192.168.1.7' }, udp: {}, payload: { size: 1400 } }, { dev: 'eth0' });
    expect(result(s.obj, 0)).toBe(FIB_LKUP_RET.FRAG_NEEDED);
    expect(result(s.obj, 2)).toBe(1400);
  });

  it('answers FWD_DISABLED when the host does not forward', () => {
    const t = setup({ ...network, forwarding: false });
    configure(t.obj, [0, 0, 0]);
    t.xdp.run(t.obj.program('router').loaded, { ipv4: { dst: '192.168.1.7' }, udp: {} }, { dev: 'eth0' });
    expect(result(t.obj, 0)).toBe(FIB_LKUP_RET.FWD_DISABLED);
  });

  it('refuses unknown flags with -EINVAL and skips the neighbour with SKIP_NEIGH', () => {
    configure(s.obj, [0, 0, 1 << 10]);
    s.xdp.run(s.obj.program('router').loaded, { ipv4: { dst: '192.168.1.7' }, udp: {} });
    expect(result(s.obj, 0)).toBe(-ERRNO.EINVAL);
    configure(s.obj, [0, 0, 1 << 2]);
    s.xdp.run(s.obj.program('router').loaded, { ipv4: { dst: '192.168.1.8' }, udp: {} });
    expect(result(s.obj, 0)).toBe(FIB_LKUP_RET.SUCCESS);
  });
});

maybe('bpf_csum_diff', () => {
  const s = setup();
  it.each([
    { name: 'defaults', ipv4: {} },
    { name: 'another header', ipv4: { src: '192.168.0.1', dst: '192.168.0.199', ttl: 64, df: true, id: 0x1c46 } },
    { name: 'a high TTL and TOS', ipv4: { src: '255.255.255.254', dst: '1.2.3.4', ttl: 255, tos: 0xb8 } },
  ])('computes the IPv4 header checksum ($name)', ({ ipv4 }) => {
    const frame = buildPacket({ ipv4, udp: {} });
    s.xdp.run(s.obj.program('csum').loaded, frame);
    const header = Uint8Array.from(frame.subarray(14, 34));
    header[10] = 0;
    header[11] = 0;
    // the program's result is in the byte order of the loaded word: swap to compare
    const got = result(s.obj, 0);
    const swapped = ((got & 0xff) << 8) | (got >> 8);
    expect(swapped).toBe(internetChecksum(header));
    expect(result(s.obj, 1)).toBeGreaterThanOrEqual(0);
    expect(result(s.obj, 1)).toBeLessThanOrEqual(0xffff);
    expect(result(s.obj, 2)).toBe(-ERRNO.EINVAL);
  });
});

maybe('bpf_xdp_load_bytes, bpf_xdp_store_bytes, bpf_xdp_get_buff_len', () => {
  const s = setup();
  it.each([
    { name: 'the EtherType', offset: 12, rc: 0, value: 0x0800 },
    { name: 'the last two bytes', offset: UDP_LEN - 2, rc: 0, value: 0x2e21 },
    { name: 'one byte past the end', offset: UDP_LEN - 1, rc: -ERRNO.EINVAL, value: 0 },
    { name: 'an offset above 0xffff', offset: 0x10000, rc: -ERRNO.EFAULT, value: 0 },
  ])('loads $name', ({ offset, rc, value }) => {
    configure(s.obj, [0x42, offset]);
    const o = s.xdp.run(s.obj.program('load_store').loaded, UDP);
    expect(result(s.obj, 1)).toBe(rc);
    expect(result(s.obj, 0)).toBe(value);
    expect(result(s.obj, 2)).toBe(0);
    expect(result(s.obj, 3)).toBe(UDP_LEN);
    expect(bytes(o)[0]).toBe(0x42);
  });
});

maybe('running programs', () => {
  it('refuses programs of other types, frames larger than one XDP buffer, unknown interfaces and queues', () => {
    const s = setup();
    const xdpProgram = s.obj.program('tx_swap').loaded;
    const fake = { ...xdpProgram, typeDef: { ...xdpProgram.typeDef, name: 'KPROBE' }, describe: () => 'prog k' } as unknown as LoadedProgram;
    expect(() => s.xdp.run(fake, UDP)).toThrow(new XdpError('bad-call', 'prog k is a KPROBE program, not XDP'));
    expect(() => s.xdp.run(xdpProgram, new Uint8Array(XDP_MAX_FRAME_LEN + 1))).toThrow(/does not fit one XDP buffer: at most 3520 bytes/);
    expect(() => s.xdp.run(xdpProgram, UDP, { dev: 'eth7' })).toThrow(/no interface named 'eth7' \(have lo \(1\), eth0 \(2\)\)/);
    expect(() => s.xdp.run(xdpProgram, UDP, { rx_queue: 1 })).toThrow(/rx queue 1 does not exist on eth0/);
    expect(() => s.xdp.run(xdpProgram, UDP, { cpu: 2 })).toThrow(/cpu 2 is not one of the machine's 2 CPUs/);
  });

  it('frees the buffer of every frame', () => {
    const s = setup();
    const before = s.kernel.memory.regions().length;
    for (let i = 0; i < 20; i++) s.xdp.run(s.obj.program('tx_swap').loaded, UDP);
    expect(s.kernel.memory.regions().length).toBe(before);
  });
});
