// Lab 3, the seed's XDP firewall, through the XDP plugin: attached to
// eth0, fed frames by `packet` steps and from a pcap file, with the
// passed frames written back out as pcap (and read by tshark when it is
// installed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookRegistry, Kernel, type BpfObject, type HookHost } from '@bpflab/kernel';
import { buildPacket, parseHex, readPcap, receivePcap, writePcap, xdpHook, type PacketDescription, type PacketObservation } from '../src/index';
import { compileC, haveClang, SEED_FIREWALLS } from './support/clang';

const CLANG = haveClang('firewall.test.ts');
const maybe = CLANG ? describe : describe.skip;

/** A kernel with the XDP plugin and a firewall variant loaded; undefined when the kernel cannot load it (reason logged). */
function boot(source: string): { kernel: Kernel; host: HookHost; obj: BpfObject } | undefined {
  const kernel = new Kernel();
  const host = new HookRegistry().register(xdpHook).install(kernel);
  const obj = kernel.openObject(compileC(source)!, { name: 'xdp_firewall.bpf.o' });
  const r = obj.load();
  if (!r.ok) {
    if (r.reason === 'unsupported') {
      console.warn(`firewall.test.ts: skipping ${source.split('/').slice(-2).join('/')}: ${r.message}`);
      return undefined;
    }
    throw new Error(r.message);
  }
  return { kernel, host, obj };
}

const TRUNCATED = 'ff ff ff ff ff ff 02 00 00 00 00 02 08 00 45 00 00 1c 00 00';

const CASES: readonly { readonly name: string; readonly packet: PacketDescription; readonly want: string; readonly variants?: 'programs' }[] = [
  { name: 'UDP to 11111', packet: { ipv4: { src: '10.0.0.2', dst: '10.0.0.1' }, udp: { dport: 11111 } }, want: 'XDP_DROP' },
  { name: 'UDP to 11111 with a payload', packet: { ipv4: {}, udp: { sport: 5353, dport: 11111 }, payload: 'let me in' }, want: 'XDP_DROP' },
  { name: 'UDP to 53', packet: { ipv4: {}, udp: { dport: 53 } }, want: 'XDP_PASS' },
  { name: 'UDP from 11111', packet: { ipv4: {}, udp: { sport: 11111, dport: 53 } }, want: 'XDP_PASS' },
  { name: 'TCP to 11111', packet: { ipv4: {}, tcp: { dport: 11111 } }, want: 'XDP_PASS' },
  { name: 'ICMP echo', packet: { ipv4: {}, icmp: { type: 8 } }, want: 'XDP_PASS' },
  { name: 'ARP', packet: { arp: { op: 'request', target_ip: '10.0.0.1' } }, want: 'XDP_PASS' },
  { name: 'IPv6 UDP to 11111', packet: { ipv6: {}, udp: { dport: 11111 } }, want: 'XDP_PASS' },
  { name: 'VLAN-tagged UDP to 11111 (not parsed)', packet: { vlan: { id: 10 }, ipv4: {}, udp: { dport: 11111 } }, want: 'XDP_PASS' },
  { name: 'a truncated 20-byte frame', packet: { raw: TRUNCATED }, want: 'XDP_PASS' },
  { name: 'a 6-byte runt', packet: { raw: 'ff ff ff ff ff ff' }, want: 'XDP_PASS' },
  { name: 'UDP to 11111 behind IPv4 options', packet: { ipv4: { options: '94 04 00 00' }, udp: { dport: 11111 } }, want: 'XDP_DROP', variants: 'programs' },
];

for (const [variant, source] of Object.entries(SEED_FIREWALLS)) {
  maybe(`the seed firewall (${variant}/xdp_firewall.bpf.c)`, () => {
    const booted = CLANG ? boot(source) : undefined;
    const it2 = booted === undefined ? it.skip : it;
    let host: HookHost;
    beforeAll(() => {
      if (booted === undefined) return;
      host = booted.host;
      const outcomes = host.attachObject(booted.obj);
      // libbpf does not auto-attach SEC("xdp"): the target is named
      expect(outcomes[0]).toMatchObject({ kind: 'manual', program: 'xdp_firewall' });
      expect(host.attach(booted.obj.program('xdp_firewall'), { target: 'eth0' })).toMatchObject({ kind: 'attached', point: 'eth0', hook: 'xdp' });
    });

    it2.each(CASES.filter((c) => c.variants === undefined || c.variants === variant))('$name: $want', ({ packet, want }) => {
      const r = host.runStep({ packet, dev: 'eth0' });
      const o = r.observation as PacketObservation;
      expect(o.action).toBe(want);
      expect(o.xdp?.program).toBe('xdp_firewall');
      expect(o.fate).toEqual(want === 'XDP_DROP' ? { kind: 'dropped', by: 'xdp' } : { kind: 'passed', dev: 'eth0', ifindex: 2 });
      // the firewall does not touch the frame
      expect(o.frame).toEqual(o.received);
      expect(r.text[0]).toMatch(/^packet on eth0 \(cpu 0\): /);
      expect(r.text).toContain(`  => ${want === 'XDP_DROP' ? 'dropped by xdp' : 'passed to the stack of eth0'}`);
    });

    it2('prints what the vmlinux variant prints when it drops', () => {
      const o = host.runStep({ packet: { ipv4: {}, udp: { dport: 11111 } } }).observation as PacketObservation;
      const trace = o.xdp!.run.trace;
      if (variant === 'vmlinux') {
        expect(trace).toHaveLength(1);
        expect(trace[0]).toMatch(/ \[000\] d\.s\.\. +\d+\.\d{6}: bpf_trace_printk: Dropping packet to port 11111$/);
      } else {
        expect(trace).toEqual([]);
      }
    });

    it2('runs a frame on eth0 only: lo has no program', () => {
      const o = host.runStep({ packet: { ipv4: {}, udp: { dport: 11111 } }, dev: 'lo' }).observation as PacketObservation;
      expect(o.xdp).toBeNull();
      expect(o.action).toBeNull();
      expect(o.fate).toEqual({ kind: 'passed', dev: 'lo', ifindex: 1 });
    });

    it2('plays a pcap file through and writes the passed frames out', () => {
      const inputs = CASES.filter((c) => c.variants === undefined || c.variants === variant);
      const pcap = writePcap(inputs.map((c, i) => ({ data: buildPacket(c.packet), timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n })));
      const r = receivePcap(host, pcap, { dev: 'eth0' });
      expect(r.observations.map((o) => o.action)).toEqual(inputs.map((c) => c.want));
      const kept = inputs.map((c, i) => ({ c, i })).filter(({ c }) => c.want === 'XDP_PASS');
      expect(r.written).toBe(kept.length);
      const out = readPcap(r.output);
      expect(out.packets.map((p) => p.data)).toEqual(kept.map(({ c }) => buildPacket(c.packet)));
      expect(out.packets.map((p) => p.timestampNs)).toEqual(kept.map(({ i }) => 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n));
    });
  });
}

/** Whether tshark runs here; warns (once) when it does not. */
function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('firewall.test.ts: tshark is not installed (apt-get install tshark): skipping the checks that open written pcap files in tshark');
    return false;
  }
}

const TSHARK = CLANG && haveTshark();
(TSHARK ? describe : describe.skip)('the firewall output in tshark', () => {
  it('opens with the passed frames, their protocols and ports', () => {
    const booted = boot(SEED_FIREWALLS.programs)!;
    booted.host.attach(booted.obj.program('xdp_firewall'), { target: 'eth0' });
    const frames = [
      { ipv4: {}, udp: { dport: 11111 } },
      { ipv4: {}, udp: { dport: 53 }, payload: 'x' },
      { ipv4: {}, tcp: { dport: 11111, flags: 'S' } },
      { arp: {} },
      { ipv6: {}, udp: { dport: 11111 } },
    ].map((p, i) => ({ data: buildPacket(p), timestampNs: BigInt(i + 1) * 1_000_000_000n }));
    const r = receivePcap(booted.host, writePcap(frames));
    const dir = mkdtempSync(join(tmpdir(), 'bpflab-xdp-'));
    const file = join(dir, 'passed.pcap');
    writeFileSync(file, r.output);
    const text = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.protocols', '-e', 'udp.dstport', '-e', 'tcp.dstport'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const rows = text.trim().split('\n').map((l) => l.split('|'));
    expect(rows.map((r) => [r[0], Number(r[1]).toFixed(0), r[2], r[3], r[4]])).toEqual([
      ['1', '2', 'eth:ethertype:ip:udp:dns', '53', ''],
      ['2', '3', 'eth:ethertype:ip:tcp', '', '11111'],
      ['3', '4', 'eth:ethertype:arp', '', ''],
      ['4', '5', 'eth:ethertype:ipv6:udp', '11111', ''],
    ]);
    // and the dropped frame is not in the file
    expect(r.observations[0]!.action).toBe('XDP_DROP');
    expect(parseHex(r.observations[1]!.frame.hex)).toEqual(frames[1]!.data);
  });
});
