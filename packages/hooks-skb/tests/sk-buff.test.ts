// The skb as programs see it, without running any: fields, VLAN
// untagging and re-tagging, where data points, skb->csum.
import { buildPacket, createNetwork, formatHex } from '@bpflab/hooks-xdp';
import { Kernel } from '@bpflab/kernel';
import { PACKET_TYPE, SK_BUFF, SK_BUFF_SIZE, SkBuff, SkbError } from '../src/index';

const eth0 = createNetwork().devices.find((d) => d.name === 'eth0')!;

function make(frame: Uint8Array, extra: Partial<ConstructorParameters<typeof SkBuff>[1]> = {}): { kernel: Kernel; skb: SkBuff } {
  const kernel = new Kernel();
  const skb = new SkBuff(kernel.memory, { frame, dev: eth0, path: 'ingress', start: 'mac', queue: 0, name: 'test', ...extra });
  return { kernel, skb };
}

describe('SkBuff', () => {
  it('lays __sk_buff out as the kernel does', () => {
    expect(SK_BUFF_SIZE).toBe(192);
    expect([SK_BUFF.len, SK_BUFF.protocol, SK_BUFF.cb, SK_BUFF.hash, SK_BUFF.data, SK_BUFF.data_end, SK_BUFF.data_meta, SK_BUFF.tstamp]).toEqual([0, 16, 48, 68, 76, 80, 140, 152]);
  });

  it.each([
    { name: 'IPv4', packet: { ipv4: {}, udp: {} }, protocol: 0x0008 },
    { name: 'IPv6', packet: { ipv6: {}, udp: {} }, protocol: 0xdd86 },
    { name: 'ARP', packet: { arp: {} }, protocol: 0x0608 },
    { name: '802.3 with LLC', packet: { eth: { type: 0x0030 }, payload: { hex: '42 42 03' } }, protocol: 0x0400 },
    { name: 'raw 802.3', packet: { eth: { type: 0x0030 }, payload: { hex: 'ff ff 00' } }, protocol: 0x0100 },
  ])('gives $name the protocol 0x$protocol in network order', ({ packet, protocol }) => {
    const { skb } = make(buildPacket(packet));
    expect(skb.field(SK_BUFF.protocol)).toBe(protocol);
    skb.free();
  });

  it('takes the outer VLAN tag out and puts it back', () => {
    const frame = buildPacket({ vlan: [{ id: 10 }, { id: 20 }], ipv4: {}, udp: {} });
    const { skb } = make(frame);
    expect(skb.vlan).toEqual({ proto: 0x88a8, tci: 10 });
    expect(skb.len).toBe(frame.length - 4);
    // the inner tag stays in the packet: protocol is 802.1Q
    expect(skb.field(SK_BUFF.protocol)).toBe(0x0081);
    expect(skb.field(SK_BUFF.vlan_proto)).toBe(0xa888);
    expect(formatHex(skb.frame())).toBe(formatHex(frame));
    skb.free();
  });

  it('points data at the network header for SOCK_DGRAM, and legacy loads there too', () => {
    const frame = buildPacket({ ipv4: {}, udp: {} });
    const { skb } = make(frame, { start: 'network' });
    expect(skb.len).toBe(frame.length - 14);
    expect(skb.packetRef).toEqual({ start: skb.network, size: frame.length - 14 });
    expect(skb.field(SK_BUFF.data)).toBe(skb.network);
    expect(skb.field(SK_BUFF.data_end)).toBe(skb.end);
    skb.free();
  });

  it('puts XDP metadata before the MAC header and says where with data_meta', () => {
    const { skb } = make(buildPacket({ ipv4: {}, udp: {} }), { metadata: Uint8Array.of(1, 2, 3, 4) });
    expect(skb.field(SK_BUFF.data_meta)).toBe(skb.mac - 4);
    expect([...skb.metadata()]).toEqual([1, 2, 3, 4]);
    skb.free();
  });

  it('tracks skb->csum on receive and notices bytes changed under it', () => {
    const { kernel, skb } = make(buildPacket({ ipv4: {}, udp: {}, payload: 'abc' }));
    expect(skb.csumValid()).toBe(true);
    kernel.memory.writeU8(skb.end - 1, 0x7a);
    expect(skb.csumValid()).toBe(false);
    skb.free();
    const out = new SkBuff(kernel.memory, { frame: buildPacket({ ipv4: {}, udp: {} }), dev: eth0, path: 'egress', start: 'mac', queue: 0, name: 'out' });
    expect(out.csumValid()).toBeUndefined();
    expect(out.field(SK_BUFF.pkt_type)).toBe(PACKET_TYPE.HOST);
    expect(out.field(SK_BUFF.ingress_ifindex)).toBe(0);
    out.free();
  });

  it('frees its memory', () => {
    const kernel = new Kernel();
    const before = kernel.memory.regions().length;
    const skb = new SkBuff(kernel.memory, { frame: buildPacket({ ipv4: {} }), dev: eth0, path: 'ingress', start: 'mac', queue: 0, name: 'x' });
    expect(kernel.memory.regions().length).toBe(before + 2);
    skb.free();
    skb.free();
    expect(kernel.memory.regions().length).toBe(before);
  });

  it('refuses a frame shorter than an Ethernet header', () => {
    expect(() => make(new Uint8Array(13))).toThrow(new SkbError('bad-call', 'a 13-byte frame is shorter than an Ethernet header: no skb is made of it'));
  });
});
