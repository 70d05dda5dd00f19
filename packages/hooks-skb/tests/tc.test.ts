// tc programs on the receive and transmit paths: tcx chains and cls_bpf
// classifiers and how their return values combine, direct packet access,
// the checksum helpers and skb->csum, redirects, XDP metadata, FIB lookups,
// helper bounds, and the observations against their schema.
import { Ajv } from 'ajv';
import { createKernelVerifier, HookRegistry, Kernel, type BpfObject, type HookHost } from '@bpflab/kernel';
import { decodeFrame, parseHex, xdpHook, type PacketObservation, type SendObservation, type StageObservation } from '@bpflab/hooks-xdp';
import { ERRNO, FIB_LKUP_RET, TC_ACT } from '@bpflab/uapi';
import { clsExecOpcode, SKB_STAGE_OBSERVATION_SCHEMA, socketFilterHook, tcHook, tcxActionCode, TCX_NEXT, type TcRun } from '../src/index';
import { compileC, fixture, haveClang, xdpFixture } from './support/clang';

const CLANG = haveClang('tc.test.ts');
const maybe = CLANG ? describe : describe.skip;

interface Booted {
  readonly kernel: Kernel;
  readonly host: HookHost;
  readonly obj: BpfObject;
}

function boot(network?: Readonly<Record<string, unknown>>): Booted {
  const registry = new HookRegistry().register(xdpHook).register(socketFilterHook).register(tcHook);
  const kernel = new Kernel({ verifier: createKernelVerifier({ registry }) });
  const host = registry.install(kernel);
  if (network !== undefined) host.runStep({ network });
  const obj = kernel.openObject(compileC(fixture('tc.bpf.c'))!, { name: 'tc.bpf.o' });
  const r = obj.load();
  if (!r.ok) throw new Error(r.message);
  return { kernel, host, obj };
}

function configure(obj: BpfObject, slots: Readonly<Record<number, number>>): void {
  for (const [slot, v] of Object.entries(slots)) obj.map('config').update(Number(slot), BigInt(v));
}

function result(obj: BpfObject, slot: number): number {
  return Number(obj.map('results').lookup(slot) as bigint);
}

function tcStage(o: PacketObservation | SendObservation, path = 'ingress'): StageObservation & { runs: readonly TcRun[]; verdict: string; skb: Record<string, unknown>; csum: string; warnings: readonly string[] } {
  const s = o.stages.find((x) => x.stage === `tc ${path}`);
  if (s === undefined) throw new Error(`no tc ${path} stage in ${JSON.stringify(o.stages)}`);
  return s as never;
}

describe('return codes', () => {
  it.each([
    { code: TC_ACT.OK, tcx: 0, cls: 0 },
    { code: TC_ACT.SHOT, tcx: 2, cls: 2 },
    { code: TC_ACT.REDIRECT, tcx: 7, cls: 7 },
    { code: TC_ACT.UNSPEC, tcx: TCX_NEXT, cls: -1 },
    { code: TC_ACT.RECLASSIFY, tcx: TCX_NEXT, cls: -1 },
    { code: TC_ACT.STOLEN, tcx: TCX_NEXT, cls: 4 },
    { code: TC_ACT.QUEUED, tcx: TCX_NEXT, cls: -1 },
    { code: TC_ACT.TRAP, tcx: TCX_NEXT, cls: 8 },
    { code: 99, tcx: TCX_NEXT, cls: -1 },
  ])('$code: tcx $tcx, cls_bpf $cls', ({ code, tcx, cls }) => {
    expect(tcxActionCode(code)).toBe(tcx);
    expect(clsExecOpcode(code)).toBe(cls);
  });
});

maybe('tc ingress', () => {
  it('verifies every program with the tc context', () => {
    const { obj } = boot();
    for (const p of obj.programs()) expect(p.verification.status).toBe('verified');
  });

  it.each([
    { name: 'UDP to 11111', packet: { ipv4: {}, udp: { dport: 11111 } }, verdict: 'TC_ACT_SHOT', result: 'TCX_DROP', fate: { kind: 'dropped', by: 'tc ingress' } },
    { name: 'UDP to 53', packet: { ipv4: {}, udp: { dport: 53 } }, verdict: 'TC_ACT_OK', result: 'TCX_PASS', fate: { kind: 'passed', dev: 'eth0', ifindex: 2 } },
    { name: 'TCP to 11111', packet: { ipv4: {}, tcp: { dport: 11111 } }, verdict: 'TC_ACT_OK', result: 'TCX_PASS', fate: { kind: 'passed', dev: 'eth0', ifindex: 2 } },
    { name: 'a truncated frame', packet: { raw: 'ff ff ff ff ff ff 02 00 00 00 00 02 08 00 45 00' }, verdict: 'TC_ACT_OK', result: 'TCX_PASS', fate: { kind: 'passed', dev: 'eth0', ifindex: 2 } },
  ])('the firewall as tcx: $name is $verdict', ({ packet, verdict, result, fate }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program('drop_udp_11111'), { target: 'eth0' })).toMatchObject({ kind: 'attached', point: 'eth0:ingress', hook: 'tc' });
    const r = host.runStep({ packet });
    const o = r.observation as PacketObservation;
    expect(o.action).toBeNull();
    const tc = tcStage(o);
    expect(tc.verdict).toBe(verdict);
    expect(tc.runs.map((x) => [x.program, x.mode, x.result])).toEqual([['drop_udp_11111', 'tcx', result]]);
    expect(o.fate).toEqual(fate);
    expect(r.text).toContain(`  tc ingress: drop_udp_11111 returned ${verdict === 'TC_ACT_SHOT' ? 2 : 0}: ${verdict}`);
    const validStage = new Ajv().compile(SKB_STAGE_OBSERVATION_SCHEMA);
    expect(validStage(tc)).toBe(true);
    const validResult = new Ajv().compile(new HookRegistry().register(xdpHook).register(socketFilterHook).register(tcHook).stepResultSchema());
    expect(validResult(r)).toBe(true);
  });

  it.each([
    { code: TC_ACT.OK, verdict: 'TC_ACT_OK', fate: 'passed' },
    { code: TC_ACT.SHOT, verdict: 'TC_ACT_SHOT', fate: 'dropped' },
    { code: TC_ACT.STOLEN, verdict: 'TC_ACT_STOLEN', fate: 'stolen' },
    { code: TC_ACT.TRAP, verdict: 'TC_ACT_TRAP', fate: 'stolen' },
    { code: TC_ACT.QUEUED, verdict: 'TC_ACT_UNSPEC', fate: 'passed' },
    { code: TC_ACT.RECLASSIFY, verdict: 'TC_ACT_UNSPEC', fate: 'passed' },
    { code: TC_ACT.UNSPEC, verdict: 'TC_ACT_UNSPEC', fate: 'passed' },
  ])('a tcx program returning TCX_NEXT, then a classifier returning $code: $verdict', ({ code, verdict, fate }) => {
    const { host, obj } = boot();
    configure(obj, { 0: code });
    // attach order does not matter: tcx programs run before classifiers
    host.attach(obj.program('classify'), { target: 'eth0:ingress' });
    host.attach(obj.program('mark_next'), { target: 'eth0' });
    const o = host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation;
    const tc = tcStage(o);
    expect(tc.runs.map((x) => [x.program, x.mode])).toEqual([
      ['mark_next', 'tcx'],
      ['classify', 'cls_bpf'],
    ]);
    expect(tc.verdict).toBe(verdict);
    expect(o.fate.kind).toBe(fate);
    // the classifier saw what the tcx program wrote
    expect([result(obj, 0), result(obj, 1)]).toEqual([7, 42]);
    expect(tc.skb).toMatchObject({ mark: 42, priority: 6, tc_classid: 0x10002, cb: [7, 0, 0, 0, 0] });
  });

  it.each([
    { code: 0, verdict: 'TC_ACT_OK', classifier: false, tcIndex: 3 },
    { code: 2, verdict: 'TC_ACT_SHOT', classifier: false, tcIndex: 0 },
    { code: -1, verdict: 'TC_ACT_OK', classifier: true, tcIndex: 0 },
    { code: 1, verdict: 'TC_ACT_OK', classifier: true, tcIndex: 0 },
    { code: 4, verdict: 'TC_ACT_OK', classifier: true, tcIndex: 0 },
  ])('a tcx program returning $code: $verdict (classifiers run: $classifier)', ({ code, verdict, classifier, tcIndex }) => {
    const { host, obj } = boot();
    configure(obj, { 0: TC_ACT.OK, 1: code });
    host.attach(obj.program('tcx_return'), { target: 'eth0' });
    host.attach(obj.program('classify'), { target: 'eth0:ingress' });
    const tc = tcStage(host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation);
    expect(tc.verdict).toBe(verdict);
    expect(tc.runs.length).toBe(classifier ? 2 : 1);
    // TCX_PASS copies tc_classid into tc_index
    expect(tc.skb.tc_index).toBe(tcIndex);
  });

  it('runs after packet sockets on the way in, before them on the way out', () => {
    const { kernel, host, obj } = boot();
    const sock = kernel.openObject(compileC(fixture('socket_filter.bpf.c'))!, { name: 'socket_filter.bpf.o' });
    expect(sock.load()).toEqual({ ok: true });
    host.attach(sock.program('udp_only'), { target: 'any' });
    host.attach(obj.program('drop_udp_11111'), { target: 'eth0' });
    host.attach(obj.program('redirect'), { target: 'eth0' });
    configure(obj, { 4: 2, 5: 2 }); // bpf_redirect with a bad flag: TC_ACT_SHOT
    const inbound = host.runStep({ packet: { ipv4: {}, udp: { dport: 11111 } } }).observation as PacketObservation;
    expect(inbound.stages.map((x) => x.stage)).toEqual(['packet sockets', 'tc ingress']);
    expect(inbound.fate).toEqual({ kind: 'dropped', by: 'tc ingress' });
    const outbound = host.runStep({ send: { ipv4: {}, udp: { dport: 11111 } } }).observation as SendObservation;
    // dropped by tc egress: the sockets never see it
    expect(outbound.stages.map((x) => x.stage)).toEqual(['tc egress']);
    expect(outbound.fate).toEqual({ kind: 'dropped', by: 'tc egress' });
  });

  it('fails TC_ACT_REDIRECT without bpf_redirect', () => {
    const { host, obj } = boot();
    configure(obj, { 1: TC_ACT.REDIRECT });
    host.attach(obj.program('tcx_return'), { target: 'eth0' });
    const o = host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation;
    expect(o.fate).toMatchObject({ kind: 'redirect-failed', errno: ERRNO.EINVAL, by: 'tc ingress' });
  });

  it('runs after XDP, on the frame and metadata XDP left', () => {
    const { kernel, host, obj } = boot();
    const xdp = kernel.openObject(compileC(xdpFixture('xdp_helpers.bpf.c'))!, { name: 'xdp.bpf.o' });
    expect(xdp.load()).toEqual({ ok: true });
    xdp.map('config').update(0, -8n); // adjust_meta: 8 bytes, 0xc0ffee01 first
    host.attach(xdp.program('adjust_meta'), { target: 'eth0' });
    host.attach(obj.program('meta_mark'), { target: 'eth0:ingress' });
    const o = host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation;
    expect(o.action).toBe('XDP_PASS');
    const tc = tcStage(o);
    expect(tc.skb.mark).toBe(0xc0ffee01);
    expect(tc.metadata).toBe('c0 ff ee 01 00 00 00 00');
  });
});

maybe('checksums', () => {
  it.each([
    // the port moves the sum by +d and the checksum field by -d: skb->csum must not move;
    // BPF_F_RECOMPUTE_CSUM would add the port's +d to it, as the kernel's selftests avoid
    { name: 'store without recompute', flags: 0, csum: 'valid' },
    { name: 'store with BPF_F_RECOMPUTE_CSUM', flags: 1, csum: 'stale' },
  ])('rewrites a port with bpf_l4_csum_replace ($name): skb->csum is $csum', ({ flags, csum }) => {
    const { host, obj } = boot();
    configure(obj, { 2: 8053, 6: flags });
    host.attach(obj.program('rewrite_dport'), { target: 'eth0:ingress' });
    const o = host.runStep({ packet: { ipv4: {}, udp: { dport: 53 }, payload: 'query' } }).observation as PacketObservation;
    expect([result(obj, 0), result(obj, 1)]).toEqual([0, 0]);
    const tc = tcStage(o);
    expect(tc.csum).toBe(csum);
    expect(tc.warnings).toHaveLength(csum === 'stale' ? 1 : 0);
    expect(o.frame.checksums_ok).toBe(true);
    expect(decodeFrame(parseHex(o.frame.hex)).layers[2]).toMatchObject({ kind: 'udp', dport: 8053, checksumOk: true });
  });

  it.each([
    { name: 'at an even offset, recomputed', offset: 42, flags: 1, csum: 'valid' },
    { name: 'at an odd offset, recomputed', offset: 43, flags: 1, csum: 'valid' },
    { name: 'in the IP header, recomputed', offset: 17, flags: 1, csum: 'valid' },
    { name: 'at an even offset, not recomputed', offset: 42, flags: 0, csum: 'stale' },
    { name: 'with BPF_F_INVALIDATE_HASH only', offset: 43, flags: 2, csum: 'stale' },
  ])('stores payload bytes $name: skb->csum is $csum', ({ offset, flags, csum }) => {
    const { host, obj } = boot();
    configure(obj, { 6: flags, 7: offset });
    host.attach(obj.program('store'), { target: 'eth0:ingress' });
    const o = host.runStep({ packet: { ipv4: {}, udp: {}, payload: 'hello, world' } }).observation as PacketObservation;
    expect(result(obj, 0)).toBe(0);
    expect(parseHex(o.frame.hex).subarray(offset, offset + 3)).toEqual(new TextEncoder().encode('ABC'));
    expect(tcStage(o).csum).toBe(csum);
    // the UDP checksum was not fixed: only skb->csum follows
    expect(o.frame.checksums_ok).toBe(false);
  });

  it.each([
    { name: 'store without recompute', flags: 0, csum: 'valid' },
    { name: 'store with BPF_F_RECOMPUTE_CSUM', flags: 1, csum: 'stale' },
  ])('does destination NAT ($name): skb->csum is $csum', ({ flags, csum }) => {
    const { host, obj } = boot();
    configure(obj, { 3: flags });
    host.attach(obj.program('dnat'), { target: 'eth0:ingress' });
    const o = host.runStep({ packet: { ipv4: { dst: '10.0.0.1' }, udp: {}, payload: 'abc' } }).observation as PacketObservation;
    expect([result(obj, 0), result(obj, 1), result(obj, 2)]).toEqual([0, 0, 0]);
    expect(o.frame.checksums_ok).toBe(true);
    expect(decodeFrame(parseHex(o.frame.hex)).layers[1]).toMatchObject({ kind: 'ipv4', dst: '10.9.9.9' });
    const tc = tcStage(o);
    expect(tc.csum).toBe(csum);
    expect(tc.warnings).toHaveLength(csum === 'stale' ? 1 : 0);
  });

  it('reports a careless direct write: a bad UDP checksum and a stale skb->csum', () => {
    const { host, obj } = boot();
    host.attach(obj.program('careless'), { target: 'eth0:ingress' });
    const r = host.runStep({ packet: { ipv4: {}, udp: { dport: 53 } } });
    const o = r.observation as PacketObservation;
    expect(o.frame.checksums_ok).toBe(false);
    expect(o.frame.summary).toContain('UDP 40000 > 8080 len 8 [bad cksum');
    expect(tcStage(o).csum).toBe('stale');
    expect(r.text.some((l) => l.includes('skb->csum no longer matches the packet'))).toBe(true);
  });

  it('keeps no skb->csum on the transmit path', () => {
    const { host, obj } = boot();
    host.attach(obj.program('careless'), { target: 'eth0:egress' });
    const o = host.runStep({ send: { ipv4: {}, udp: {} } }).observation as SendObservation;
    expect(tcStage(o, 'egress').csum).toBe('none');
  });
});

maybe('redirects', () => {
  it.each([
    { name: 'to eth1', slots: { 4: 3, 5: 0 }, fate: { kind: 'redirected', dev: 'eth1', ifindex: 3, by: 'tc egress', ingress: false } },
    { name: 'to the ingress of eth1', slots: { 4: 3, 5: 1 }, fate: { kind: 'redirected', dev: 'eth1', ifindex: 3, by: 'tc egress', ingress: true } },
    { name: 'with a bad flag', slots: { 4: 3, 5: 2 }, fate: { kind: 'dropped', by: 'tc egress' } },
    { name: 'to a missing interface', slots: { 4: 9, 5: 0 }, fate: { kind: 'redirect-failed', errno: ERRNO.EINVAL, by: 'tc egress' } },
  ])('bpf_redirect $name', ({ slots, fate }) => {
    const { host, obj } = boot({ interfaces: [{ name: 'eth0' }, { name: 'eth1' }] });
    configure(obj, slots);
    host.attach(obj.program('redirect'), { target: 'eth0' });
    const o = host.runStep({ send: { ipv4: {}, udp: {} } }).observation as SendObservation;
    expect(tcStage(o, 'egress').verdict).toBe(fate.kind === 'dropped' ? 'TC_ACT_SHOT' : 'TC_ACT_REDIRECT');
    expect(o.fate).toMatchObject(fate);
  });
});

maybe('helpers', () => {
  it('check their bounds and flags as Linux does', () => {
    const { host, obj } = boot();
    host.attach(obj.program('bounds'), { target: 'eth0:ingress' });
    host.runStep({ packet: { ipv4: {}, udp: {} } });
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => result(obj, i))).toEqual([
      -ERRNO.EFAULT, // load past the end
      -ERRNO.EINVAL, // store with an unknown flag
      0, // pull all of it
      -ERRNO.ENOMEM, // pull past the end
      -ERRNO.EFAULT, // l3 csum at an odd offset
      -ERRNO.EINVAL, // l4 csum of 3 bytes
      -ERRNO.EFAULT, // store past the end
    ]);
    expect(result(obj, 7)).toBeGreaterThan(0); // bpf_csum_update: skb->csum, CHECKSUM_COMPLETE on receive
    host.attach(obj.program('bounds'), { target: 'eth0:egress' });
    host.runStep({ send: { ipv4: {}, udp: {} } });
    expect(result(obj, 7)).toBe(-ERRNO.ENOTSUPP);
  });

  it('look routes up, checking the skb against the output MTU when no tot_len is given', () => {
    const network = {
      interfaces: [
        { name: 'eth0', addresses: ['10.0.0.1/24'] },
        { name: 'eth1', addresses: ['10.1.0.1/24'], mtu: 100 },
      ],
      neighbors: [{ ip: '10.1.0.7', mac: '02:00:00:00:01:07', dev: 'eth1' }],
    };
    const { host, obj } = boot(network);
    host.attach(obj.program('fib'), { target: 'eth0:ingress' });
    host.runStep({ packet: { ipv4: { dst: '10.1.0.7' }, udp: {} } });
    expect([result(obj, 0), result(obj, 1), result(obj, 2)]).toEqual([FIB_LKUP_RET.SUCCESS, 3, 100]);
    host.runStep({ packet: { ipv4: { dst: '10.1.0.7' }, udp: {}, payload: { size: 200 } } });
    expect([result(obj, 0), result(obj, 2)]).toEqual([FIB_LKUP_RET.FRAG_NEEDED, 100]);
    host.runStep({ packet: { ipv4: { dst: '10.1.0.8' }, udp: {} } });
    expect(result(obj, 0)).toBe(FIB_LKUP_RET.NO_NEIGH);
  });
});

maybe('attaching', () => {
  it.each([
    { program: 'drop_udp_11111', target: 'eth0', point: 'eth0:ingress' },
    { program: 'drop_udp_11111', target: '2', point: 'eth0:ingress' },
    { program: 'redirect', target: 'eth0', point: 'eth0:egress' },
    { program: 'classify', target: 'eth0', point: 'eth0:ingress' },
    { program: 'classify', target: 'lo:egress', point: 'lo:egress' },
  ])('$program to $target runs at $point', ({ program, target, point }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program(program), { target })).toMatchObject({ kind: 'attached', point });
  });

  it.each([
    { program: 'drop_udp_11111', target: 'eth0:egress', errno: ERRNO.EINVAL, message: 'prog drop_udp_11111: a tcx ingress program cannot attach to eth0:egress' },
    { program: 'classify', target: 'eth3:ingress', errno: ERRNO.ENODEV, message: 'prog classify: no interface eth3 (have lo, eth0)' },
    { program: 'classify', target: '', errno: ERRNO.EINVAL, message: 'prog classify: attaching a tc program needs an interface (have lo, eth0)' },
  ])('refuses $program to $target', ({ program, target, errno, message }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program(program), { target })).toMatchObject({ kind: 'failed', errno, message });
  });

  it('leaves every program to be attached by name, as libbpf does', () => {
    const { host, obj } = boot();
    const outcomes = host.attachObject(obj);
    expect(outcomes.every((o) => o.kind === 'manual')).toBe(true);
    expect(outcomes.find((o) => o.program === 'classify')).toMatchObject({ reason: expect.stringContaining('eth0:ingress or eth0:egress') });
  });
});
