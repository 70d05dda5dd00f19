// The XDP plugin in a hook registry: its sections and context, attaching
// (and the errnos Linux answers), the `packet` and `network` steps checked
// against their JSON Schemas, the observations against theirs, later
// stages of the receive path, and the summary.
import { Ajv } from 'ajv';
import { ERRNO } from '@bpflab/uapi';
import { createKernelVerifier, HookRegistry, Kernel, KernelError, type BpfObject, type HookHost } from '@bpflab/kernel';
import { SEED_FIREWALLS } from './support/clang';
import { netStack, xdpHook, type NetStage, type PacketObservation, type SendObservation } from '../src/index';
import { compileC, fixture, haveClang } from './support/clang';

const CLANG = haveClang('plugin.test.ts');
const maybe = CLANG ? describe : describe.skip;

function boot(): { kernel: Kernel; host: HookHost; obj: BpfObject } {
  const kernel = new Kernel();
  const host = new HookRegistry().register(xdpHook).install(kernel);
  const obj = kernel.openObject(compileC(fixture('xdp_helpers.bpf.c'))!, { name: 'xdp_helpers.bpf.o' });
  const r = obj.load();
  if (!r.ok) throw new Error(r.message);
  return { kernel, host, obj };
}

describe('the plugin', () => {
  const registry = new HookRegistry().register(xdpHook);

  it('claims SEC("xdp") and SEC("xdp.frags") as XDP programs', () => {
    expect(registry.forSection('xdp')?.plugin.name).toBe('xdp');
    expect(registry.forSection('xdp.frags')?.programType.progType).toBe('XDP');
    expect(registry.forSection('xdp/devmap')).toBeUndefined();
    expect(registry.forProgramType('XDP', 'XDP')?.plugin.name).toBe('xdp');
  });

  it('describes struct xdp_md as the verifier sees it', () => {
    const ctx = xdpHook.programTypes[0]!.ctx;
    expect(ctx.size).toBe(24);
    expect(ctx.fields.map((f) => [f.name, f.offset, f.read, f.write, f.yields ?? 'scalar'])).toEqual([
      ['data', 0, [4], [], 'pkt'],
      ['data_end', 4, [4], [], 'pkt_end'],
      ['data_meta', 8, [4], [], 'pkt_meta'],
      ['ingress_ifindex', 12, [4], [], 'scalar'],
      ['rx_queue_index', 16, [4], [], 'scalar'],
    ]);
    expect(xdpHook.programTypes[0]!.packetWrite).toBe(true);
  });

  it('lists the interfaces of the default network as hook points', () => {
    expect(registry.points().map((p) => [p.name, p.section, p.id, p.doc])).toEqual([
      ['lo', 'xdp', 1, 'lo: ifindex 1, 00:00:00:00:00:00, mtu 65536, 127.0.0.1/8 ::1/128'],
      ['eth0', 'xdp', 2, 'eth0: ifindex 2, 02:00:00:00:00:01, mtu 1500, 10.0.0.1/24 fd00::1/64'],
    ]);
  });

  const ajv = new Ajv({ allErrors: true });
  const validStep = ajv.compile(registry.stepSchema());
  it.each([
    { step: { packet: { ipv4: { src: '10.0.0.2' }, udp: { dport: 53 } } }, ok: true },
    { step: { packet: { raw: 'ff ff 00' }, dev: 'eth0', cpu: 1, rx_queue: 0 }, ok: true },
    { step: { packet: { vlan: [{ id: 1 }, { id: 2 }], ipv6: {}, tcp: { flags: ['syn'] } }, dev: 2 }, ok: true },
    { step: { packet: { ipv4: {}, udp: { dport: 70000 } } }, ok: false },
    { step: { packet: { ipv4: { sorce: '10.0.0.1' } } }, ok: false },
    { step: { packet: { raw: 'ff', ipv4: {} } }, ok: false },
    { step: { packet: {}, device: 'eth0' }, ok: false },
    { step: { network: { interfaces: [{ name: 'eth0', addresses: ['10.0.0.1/24'] }], forwarding: false } }, ok: true },
    { step: { network: { interfaces: [{ mac: '02:00:00:00:00:01' }] } }, ok: false },
  ])('step schema: $step is valid: $ok', ({ step, ok }) => {
    expect(validStep(step)).toBe(ok);
  });
});

maybe('attaching', () => {
  it.each([
    { target: 'eth0', point: 'eth0' },
    { target: '2', point: 'eth0' },
    { target: 'lo', point: 'lo' },
  ])('attaches to $target', ({ target, point }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program('hello'), { target })).toMatchObject({ kind: 'attached', point, hook: 'xdp' });
  });

  it('attaches by target fd (ifindex) through bpf()', () => {
    const { kernel, obj } = boot();
    const fd = kernel.bpf.linkCreate(obj.program('hello').fd, { targetFd: 2 });
    expect(fd.ok).toBe(true);
  });

  it.each([
    { request: { target: 'eth9' }, errno: ERRNO.EINVAL, message: 'prog hello: cannot attach to eth9: no such interface (have lo, eth0)' },
    { request: {}, errno: ERRNO.EINVAL, message: 'prog hello: cannot attach to no interface: no such interface (have lo, eth0)' },
    { request: { target: 'eth0', attachType: 'XDP_DEVMAP' as const }, errno: ERRNO.EINVAL, message: 'prog hello: no hook plugin attaches XDP programs with attach type XDP_DEVMAP' },
  ])('refuses $request', ({ request, errno, message }) => {
    const { host, obj } = boot();
    expect(host.attach(obj.program('hello'), request)).toMatchObject({ kind: 'failed', errno, message });
  });

  it('allows one program per interface (EBUSY), and another after detaching', () => {
    const { kernel, host, obj } = boot();
    const first = host.attach(obj.program('hello'), { target: 'eth0' });
    expect(host.attach(obj.program('tx_swap'), { target: 'eth0' })).toMatchObject({
      kind: 'failed',
      errno: ERRNO.EBUSY,
      message: 'prog tx_swap: eth0 already has an XDP program attached (prog hello); detach it first',
    });
    if (first.kind !== 'attached') throw new Error('not attached');
    expect(kernel.bpf.linkDetach(first.linkFd).ok).toBe(true);
    expect(host.attach(obj.program('tx_swap'), { target: 'eth0' })).toMatchObject({ kind: 'attached' });
    expect((host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation).action).toBe('XDP_TX');
  });
});

maybe('steps', () => {
  const registry = new HookRegistry().register(xdpHook);
  const ajv = new Ajv({ allErrors: true });
  const validResult = ajv.compile(registry.stepResultSchema());

  it('runs frames on the interface and queue named, in softirq context, with observations matching their schema', () => {
    const { host, obj } = boot();
    host.runStep({ network: { interfaces: [{ name: 'eth0' }, { name: 'eth1', rx_queues: 4 }] } });
    host.attach(obj.program('hello'), { target: 'eth1' });
    const r = host.runStep({ name: 'hello', packet: { ipv4: {}, udp: {} }, dev: 'eth1', cpu: 1, rx_queue: 3 });
    expect(validResult(r)).toBe(true);
    const o = r.observation as PacketObservation;
    expect(o).toMatchObject({ dev: 'eth1', ifindex: 3, cpu: 1, rx_queue: 3, action: 'XDP_PASS', fate: { kind: 'passed', dev: 'eth1', ifindex: 3 } });
    expect(o.xdp!.run).toMatchObject({ program: 'hello', point: 'eth1', cpu: 1, pid: 0, retval: 2 });
    expect(o.xdp!.run.trace).toHaveLength(1);
    expect(o.xdp!.run.trace[0]).toMatch(/-0 +\[001\] d\.s\.\. +5\.000000: bpf_trace_printk: frame on ifindex 3 queue 3$/);
    expect(r.text).toEqual([
      'packet on eth1 (cpu 1): 02:00:00:00:00:02 > 02:00:00:00:00:01, IPv4 10.0.0.2 > 10.0.0.1 ttl 64 udp, UDP 40000 > 9 len 8 (42 bytes)',
      '  xdp: hello returned 2: XDP_PASS',
      `    ${o.xdp!.run.trace[0]!.trim()}`,
      '  => passed to the stack of eth1',
    ]);
  });

  it('reports the network it set up', () => {
    const { host } = boot();
    const r = host.runStep({ network: { interfaces: [{ name: 'eth0', addresses: ['10.0.0.1/24'] }], routes: [{ dst: 'default', via: '10.0.0.254', dev: 'eth0' }] } });
    expect(validResult(r)).toBe(true);
    expect(r.observation).toEqual({
      interfaces: [
        { name: 'lo', ifindex: 1, mac: '00:00:00:00:00:00', mtu: 65536, addresses: ['127.0.0.1/8', '::1/128'] },
        { name: 'eth0', ifindex: 2, mac: '02:00:00:00:00:01', mtu: 1500, addresses: ['10.0.0.1/24'] },
      ],
      routes: 4,
      neighbors: 0,
    });
  });

  it.each([
    { step: { packet: { ipv4: { src: 'x' } } }, message: "packet: packet.ipv4.src: 'x' is not an IPv4 address (four numbers 0-255 like 10.0.0.1)" },
    { step: { packet: { ipv4: {} }, dev: 'eth5' }, message: "packet: no interface named 'eth5' (have lo (1), eth0 (2))" },
    { step: { packet: { ipv4: {} }, rx_queue: 1 }, message: 'packet: rx queue 1 does not exist on eth0 (it has 1)' },
    { step: { network: { routes: [{ dst: 'default', dev: 'eth3' }] } }, message: "network: routes[0].dev: no interface named 'eth3' (have lo, eth0)" },
  ])('refuses a bad step: $message', ({ step, message }) => {
    const { host } = boot();
    let err: unknown;
    try {
      host.runStep(step);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ code: 'bad-step', message });
  });

  it('hands passed frames to later stages of the stack, and not dropped ones', () => {
    const { kernel, host, obj } = boot();
    const seen: string[] = [];
    const stage: NetStage = {
      name: 'test stage',
      path: 'ingress',
      order: 10,
      active: (dev) => dev.name === 'eth0',
      run: (input) => {
        seen.push(`${input.dev.name}:${input.frame.length}:${input.metadata.length}`);
        return { verdict: 'stop', observation: { text: 'taken' }, frame: input.frame.subarray(14), fate: { kind: 'stolen', by: 'test stage' } };
      },
    };
    netStack(kernel).addStage(stage);
    obj.map('config').update(0, 14n);
    host.attach(obj.program('adjust_head'), { target: 'eth0' });
    const passed = host.runStep({ packet: { ipv4: {}, udp: {} } });
    const o = passed.observation as PacketObservation;
    expect(seen).toEqual(['eth0:28:0']);
    expect(o.stages).toEqual([{ stage: 'test stage', text: 'taken' }]);
    expect(o.fate).toEqual({ kind: 'stolen', by: 'test stage' });
    expect(o.frame.length).toBe(14);
    expect(passed.text).toContain('  test stage: taken');
    // lo: the stage is not active there
    expect((host.runStep({ packet: { ipv4: {}, udp: {} }, dev: 'lo' }).observation as PacketObservation).stages).toEqual([]);
    const dropper = boot();
    netStack(dropper.kernel).addStage(stage);
    dropper.obj.map('config').update(0, 1n);
    dropper.host.attach(dropper.obj.program('return_value'), { target: 'eth0' });
    expect((dropper.host.runStep({ packet: { ipv4: {}, udp: {} } }).observation as PacketObservation).stages).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('sends frames through the transmit stages onto the wire', () => {
    const { kernel, host } = boot();
    const plain = host.runStep({ send: { ipv4: { src: '10.0.0.1', dst: '10.0.0.2' }, udp: { dport: 53 } } });
    expect(validResult(plain)).toBe(true);
    expect(plain.observation).toMatchObject({ dev: 'eth0', stages: [], fate: { kind: 'sent', dev: 'eth0', ifindex: 2 } });
    expect(plain.text).toEqual([
      'send on eth0 (cpu 0): 02:00:00:00:00:02 > 02:00:00:00:00:01, IPv4 10.0.0.1 > 10.0.0.2 ttl 64 udp, UDP 40000 > 53 len 8 (42 bytes)',
      '  => sent out of eth0',
    ]);
    netStack(kernel).addStage({
      name: 'egress test',
      path: 'egress',
      order: 10,
      active: () => true,
      run: (input) => ({ verdict: 'stop', observation: { text: `saw ${input.frame.length} bytes on queue ${input.queue}` }, frame: input.frame, fate: { kind: 'dropped', by: 'egress test' } }),
    });
    const dropped = host.runStep({ send: { raw: '01 02 03' }, dev: 'lo', tx_queue: 0 });
    expect((dropped.observation as SendObservation).fate).toEqual({ kind: 'dropped', by: 'egress test' });
    expect(dropped.text).toEqual(['send on lo (cpu 0): eth truncated (3 of 14 bytes) (3 bytes)', '  egress test: saw 3 bytes on queue 0', '  => dropped by egress test']);
    // the ingress path does not run egress stages
    expect((host.runStep({ packet: { raw: '01 02 03' } }).observation as PacketObservation).stages).toEqual([]);
  });

  it('sums up the actions', () => {
    const { host, obj } = boot();
    host.attach(obj.program('return_value'), { target: 'eth0' });
    obj.map('config').update(0, 1n);
    host.runStep({ packet: { ipv4: {}, udp: {} } });
    host.runStep({ packet: { ipv4: {}, udp: {} } });
    host.runStep({ packet: { ipv4: {}, udp: {} }, dev: 'lo' });
    obj.map('config').update(0, 2n);
    host.runStep({ packet: { ipv4: {}, udp: {} } });
    expect(host.summaries()).toEqual([
      {
        hook: 'xdp',
        title: 'frames received',
        data: { total: 4, actions: { XDP_DROP: 2, XDP_PASS: 1, 'no XDP program': 1 } },
        text: ['XDP_DROP                2', 'XDP_PASS                1', 'no XDP program          1', 'total                   4'],
      },
    ]);
  });
});

maybe('the verifier, with the plugin\'s context', () => {
  function verifiedKernel(): Kernel {
    const registry = new HookRegistry().register(xdpHook);
    const kernel = new Kernel({ verifier: createKernelVerifier({ registry }) });
    registry.install(kernel);
    return kernel;
  }

  it.each([
    { name: 'the helper fixtures', file: fixture('xdp_helpers.bpf.c') },
    { name: 'the seed firewall', file: SEED_FIREWALLS.programs },
    { name: 'the seed firewall on vmlinux.h', file: SEED_FIREWALLS.vmlinux },
  ])('accepts $name', ({ file }) => {
    const obj = verifiedKernel().openObject(compileC(file)!, { name: 'ok.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    for (const p of obj.programs()) expect(p.verification.status).toBe('verified');
  });

  it.each([
    { program: 'no_bounds_check', log: /R1 offset is outside of the packet/ },
    { program: 'egress_ifindex', log: /invalid bpf_context access off=20 size=4/ },
    { program: 'ctx_write', log: /invalid bpf_context access off=16 size=4/ },
  ])('refuses $program', ({ program, log }) => {
    const obj = verifiedKernel().openObject(compileC(fixture('xdp_rejected.bpf.c'))!, { name: 'rejected.bpf.o' });
    for (const p of obj.programs()) p.setAutoload(p.name === program);
    const r = obj.load();
    expect(r).toMatchObject({ ok: false, reason: 'verifier', program });
    if (!r.ok) expect(r.message).toMatch(log);
  });
});
