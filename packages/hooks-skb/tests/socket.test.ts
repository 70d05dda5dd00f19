// Socket filters on packet sockets, driven by the XDP plugin's `packet`
// and `send` steps: bytes kept, the __sk_buff they see (VLAN untagging,
// pkt_type, protocol in network order, queue_mapping), SOCK_DGRAM sockets
// starting at the network header, legacy ld_abs loads.
import { createKernelVerifier, HookRegistry, Kernel, type BpfObject, type HookHost } from '@bpflab/kernel';
import { buildPacket, xdpHook, type PacketObservation, type SendObservation } from '@bpflab/hooks-xdp';
import { ERRNO } from '@bpflab/uapi';
import { bytesKept, socketFilterHook, tcHook, type SocketDelivery } from '../src/index';
import { compileC, fixture, haveClang, xdpFixture } from './support/clang';

const CLANG = haveClang('socket.test.ts');
const maybe = CLANG ? describe : describe.skip;

interface Booted {
  readonly kernel: Kernel;
  readonly host: HookHost;
  readonly obj: BpfObject;
}

function boot(): Booted {
  const registry = new HookRegistry().register(xdpHook).register(socketFilterHook).register(tcHook);
  const kernel = new Kernel({ verifier: createKernelVerifier({ registry }) });
  const host = registry.install(kernel);
  const obj = kernel.openObject(compileC(fixture('socket_filter.bpf.c'))!, { name: 'socket_filter.bpf.o' });
  const r = obj.load();
  if (!r.ok) throw new Error(r.message);
  return { kernel, host, obj };
}

function deliveries(o: PacketObservation | SendObservation): readonly SocketDelivery[] {
  const stage = o.stages.find((s) => s.stage === 'packet sockets');
  return (stage?.sockets as readonly SocketDelivery[] | undefined) ?? [];
}

function seen(obj: BpfObject, slot: number): number {
  return Number(obj.map('seen').lookup(slot) as bigint);
}

describe('bytesKept', () => {
  it.each([
    { retval: 0, len: 100, want: 0 },
    { retval: 64, len: 100, want: 64 },
    { retval: 100, len: 100, want: 100 },
    { retval: 1000, len: 100, want: 100 },
    { retval: -1, len: 100, want: 100 },
  ])('returning $retval of $len keeps $want', ({ retval, len, want }) => {
    expect(bytesKept(retval, len)).toBe(want);
  });
});

maybe('socket filters', () => {
  it('are verified with the socket filter context', () => {
    const { obj } = boot();
    for (const p of obj.programs()) expect(p.verification.status).toBe('verified');
  });

  it.each([
    { name: 'UDP', packet: { ipv4: {}, udp: { dport: 53 }, payload: 'q' }, kept: 43 },
    { name: 'TCP', packet: { ipv4: {}, tcp: {} }, kept: 0 },
    { name: 'ARP', packet: { arp: {} }, kept: 0 },
    { name: 'IPv6 UDP', packet: { ipv6: {}, udp: {} }, kept: 0 },
  ])('udp_only keeps $kept bytes of $name', ({ packet, kept }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program('udp_only'), { target: 'eth0' })).toMatchObject({ kind: 'attached', point: 'packet:eth0', hook: 'socket' });
    const r = host.runStep({ packet });
    const o = r.observation as PacketObservation;
    const d = deliveries(o);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ socket: 'packet:eth0', program: 'udp_only', len: buildPacket(packet).length, kept });
    // a socket filter filters what the socket gets, not where the packet goes
    expect(o.fate).toEqual({ kind: 'passed', dev: 'eth0', ifindex: 2 });
    expect(r.text).toContain(`  packet sockets: packet:eth0 (udp_only) ${kept === 0 ? 'filtered it out' : `kept ${kept} of ${kept} bytes`}`);
  });

  it('runs with legacy ld_abs loads from skb->data', () => {
    const { host, obj } = boot();
    host.attach(obj.program('ld_abs'), { target: 'any' });
    const udp = host.runStep({ packet: { ipv4: {}, udp: {}, payload: { size: 30 } } }).observation as PacketObservation;
    expect(deliveries(udp)[0]).toMatchObject({ len: 72, kept: 72 });
    const tcp = host.runStep({ packet: { ipv4: {}, tcp: {}, payload: 'abcdef' } }).observation as PacketObservation;
    expect(deliveries(tcp)[0]).toMatchObject({ len: 60, kept: 54 });
    const arp = host.runStep({ packet: { arp: {} }, dev: 'lo' }).observation as PacketObservation;
    expect(deliveries(arp)[0]).toMatchObject({ socket: 'packet:any', kept: 0 });
    // a packet shorter than the load: the program ends with 0, as Linux's ld_abs does
    const runt = host.runStep({ packet: { raw: 'ff ff ff ff ff ff 02 00 00 00 00 02 08 00 45' } }).observation as PacketObservation;
    expect(deliveries(runt)[0]).toMatchObject({ len: 15, kept: 0 });
  });

  it('hands the packet to a tail-called program using ld_abs', () => {
    const { host, obj } = boot();
    host.attach(obj.program('ld_abs_tail'), { target: 'any' });
    const udp = { packet: { ipv4: {}, udp: {}, payload: { size: 30 } } };
    // an empty slot: the tail call falls through and nothing is kept
    expect(deliveries(host.runStep(udp).observation as PacketObservation)[0]).toMatchObject({ program: 'ld_abs_tail', kept: 0 });
    const key = new Uint8Array(4);
    const fd = new Uint8Array(4);
    new DataView(fd.buffer).setUint32(0, obj.program('ld_abs').fd, true);
    expect(obj.map('jumps').updateElem(key, fd)).toEqual({ ok: true, value: undefined });
    expect(deliveries(host.runStep(udp).observation as PacketObservation)[0]).toMatchObject({ program: 'ld_abs_tail', len: 72, kept: 72 });
    const tcp = host.runStep({ packet: { ipv4: {}, tcp: {}, payload: 'abcdef' } }).observation as PacketObservation;
    expect(deliveries(tcp)[0]).toMatchObject({ len: 60, kept: 54 });
  });

  it.each([
    { name: 'to this host', dst: '02:00:00:00:00:01', pktType: 0 },
    { name: 'broadcast', dst: 'ff:ff:ff:ff:ff:ff', pktType: 1 },
    { name: 'multicast', dst: '01:00:5e:00:00:01', pktType: 2 },
    { name: 'to another host', dst: '02:00:00:00:00:99', pktType: 3 },
  ])('sees pkt_type $pktType for a frame $name', ({ dst, pktType }) => {
    const { host, obj } = boot();
    host.attach(obj.program('fields'), { target: 'eth0' });
    host.runStep({ packet: { eth: { dst }, ipv4: {}, udp: {} } });
    expect(seen(obj, 1)).toBe(pktType);
  });

  it('sees the __sk_buff of a received VLAN frame: the tag taken out, protocol in network order', () => {
    const { host, obj } = boot();
    host.runStep({ network: { interfaces: [{ name: 'eth0', rx_queues: 4 }] } });
    host.attach(obj.program('fields'), { target: 'eth0' });
    const frame = buildPacket({ vlan: { id: 100, pcp: 5 }, ipv4: {}, udp: {}, payload: { size: 58 } });
    const o = host.runStep({ packet: { raw: frame }, rx_queue: 2 }).observation as PacketObservation;
    expect(frame.length).toBe(104);
    expect(deliveries(o)[0]).toMatchObject({ len: 100, kept: 64 });
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 14].map((i) => seen(obj, i))).toEqual([
      100, // len: without the tag
      0, // PACKET_HOST
      0x0008, // htons(ETH_P_IP)
      2, // ifindex
      2, // ingress_ifindex
      1, // vlan_present
      (5 << 13) | 100, // vlan_tci
      3, // queue_mapping: rx queue + 1
      0, // cb[0] starts zeroed
      0x0081, // vlan_proto: htons(ETH_P_8021Q)
    ]);
    expect([seen(obj, 9), seen(obj, 10)]).toEqual([0, 0x02]);
    expect(seen(obj, 11)).toBe(-ERRNO.EFAULT);
    expect([seen(obj, 12), seen(obj, 13)]).toEqual([0, 0x45]);
    // the frame goes on with its tag
    expect(o.frame.hex).toBe(o.received.hex);
  });

  it('starts at the network header on a SOCK_DGRAM socket', () => {
    const { host, obj } = boot();
    expect(host.attach(obj.program('fields'), { target: 'dgram:eth0' })).toMatchObject({ kind: 'attached', point: 'dgram:eth0' });
    const o = host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation;
    expect(deliveries(o)[0]).toMatchObject({ socket: 'dgram:eth0', len: 28 });
    expect([seen(obj, 0), seen(obj, 10), seen(obj, 13)]).toEqual([28, 0x45, 0x45]);
  });

  it('sees sent frames as PACKET_OUTGOING', () => {
    const { host, obj } = boot();
    host.attach(obj.program('fields'), { target: 'any' });
    const o = host.runStep({ send: { ipv4: { src: '10.0.0.1', dst: '10.0.0.2' }, udp: {} }, dev: 'eth0' }).observation as SendObservation;
    expect(o.fate).toEqual({ kind: 'sent', dev: 'eth0', ifindex: 2 });
    expect(deliveries(o)[0]).toMatchObject({ socket: 'packet:any', len: 42, kept: 42 });
    expect([seen(obj, 1), seen(obj, 3), seen(obj, 4)]).toEqual([4, 2, 0]);
  });

  it('delivers to every socket, in attach order, and only on its interface', () => {
    const { host, obj } = boot();
    host.runStep({ network: { interfaces: [{ name: 'eth0' }, { name: 'eth1' }] } });
    host.attach(obj.program('udp_only'), { target: 'eth1' });
    host.attach(obj.program('fields'), { target: 'any' });
    host.attach(obj.program('udp_only'), { target: '2' });
    const on0 = deliveries(host.runStep({ packet: { ipv4: {}, udp: {} }, dev: 'eth0' }).observation as PacketObservation);
    expect(on0.map((d) => `${d.socket}:${d.program}:${d.kept}`)).toEqual(['packet:any:fields:42', 'packet:eth0:udp_only:42']);
    const on1 = deliveries(host.runStep({ packet: { ipv4: {}, tcp: {} }, dev: 'eth1' }).observation as PacketObservation);
    expect(on1.map((d) => `${d.socket}:${d.program}:${d.kept}`)).toEqual(['packet:eth1:udp_only:0', 'packet:any:fields:54']);
    expect(host.summaries().find((s) => s.hook === 'socket')).toEqual({
      hook: 'socket',
      title: 'packets at packet sockets',
      data: { delivered: 3, 'filtered out': 1 },
      text: ['delivered                   3', 'filtered out                1'],
    });
  });

  it('does not run for frames XDP drops', () => {
    const { kernel, host, obj } = boot();
    const xdp = kernel.openObject(compileC(xdpFixture('xdp_helpers.bpf.c'))!, { name: 'xdp.bpf.o' });
    expect(xdp.load()).toEqual({ ok: true });
    xdp.map('config').update(0, 1n); // return_value: XDP_DROP
    host.attach(xdp.program('return_value'), { target: 'eth0' });
    host.attach(obj.program('udp_only'), { target: 'eth0' });
    const o = host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation;
    expect(o.action).toBe('XDP_DROP');
    expect(o.stages).toEqual([]);
  });

  it.each([
    { target: 'eth7', errno: ERRNO.ENODEV, message: 'no interface eth7 to bind the packet socket to (have lo, eth0; or any)' },
    { target: 'dgram:wlan0', errno: ERRNO.ENODEV, message: 'no interface wlan0 to bind the packet socket to (have lo, eth0; or any)' },
  ])('refuses to attach to $target', ({ target, errno, message }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program('udp_only'), { target })).toMatchObject({ kind: 'failed', errno, message });
  });

  it('is not auto-attached: the socket is named', () => {
    const { host, obj } = boot();
    expect(host.attachObject(obj)[0]).toMatchObject({ kind: 'manual', reason: expect.stringContaining('SO_ATTACH_BPF') });
  });
});

maybe('the verifier refuses', () => {
  it.each([
    { program: 'socket_reads_data', log: /invalid bpf_context access off=(76|80) size=4/ },
    { program: 'socket_writes_mark', log: /invalid bpf_context access off=8 size=4/ },
    { program: 'tc_writes_len', log: /invalid bpf_context access off=0 size=4/ },
  ])('$program', ({ program, log }) => {
    const registry = new HookRegistry().register(xdpHook).register(socketFilterHook).register(tcHook);
    const kernel = new Kernel({ verifier: createKernelVerifier({ registry }) });
    registry.install(kernel);
    const obj = kernel.openObject(compileC(fixture('rejected.bpf.c'))!, { name: 'rejected.bpf.o' });
    for (const p of obj.programs()) p.setAutoload(p.name === program);
    const r = obj.load();
    expect(r).toMatchObject({ ok: false, reason: 'verifier', program });
    if (!r.ok) expect(r.message).toMatch(log);
  });
});
