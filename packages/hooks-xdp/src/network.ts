/**
 * The simulated machine's network: its interfaces (`lo` is ifindex 1, the
 * rest count up from 2, as on a fresh Linux host), their addresses, a
 * routing table, a neighbour (ARP/NDP) table and whether the host
 * forwards. XDP and tc programs see interfaces by ifindex
 * (`ctx->ingress_ifindex`, `bpf_redirect(ifindex, 0)`); `bpf_fib_lookup`
 * asks the routing and neighbour tables.
 *
 * ```ts
 * const net = createNetwork();                       // lo (1) and eth0 (2), 10.0.0.1/24 and fd00::1/64 on eth0
 * const net2 = createNetwork({
 *   interfaces: [{ name: 'eth0', addresses: ['10.0.0.1/24'] }, { name: 'eth1', addresses: ['192.168.1.1/24'] }],
 *   routes: [{ dst: 'default', via: '192.168.1.254', dev: 'eth1' }],
 *   neighbors: [{ ip: '192.168.1.254', mac: '02:00:00:00:01:fe', dev: 'eth1' }],
 * });
 * ```
 */
import { XdpError } from './errors';
import { at, fail, integer, record, show, text, bool, type Where } from './internal/validate';
import { formatMac, maskAddress, parseIpPrefix, parseIpv4, parseIpv6, parseMac, prefixContains, type IpPrefix } from './net/addresses';

/** An interface as configured. */
export interface InterfaceSpec {
  readonly name: string;
  /** default: the next free index (`lo` is 1) */
  readonly ifindex?: number;
  /** default `02:00:00:00:00:<ifindex - 1>` (`lo`: all zeros) */
  readonly mac?: string;
  /** default 1500 (`lo`: 65536) */
  readonly mtu?: number;
  /** addresses with prefix lengths (`10.0.0.1/24`, `fd00::1/64`); default none */
  readonly addresses?: readonly string[];
  /** receive queues (`rx_queue_index` is below this); default 1 */
  readonly rx_queues?: number;
}

/** A route: a destination prefix (`default` for 0.0.0.0/0 or ::/0 by the gateway's family), a gateway or none (on-link), a device. */
export interface RouteSpec {
  readonly dst: string;
  /** the gateway; absent for an on-link route */
  readonly via?: string;
  /** the outgoing interface, by name; required for unicast routes */
  readonly dev?: string;
  /** default unicast */
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  /** the route's priority (`rt_metric`); default 0 */
  readonly metric?: number;
  /** the route's MTU; default the device's */
  readonly mtu?: number;
}

/** A neighbour entry (`ip neigh add IP lladdr MAC dev DEV`). */
export interface NeighborSpec {
  readonly ip: string;
  readonly mac: string;
  readonly dev: string;
}

/** A network as configured (scenario files give this). */
export interface NetworkSpec {
  /** the interfaces besides `lo`; default one, `eth0` with 10.0.0.1/24 and fd00::1/64 */
  readonly interfaces?: readonly InterfaceSpec[];
  readonly routes?: readonly RouteSpec[];
  readonly neighbors?: readonly NeighborSpec[];
  /**
   * `net.ipv4.ip_forward` / `net.ipv6.conf.all.forwarding`; default true
   * (Linux boots with forwarding off; routing labs turn it on)
   */
  readonly forwarding?: boolean;
}

/** A network interface of the simulated machine. */
export interface NetDevice {
  readonly ifindex: number;
  readonly name: string;
  readonly mac: Uint8Array;
  readonly mtu: number;
  /** the addresses, with their prefix lengths (`address` is the host address, not masked) */
  readonly addresses: readonly IpPrefix[];
  readonly rxQueues: number;
}

/** A route of the table. */
export interface Route {
  readonly prefix: IpPrefix;
  readonly gateway: Uint8Array | undefined;
  readonly dev: NetDevice | undefined;
  readonly type: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  readonly metric: number;
  readonly mtu: number | undefined;
}

/** A neighbour entry. */
export interface Neighbor {
  readonly ip: Uint8Array;
  readonly mac: Uint8Array;
  readonly dev: NetDevice;
}

/** The network of a simulated machine. */
export interface Network {
  /** by ifindex */
  readonly devices: readonly NetDevice[];
  /** explicit routes, then the connected routes of the interfaces' addresses */
  readonly routes: readonly Route[];
  readonly neighbors: readonly Neighbor[];
  readonly forwarding: boolean;
}

/** The interfaces of the default network: `eth0` with an IPv4 and an IPv6 address. */
export const DEFAULT_INTERFACES: readonly InterfaceSpec[] = Object.freeze([{ name: 'eth0', addresses: ['10.0.0.1/24', 'fd00::1/64'] }]);

/** The defaults of `NetworkSpec`. */
export const DEFAULT_NETWORK_SPEC: Required<NetworkSpec> = Object.freeze({
  interfaces: DEFAULT_INTERFACES,
  routes: [],
  neighbors: [],
  forwarding: true,
});

const LOOPBACK: InterfaceSpec = { name: 'lo', ifindex: 1, mac: '00:00:00:00:00:00', mtu: 65536, addresses: ['127.0.0.1/8', '::1/128'] };
/** `IFNAMSIZ - 1`: the longest interface name. */
const IFNAME_MAX = 15;

function hostPrefix(text0: string, w: Where): IpPrefix {
  // keep the host bits: an interface address is an address and a prefix length
  const p = parseIpPrefix(text0, w.path, w.code);
  const addr = text0.split('/')[0]!;
  const address = p.family === 'ipv6' ? parseIpv6(addr, w.path, w.code) : parseIpv4(addr, w.path, w.code);
  return { family: p.family, address, length: p.length };
}

/**
 * A network from its configuration: `lo` (ifindex 1) is always there
 * unless the configuration names it; other interfaces get the next free
 * index in order.
 *
 * @throws {@link XdpError} `bad-network` naming the field (`interfaces[1].mac`)
 */
export function createNetwork(spec: NetworkSpec | unknown = {}): Network {
  const root: Where = { path: '', code: 'bad-network' };
  const o = record(spec ?? {}, root, ['interfaces', 'routes', 'neighbors', 'forwarding']);
  const list = (key: string): unknown[] => {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(at(root, key), `expected a list, got ${show(v)}`);
    return v;
  };
  const ifaceSpecs = o.interfaces === undefined ? DEFAULT_INTERFACES : list('interfaces');
  const named = ifaceSpecs.map((s, i) => ({ spec: s, where: at(at(root, 'interfaces'), i) }));
  const hasLo = named.some(({ spec }) => spec !== null && typeof spec === 'object' && (spec as { name?: unknown }).name === 'lo');
  const all = hasLo ? named : [{ spec: LOOPBACK as unknown, where: at(root, 'lo') }, ...named];

  const devices: NetDevice[] = [];
  const taken = new Set<number>();
  // explicit indexes first, so that the others take the free ones
  for (const { spec: s, where } of all) {
    const r = record(s, where, ['name', 'ifindex', 'mac', 'mtu', 'addresses', 'rx_queues']);
    if (r.ifindex !== undefined) {
      const ix = integer(r.ifindex, at(where, 'ifindex'), 1, 0x7fffffff);
      if (taken.has(ix)) fail(at(where, 'ifindex'), `ifindex ${ix} is taken by another interface`);
      taken.add(ix);
    }
  }
  let next = 1;
  for (const { spec: s, where } of all) {
    const r = s as Record<string, unknown>;
    const name = text(r.name, at(where, 'name'));
    if (!/^[A-Za-z0-9_.:-]+$/.test(name) || name.length > IFNAME_MAX) {
      fail(at(where, 'name'), `'${name}' is not an interface name (1-${IFNAME_MAX} characters of letters, digits, _ . : -)`);
    }
    if (devices.some((d) => d.name === name)) fail(at(where, 'name'), `interface ${name} is defined twice`);
    let ifindex: number;
    if (r.ifindex !== undefined) ifindex = Number(r.ifindex);
    else {
      while (taken.has(next)) next++;
      ifindex = next;
      taken.add(ifindex);
    }
    const mac =
      r.mac !== undefined
        ? parseMac(text(r.mac, at(where, 'mac')), at(where, 'mac').path, 'bad-network')
        : Uint8Array.from([0x02, 0, 0, (ifindex - 1) >> 16, ((ifindex - 1) >> 8) & 0xff, (ifindex - 1) & 0xff]);
    const mtu = r.mtu === undefined ? 1500 : integer(r.mtu, at(where, 'mtu'), 68, 65536);
    const addrs = r.addresses === undefined ? [] : Array.isArray(r.addresses) ? r.addresses : fail(at(where, 'addresses'), `expected a list, got ${show(r.addresses)}`);
    const addresses = addrs.map((a, i) => hostPrefix(text(a, at(at(where, 'addresses'), i)), at(at(where, 'addresses'), i)));
    const rx_queues = r.rx_queues === undefined ? 1 : integer(r.rx_queues, at(where, 'rx_queues'), 1, 4096);
    devices.push(Object.freeze({ ifindex, name, mac, mtu, addresses: Object.freeze(addresses), rxQueues: rx_queues }));
  }
  devices.sort((a, b) => a.ifindex - b.ifindex);
  const byName = (name: string, w: Where): NetDevice => devices.find((d) => d.name === name) ?? fail(w, `no interface named '${name}' (have ${devices.map((d) => d.name).join(', ')})`);

  const routes: Route[] = list('routes').map((s, i) => {
    const w = at(at(root, 'routes'), i);
    const r = record(s, w, ['dst', 'via', 'dev', 'type', 'metric', 'mtu']);
    const type = r.type === undefined ? 'unicast' : text(r.type, at(w, 'type'));
    if (type !== 'unicast' && type !== 'blackhole' && type !== 'unreachable' && type !== 'prohibit') {
      fail(at(w, 'type'), `'${type}' is not a route type (unicast, blackhole, unreachable, prohibit)`);
    }
    const via = r.via === undefined ? undefined : text(r.via, at(w, 'via'));
    const dst = text(r.dst, at(w, 'dst'));
    const family: IpPrefix['family'] = dst === 'default' ? (via?.includes(':') ? 'ipv6' : 'ipv4') : dst.includes(':') ? 'ipv6' : 'ipv4';
    const prefix: IpPrefix = dst === 'default' ? { family, address: new Uint8Array(family === 'ipv6' ? 16 : 4), length: 0 } : parseIpPrefix(dst, at(w, 'dst').path);
    const gateway = via === undefined ? undefined : family === 'ipv6' ? parseIpv6(via, at(w, 'via').path, 'bad-network') : parseIpv4(via, at(w, 'via').path, 'bad-network');
    if (via !== undefined && via.includes(':') !== (family === 'ipv6')) fail(at(w, 'via'), `gateway ${via} is not of the destination's family`);
    const dev = r.dev === undefined ? undefined : byName(text(r.dev, at(w, 'dev')), at(w, 'dev'));
    if (type === 'unicast' && dev === undefined) fail(at(w, 'dev'), 'a unicast route needs an outgoing interface (dev)');
    return Object.freeze({
      prefix,
      gateway,
      dev,
      type,
      metric: r.metric === undefined ? 0 : integer(r.metric, at(w, 'metric'), 0, 0xffffffff),
      mtu: r.mtu === undefined ? undefined : integer(r.mtu, at(w, 'mtu'), 68, 65536),
    });
  });
  // connected routes: the subnet of each address, on its interface
  for (const d of devices) {
    for (const a of d.addresses) {
      routes.push(Object.freeze({ prefix: { family: a.family, address: maskAddress(a.address, a.length), length: a.length }, gateway: undefined, dev: d, type: 'unicast', metric: 0, mtu: undefined }));
    }
  }
  const neighbors: Neighbor[] = list('neighbors').map((s, i) => {
    const w = at(at(root, 'neighbors'), i);
    const r = record(s, w, ['ip', 'mac', 'dev']);
    const ip = text(r.ip, at(w, 'ip'));
    return Object.freeze({
      ip: ip.includes(':') ? parseIpv6(ip, at(w, 'ip').path, 'bad-network') : parseIpv4(ip, at(w, 'ip').path, 'bad-network'),
      mac: parseMac(text(r.mac, at(w, 'mac')), at(w, 'mac').path, 'bad-network'),
      dev: byName(text(r.dev, at(w, 'dev')), at(w, 'dev')),
    });
  });
  const forwarding = o.forwarding === undefined ? DEFAULT_NETWORK_SPEC.forwarding : bool(o.forwarding, at(root, 'forwarding'));
  return Object.freeze({ devices: Object.freeze(devices), routes: Object.freeze(routes), neighbors: Object.freeze(neighbors), forwarding });
}

/** The interface with this ifindex or name, if any. */
export function findDevice(net: Network, which: number | string): NetDevice | undefined {
  return net.devices.find((d) => (typeof which === 'number' ? d.ifindex === which : d.name === which));
}

/** Like `findDevice`, throwing `bad-call` with the known interfaces. */
export function requireDevice(net: Network, which: number | string): NetDevice {
  const d = findDevice(net, which);
  if (d === undefined) {
    throw new XdpError('bad-call', `no interface ${typeof which === 'number' ? `with ifindex ${which}` : `named '${which}'`} (have ${net.devices.map((x) => `${x.name} (${x.ifindex})`).join(', ')})`);
  }
  return d;
}

/** An interface in words: `eth0 (ifindex 2, 02:00:00:00:00:01)`. */
export function describeDevice(d: NetDevice): string {
  return `${d.name} (ifindex ${d.ifindex}, ${formatMac(d.mac)})`;
}

/* ------------------------------------------------------------- FIB lookup */

/** What `bpf_fib_lookup` asks (the input fields of `struct bpf_fib_lookup`). */
export interface FibQuery {
  readonly family: 'ipv4' | 'ipv6';
  /** the ingress interface (the egress one with `output`) */
  readonly ifindex: number;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** `tot_len`: the packet's length for the MTU check; 0 for none */
  readonly totalLength: number;
  /** `BPF_FIB_LOOKUP_OUTPUT` */
  readonly output: boolean;
  /** `BPF_FIB_LOOKUP_SKIP_NEIGH` */
  readonly skipNeighbor: boolean;
  /** `BPF_FIB_LOOKUP_SRC` */
  readonly wantSource: boolean;
  /** compare `tot_len` with the MTU (XDP does) */
  readonly checkMtu: boolean;
  /** `BPF_FIB_LOOKUP_TBID`: the routing table to use; bpflab has the main table (254) and the local one (255) */
  readonly table?: number;
}

/** `RT_TABLE_MAIN` */
export const RT_TABLE_MAIN = 254;
/** `RT_TABLE_LOCAL` */
export const RT_TABLE_LOCAL = 255;

/** The route a lookup found, as `bpf_fib_lookup` writes it back (`ifindex`, `rt_metric`, the next hop in the destination field). */
export interface FibRoute {
  /** the outgoing interface */
  readonly ifindex: number;
  readonly metric: number;
  readonly mtu: number;
  /** the next hop: the gateway, or the destination itself on-link */
  readonly nextHop: Uint8Array;
  /** the chosen source address (`BPF_FIB_LOOKUP_SRC`) */
  readonly source: Uint8Array | undefined;
}

/** What `bpf_fib_lookup` answers. */
export type FibAnswer =
  /** `-ENODEV`: no interface with the query's ifindex */
  | { readonly kind: 'no-device' }
  /** `BPF_FIB_LKUP_RET_*` before a route was chosen */
  | { readonly kind: 'fwd-disabled' | 'not-fwded' | 'blackhole' | 'unreachable' | 'prohibit' }
  /** `BPF_FIB_LKUP_RET_FRAG_NEEDED`: `tot_len` exceeds the route's MTU */
  | { readonly kind: 'frag-needed'; readonly mtu: number }
  /** a route was chosen (and written back) but there is no source address or no neighbour entry */
  | { readonly kind: 'no-src-addr' | 'no-neigh'; readonly route: FibRoute }
  /** forward: source and destination MACs, absent with `skipNeighbor` */
  | { readonly kind: 'success'; readonly route: FibRoute; readonly smac: Uint8Array | undefined; readonly dmac: Uint8Array | undefined };

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether an address needs a strict (link-scoped) lookup: IPv6 link-local or multicast (`rt6_need_strict`). */
function needStrict(a: Uint8Array): boolean {
  return a.length === 16 && (a[0] === 0xff || (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80));
}

/**
 * Looks a destination up as `bpf_ipv4_fib_lookup` / `bpf_ipv6_fib_lookup`
 * do: forwarding enabled on the interface, longest-prefix match (lowest
 * metric among equals), local destinations not forwarded, the MTU check,
 * the source address, then the neighbour of the next hop.
 */
export function fibLookup(net: Network, q: FibQuery): FibAnswer {
  const dev = findDevice(net, q.ifindex);
  if (dev === undefined) return { kind: 'no-device' };
  if (!net.forwarding) return { kind: 'fwd-disabled' };
  if (q.table !== undefined && q.table !== RT_TABLE_MAIN && q.table !== RT_TABLE_LOCAL) return { kind: 'not-fwded' };
  if (q.family === 'ipv6' && (needStrict(q.dst) || needStrict(q.src))) return { kind: 'not-fwded' };
  // a local address of the machine: delivered here, not forwarded
  if (net.devices.some((d) => d.addresses.some((a) => same(a.address, q.dst)))) return { kind: 'not-fwded' };
  let best: Route | undefined;
  for (const r of net.routes) {
    if (r.prefix.family !== q.family || !prefixContains(r.prefix, q.dst)) continue;
    if (best === undefined || r.prefix.length > best.prefix.length || (r.prefix.length === best.prefix.length && r.metric < best.metric)) best = r;
  }
  if (best === undefined) return { kind: 'not-fwded' };
  if (best.type !== 'unicast') return { kind: best.type };
  const out = best.dev!;
  const mtu = best.mtu ?? out.mtu;
  if (q.checkMtu && q.totalLength > mtu) return { kind: 'frag-needed', mtu };
  const nextHop = best.gateway ?? q.dst;
  let source: Uint8Array | undefined;
  if (q.wantSource) {
    const candidates = out.addresses.filter((a) => a.family === q.family);
    source = (candidates.find((a) => prefixContains({ ...a, address: maskAddress(a.address, a.length) }, nextHop)) ?? candidates[0])?.address;
  }
  let route: FibRoute = { ifindex: out.ifindex, metric: best.metric, mtu, nextHop, source };
  // IPv4 answers 0.0.0.0 when the device has no address; IPv6 fails (ipv6_dev_get_saddr)
  if (q.wantSource && source === undefined && q.family === 'ipv6') return { kind: 'no-src-addr', route };
  if (q.wantSource && source === undefined) route = { ...route, source: new Uint8Array(4) };
  if (q.skipNeighbor) return { kind: 'success', route, smac: undefined, dmac: undefined };
  const n = net.neighbors.find((x) => x.dev === out && same(x.ip, nextHop));
  if (n === undefined) return { kind: 'no-neigh', route };
  return { kind: 'success', route, smac: out.mac, dmac: n.mac };
}
