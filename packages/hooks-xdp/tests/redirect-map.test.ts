// bpf_redirect_map through a devmap and a devmap_hash, driven by the C
// programs of fixtures/xdp_redirect_map.bpf.c: a filled slot redirects to
// its interface, an empty one falls back to the action in the flags' low
// bits, unknown flags abort, BPF_F_BROADCAST is refused as not modelled
// (XDP_ABORTED with a warning).
import { REDIRECT_FLAG, XDP_ACTION } from '@bpflab/uapi';
import { HookRegistry, Kernel, type BpfObject, type HookHost } from '@bpflab/kernel';
import { netStack, runXdp, xdpHook, type XdpObservation } from '../src/index';
import { compileC, fixture, haveClang } from './support/clang';

const CLANG = haveClang('redirect-map.test.ts');
const maybe = CLANG ? describe : describe.skip;

/** A 60-byte UDP frame. */
const UDP = { ipv4: {}, udp: { dport: 53 }, payload: 'eighteen bytes...!' } as const;

function setup(): { readonly host: HookHost; readonly obj: BpfObject; readonly eth1: number } {
  const kernel = new Kernel();
  const host = new HookRegistry().register(xdpHook).install(kernel);
  netStack(kernel).setNetwork({ interfaces: [{ name: 'eth0' }, { name: 'eth1' }] });
  const eth1 = netStack(kernel).network.devices.find((d) => d.name === 'eth1')!.ifindex;
  const obj = kernel.openObject(compileC(fixture('xdp_redirect_map.bpf.c'))!, { name: 'xdp_redirect_map.bpf.o' });
  const r = obj.load();
  if (!r.ok) throw new Error(r.message);
  return { host, obj, eth1 };
}

function run(s: ReturnType<typeof setup>, program: string, key: number, flags: bigint): XdpObservation {
  s.obj.map('config').update(0, BigInt(key));
  s.obj.map('config').update(1, flags);
  return runXdp(s.host, s.obj.program(program).loaded, UDP, { dev: 'eth0' });
}

maybe('bpf_redirect_map', () => {
  const s = setup();
  s.obj.map('tx_ports').update(0, BigInt(s.eth1));
  s.obj.map('tx_hash').update(1000, BigInt(s.eth1));
  const broadcast = BigInt(REDIRECT_FLAG.BROADCAST);
  const exclude = BigInt(REDIRECT_FLAG.EXCLUDE_INGRESS);

  it.each([
    { name: 'slot 0 holds eth1', program: 'redirect_map', key: 0, flags: 0n, action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'eth1' } },
    { name: 'slot 0 with a fallback in the flags', program: 'redirect_map', key: 0, flags: BigInt(XDP_ACTION.PASS), action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'eth1' } },
    { name: 'empty slot, fallback XDP_PASS', program: 'redirect_map', key: 1, flags: BigInt(XDP_ACTION.PASS), action: 'XDP_PASS', fate: { kind: 'passed' } },
    { name: 'empty slot, fallback XDP_DROP', program: 'redirect_map', key: 2, flags: BigInt(XDP_ACTION.DROP), action: 'XDP_DROP', fate: { kind: 'dropped' } },
    { name: 'empty slot, no fallback (XDP_ABORTED)', program: 'redirect_map', key: 3, flags: 0n, action: 'XDP_ABORTED', fate: { kind: 'aborted' } },
    { name: 'index past max_entries, fallback XDP_TX', program: 'redirect_map', key: 9, flags: BigInt(XDP_ACTION.TX), action: 'XDP_TX', fate: { kind: 'transmitted' } },
    { name: 'an unknown flag bit', program: 'redirect_map', key: 0, flags: 4n, action: 'XDP_ABORTED', fate: { kind: 'aborted' } },
    { name: 'a flag bit above 32', program: 'redirect_map', key: 0, flags: 1n << 40n, action: 'XDP_ABORTED', fate: { kind: 'aborted' } },
    { name: 'BPF_F_EXCLUDE_INGRESS alone (ignored)', program: 'redirect_map', key: 0, flags: BigInt(REDIRECT_FLAG.EXCLUDE_INGRESS), action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'eth1' } },
    { name: 'a devmap_hash key', program: 'redirect_hash', key: 1000, flags: 0n, action: 'XDP_REDIRECT', fate: { kind: 'redirected', dev: 'eth1' } },
    { name: 'a missing devmap_hash key, fallback XDP_PASS', program: 'redirect_hash', key: 0, flags: BigInt(XDP_ACTION.PASS), action: 'XDP_PASS', fate: { kind: 'passed' } },
  ])('$name: $action', ({ program, key, flags, action, fate }) => {
    const o = run(s, program, key, flags);
    expect(o.action).toBe(action);
    expect(o.fate).toMatchObject(fate);
    if (fate.kind === 'redirected') expect(o.fate).toMatchObject({ ifindex: s.eth1 });
    expect(o.warnings).toEqual([]);
  });

  it.each([
    { name: 'BPF_F_BROADCAST', flags: broadcast },
    { name: 'BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS', flags: broadcast | exclude },
  ])('refuses $name as not modelled: XDP_ABORTED with a warning', ({ flags }) => {
    const o = run(s, 'redirect_map', 0, flags);
    expect(o.action).toBe('XDP_ABORTED');
    expect(o.warnings).toEqual([expect.stringMatching(/^bpf_redirect_map: BPF_F_BROADCAST \(sending to every device of devmap tx_ports\) is not modelled by bpflab/)]);
    // the warning belongs to that frame only
    expect(run(s, 'redirect_map', 0, 0n).warnings).toEqual([]);
  });

  it('follows user-space changes to the slot', () => {
    const ports = s.obj.map('tx_ports');
    ports.update(1, BigInt(s.eth1));
    expect(run(s, 'redirect_map', 1, BigInt(XDP_ACTION.PASS)).fate).toMatchObject({ kind: 'redirected', dev: 'eth1' });
    ports.delete(1);
    expect(run(s, 'redirect_map', 1, BigInt(XDP_ACTION.PASS)).action).toBe('XDP_PASS');
  });

  it('stores an ifindex no device has, and the redirect then fails visibly', () => {
    s.obj.map('tx_ports').update(2, 99n);
    const o = run(s, 'redirect_map', 2, 0n);
    expect(o.action).toBe('XDP_REDIRECT');
    expect(o.fate).toMatchObject({ kind: 'redirect-failed' });
    expect(o.warnings[0]).toMatch(/^XDP_REDIRECT failed: no interface with ifindex 99/);
    s.obj.map('tx_ports').delete(2);
  });

  it('lets a program read a slot (NULL when empty)', () => {
    run(s, 'lookup_port', 0, 0n);
    expect(s.obj.map('results').lookup(0)).toBe(BigInt(s.eth1));
    run(s, 'lookup_port', 3, 0n);
    expect(s.obj.map('results').lookup(0)).toBe(-1n);
  });
});
