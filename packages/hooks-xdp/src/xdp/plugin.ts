/**
 * The XDP hook plugin: `SEC("xdp")` (and `xdp.frags`) programs attached to
 * the interfaces of the simulated machine, run by the `packet` step on
 * every frame an interface receives; the `network` step configures the
 * interfaces, routes and neighbours.
 *
 * ```yaml
 * attach: { xdp_firewall: eth0 }
 * steps:
 *   - network: { interfaces: [{ name: eth0, addresses: [10.0.0.1/24] }] }
 *   - packet: { ipv4: { src: 10.0.0.2 }, udp: { dport: 11111 } }
 *     dev: eth0
 * ```
 *
 * A frame XDP passes goes on through the later stages other plugins add
 * to the machine's stack (`netStack`): packet sockets, tc ingress.
 */
import {
  ctxLayout,
  defineHook,
  fail,
  KernelError,
  ok,
  PROGRAM_RUN_SCHEMA,
  type HookContext,
  type HookHost,
  type HookPoint,
  type JsonSchema,
  type LoadedProgram,
  type ProgramRun,
} from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import { XdpError } from '../errors';
import { formatIpv4, formatIpv6, formatMac } from '../net/addresses';
import { createNetwork, findDevice, requireDevice, type NetDevice, type NetworkSpec } from '../network';
import { FRAME_VIEW_SCHEMA, packetBytes, viewFrame, type FrameView, type PacketInput } from '../packet/frame-view';
import { NETWORK_SPEC_SCHEMA, PACKET_DESCRIPTION_SCHEMA } from '../packet/schema';
import { netStack, type NetStage, type PacketFate, type PacketPath } from '../stack';
import { defaultDevice, processXdp, resolveRx, XDP_TRACE_CONTEXT, type XdpObservation, type XdpRunOptions } from './run';
import { xdpHelpers } from './helpers';
import { XdpState } from './state';
import { fateKeepsFrame } from './pcap-run';
import { writePcap } from '../pcap';

/**
 * `struct xdp_md` as the verifier sees it (`xdp_is_valid_access`): every
 * field read whole (4 bytes), nothing written; `data`, `data_end` and
 * `data_meta` yield packet pointers; `egress_ifindex` is only for devmap
 * programs, which bpflab does not run.
 */
export const XDP_MD_CTX = ctxLayout('struct xdp_md', 24, {
  data: [0, 4, 'pkt', { cType: '__u32' }],
  data_end: [4, 4, 'pkt_end', { cType: '__u32' }],
  data_meta: [8, 4, 'pkt_meta', { cType: '__u32' }],
  ingress_ifindex: [12, 4, 'scalar', { read: [4], cType: '__u32' }],
  rx_queue_index: [16, 4, 'scalar', { read: [4], cType: '__u32' }],
});

/** The `packet` step as written. */
export interface PacketStep {
  readonly packet: PacketInput;
  /** the receiving interface, by name or ifindex; default eth0 */
  readonly dev?: string | number;
  readonly cpu?: number;
  readonly rx_queue?: number;
}

/** The `send` step as written: the machine sends a frame out of an interface. */
export interface SendStep {
  readonly send: PacketInput;
  /** the sending interface, by name or ifindex; default eth0 */
  readonly dev?: string | number;
  readonly cpu?: number;
  /** the transmit queue; default 0 */
  readonly tx_queue?: number;
}

/** The `network` step as written. */
export interface NetworkStep {
  readonly network: NetworkSpec;
}

/** What a later stage of the receive path observed, with the stage's name. */
export type StageObservation = { readonly stage: string } & Readonly<Record<string, unknown>>;

/** What the `packet` step observed (JSON-safe). */
export interface PacketObservation {
  readonly dev: string;
  readonly ifindex: number;
  readonly cpu: number;
  readonly rx_queue: number;
  /** the frame as it arrived */
  readonly received: FrameView;
  /** what the attached XDP program did; null when none is attached */
  readonly xdp: XdpObservation | null;
  /** the XDP action (`XDP_DROP`), null when no program is attached: what `expect: { action }` compares */
  readonly action: string | null;
  /** the later stages the frame went through (packet sockets, tc ingress), when programs are attached there */
  readonly stages: readonly StageObservation[];
  /** where the frame ended */
  readonly fate: PacketFate;
  /** the frame at the end of the path */
  readonly frame: FrameView;
  readonly warnings: readonly string[];
}

/** What the `send` step observed (JSON-safe). */
export interface SendObservation {
  readonly dev: string;
  readonly ifindex: number;
  readonly cpu: number;
  /** the frame as the machine sent it */
  readonly sent: FrameView;
  /** the stages of the transmit path it went through (tc egress, packet sockets), when programs are attached there */
  readonly stages: readonly StageObservation[];
  /** where the frame ended: `sent` onto the wire, or dropped/redirected by a stage */
  readonly fate: PacketFate;
  /** the frame at the end of the path */
  readonly frame: FrameView;
}

/** What the `network` step observed: the interfaces now. */
export interface NetworkObservation {
  readonly interfaces: readonly { readonly name: string; readonly ifindex: number; readonly mac: string; readonly mtu: number; readonly addresses: readonly string[] }[];
  readonly routes: number;
  readonly neighbors: number;
}

const FATE_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    kind: { enum: ['dropped', 'aborted', 'passed', 'sent', 'transmitted', 'redirected', 'redirect-failed', 'stolen'] },
    by: { type: 'string' },
    dev: { type: 'string' },
    ifindex: { type: 'integer' },
    ingress: { type: 'boolean' },
    errno: { type: 'integer' },
    reason: { type: 'string' },
  },
  required: ['kind'],
  additionalProperties: false,
};

const XDP_OBSERVATION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    program: { type: 'string' },
    run: PROGRAM_RUN_SCHEMA,
    action: { type: 'string' },
    action_value: { type: 'integer', minimum: 0, maximum: 4 },
    retval: { type: 'integer', minimum: 0, maximum: 4294967295 },
    fate: FATE_SCHEMA,
    frame: FRAME_VIEW_SCHEMA,
    metadata: { type: 'string' },
    warnings: { type: 'array', items: { type: 'string' } },
  },
  required: ['program', 'run', 'action', 'action_value', 'retval', 'fate', 'frame', 'metadata', 'warnings'],
  additionalProperties: false,
};

const PACKET_OBSERVATION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    dev: { type: 'string' },
    ifindex: { type: 'integer', minimum: 1 },
    cpu: { type: 'integer', minimum: 0 },
    rx_queue: { type: 'integer', minimum: 0 },
    received: FRAME_VIEW_SCHEMA,
    xdp: { anyOf: [{ type: 'null' }, XDP_OBSERVATION_SCHEMA] },
    action: { type: ['string', 'null'] },
    stages: { type: 'array', items: { type: 'object', properties: { stage: { type: 'string' } }, required: ['stage'] } },
    fate: FATE_SCHEMA,
    frame: FRAME_VIEW_SCHEMA,
    warnings: { type: 'array', items: { type: 'string' } },
  },
  required: ['dev', 'ifindex', 'cpu', 'rx_queue', 'received', 'xdp', 'action', 'stages', 'fate', 'frame', 'warnings'],
  additionalProperties: false,
};

/** A bad step, as the registry expects drivers to report it. */
function badStep(kind: string, e: unknown): never {
  if (e instanceof XdpError) throw new KernelError('bad-step', `${kind}: ${e.message}`, { cause: e });
  throw e;
}

/** One line for a fate. */
export function formatFate(f: PacketFate): string {
  switch (f.kind) {
    case 'dropped':
      return `dropped by ${f.by}`;
    case 'aborted':
      return `aborted by ${f.by} (dropped)`;
    case 'passed':
      return `passed to the stack of ${f.dev}`;
    case 'sent':
      return `sent out of ${f.dev}`;
    case 'transmitted':
      return `sent back out of ${f.dev} by ${f.by}`;
    case 'redirected':
      return `redirected by ${f.by} to ${f.dev}${f.ingress === true ? ' (ingress)' : ''}`;
    case 'redirect-failed':
      return `redirect by ${f.by} failed: ${f.reason}`;
    case 'stolen':
      return `taken by ${f.by}`;
  }
}

/** Runs a `packet` step: XDP on the receiving interface, then the later stages of the stack. */
export function receivePacket(hook: HookContext<XdpState>, step: PacketStep): PacketObservation {
  const state = hook.state;
  let rx;
  let frame: Uint8Array;
  try {
    rx = resolveRx(state, { ...(step.dev === undefined ? {} : { dev: step.dev }), cpu: hook.cpu(step.cpu), ...(step.rx_queue === undefined ? {} : { rx_queue: step.rx_queue }) });
    frame = packetBytes(step.packet, 'packet');
  } catch (e) {
    return badStep('packet', e);
  }
  const { dev, cpu } = rx;
  const warnings: string[] = [];
  let xdp: XdpObservation | null = null;
  let current = frame;
  let metadata: Uint8Array = new Uint8Array(0);
  let fate: PacketFate | undefined;
  const attached = hook.attached(dev.name)[0];
  if (attached !== undefined) {
    const idle = hook.kernel.tasks.require(0);
    let outcome;
    try {
      outcome = processXdp(state, attached.program, frame, rx, (ctx) => hook.run(attached, ctx, { cpu, task: idle, traceContext: XDP_TRACE_CONTEXT }));
    } catch (e) {
      return badStep('packet', e);
    }
    xdp = outcome.observation;
    warnings.push(...xdp.warnings);
    current = outcome.frame;
    metadata = outcome.metadata;
    if (xdp.fate.kind !== 'passed') fate = xdp.fate;
  }
  state.actionCounts.set(xdp?.action ?? 'no XDP program', (state.actionCounts.get(xdp?.action ?? 'no XDP program') ?? 0) + 1);
  let stages: readonly StageObservation[] = [];
  if (fate === undefined) {
    const after = runStages(netStack(hook.kernel).stages('ingress'), { kernel: hook.kernel, path: 'ingress', dev, frame: current, metadata, cpu, queue: rx.rxQueue });
    stages = after.stages;
    current = after.frame;
    fate = after.fate;
  }
  const observation: PacketObservation = {
    dev: dev.name,
    ifindex: dev.ifindex,
    cpu,
    rx_queue: rx.rxQueue,
    received: viewFrame(frame),
    xdp,
    action: xdp?.action ?? null,
    stages,
    fate: fate ?? { kind: 'passed', dev: dev.name, ifindex: dev.ifindex },
    frame: viewFrame(current),
    warnings,
  };
  if (fateKeepsFrame(observation)) state.captured.push({ data: current, timestampNs: hook.kernel.clock.now() });
  return observation;
}

/**
 * Runs the stages of a path (those with programs for the interface), in
 * order, each on the frame the one before left; stops at the first that
 * keeps the frame. `fate` is undefined when every stage let it go on.
 */
export function runStages(
  stages: readonly NetStage[],
  input: { readonly kernel: HookContext['kernel']; readonly path: PacketPath; readonly dev: NetDevice; readonly frame: Uint8Array; readonly metadata: Uint8Array; readonly cpu: number; readonly queue: number },
): { readonly stages: readonly StageObservation[]; readonly frame: Uint8Array; readonly fate: PacketFate | undefined } {
  const seen: StageObservation[] = [];
  let frame = input.frame;
  let metadata = input.metadata;
  for (const stage of stages) {
    if (!stage.active(input.dev)) continue;
    const out = stage.run({ ...input, frame, metadata });
    seen.push({ stage: stage.name, ...out.observation });
    frame = out.frame;
    if (out.verdict === 'stop') return { stages: seen, frame, fate: out.fate };
    metadata = out.metadata;
  }
  return { stages: seen, frame, fate: undefined };
}

/** Runs a `send` step: the transmit path of the sending interface, then the wire. */
export function sendPacket(hook: HookContext<XdpState>, step: SendStep): SendObservation {
  const state = hook.state;
  let dev;
  let frame: Uint8Array;
  const cpu = hook.cpu(step.cpu);
  try {
    dev = step.dev === undefined ? defaultDevice(state.network) : requireDevice(state.network, step.dev);
    frame = packetBytes(step.send, 'send');
  } catch (e) {
    return badStep('send', e);
  }
  const after = runStages(netStack(hook.kernel).stages('egress'), { kernel: hook.kernel, path: 'egress', dev, frame, metadata: new Uint8Array(0), cpu, queue: step.tx_queue ?? 0 });
  return {
    dev: dev.name,
    ifindex: dev.ifindex,
    cpu,
    sent: viewFrame(frame),
    stages: after.stages,
    fate: after.fate ?? { kind: 'sent', dev: dev.name, ifindex: dev.ifindex },
    frame: viewFrame(after.frame),
  };
}

/** The `send` observation in words. */
export function formatSendObservation(o: SendObservation): readonly string[] {
  const lines = [`send on ${o.dev} (cpu ${o.cpu}): ${o.sent.summary}`];
  for (const s of o.stages) {
    const { stage, ...rest } = s;
    lines.push(`  ${stage}: ${typeof rest.text === 'string' ? rest.text : JSON.stringify(rest)}`);
  }
  lines.push(`  => ${formatFate(o.fate)}`);
  if (o.frame.hex !== o.sent.hex) lines.push(`  frame now: ${o.frame.summary}`);
  return lines;
}

/** The `packet` observation in words. */
export function formatPacketObservation(o: PacketObservation): readonly string[] {
  const lines = [`packet on ${o.dev} (cpu ${o.cpu}): ${o.received.summary}`];
  if (o.xdp === null) lines.push('  xdp: no program attached');
  else {
    const x = o.xdp;
    lines.push(`  xdp: ${x.program} returned ${x.retval}: ${x.action}${x.metadata === '' ? '' : `, metadata ${x.metadata}`}`);
    for (const t of x.run.trace) lines.push(`    ${t.trim()}`);
  }
  for (const s of o.stages) {
    const { stage, ...rest } = s;
    lines.push(`  ${stage}: ${typeof rest.text === 'string' ? rest.text : JSON.stringify(rest)}`);
  }
  lines.push(`  => ${formatFate(o.fate)}`);
  if (o.frame.hex !== o.received.hex) lines.push(`  frame now: ${o.frame.summary}`);
  for (const w of o.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/** The interfaces of the default network, as hook points. */
function points(): readonly HookPoint[] {
  return createNetwork().devices.map((d) => ({
    name: d.name,
    section: 'xdp',
    progType: 'XDP' as const,
    ctx: XDP_MD_CTX,
    id: d.ifindex,
    doc: `${d.name}: ifindex ${d.ifindex}, ${formatMac(d.mac)}, mtu ${d.mtu}${d.addresses.length === 0 ? '' : `, ${d.addresses.map((a) => `${a.family === 'ipv6' ? formatIpv6(a.address) : formatIpv4(a.address)}/${a.length}`).join(' ')}`}`,
  }));
}

/** The XDP plugin. */
export const xdpHook = defineHook<XdpState>({
  name: 'xdp',
  doc: [
    'XDP (eXpress Data Path): a program attached to a network interface runs on every frame the interface receives, in the driver,',
    'before the kernel builds an sk_buff. It gets a `struct xdp_md` whose `data` and `data_end` bound the frame and returns an action:',
    'XDP_ABORTED (0), XDP_DROP (1), XDP_PASS (2), XDP_TX (3, back out of the same interface) or XDP_REDIRECT (4, where `bpf_redirect` said).',
    'The `packet` step delivers a frame (described in layers or given as hex) to an interface; the `network` step sets up the interfaces',
    '(lo is ifindex 1, eth0 2), routes and neighbours `bpf_fib_lookup` consults.',
  ].join(' '),
  programTypes: [
    {
      progType: 'XDP',
      sections: ['xdp', 'xdp.frags'],
      ctx: XDP_MD_CTX,
      extraHelpers: (hook) => xdpHelpers(hook.state, hook.kernel),
      packetWrite: true,
      traceContext: XDP_TRACE_CONTEXT,
    },
  ],
  setup: (kernel) => new XdpState(kernel),
  autoAttach: (sec) => ({
    kind: 'manual',
    reason: `SEC("${sec.section}") names no interface (libbpf attaches XDP programs with bpf_program__attach_xdp(prog, ifindex)): give the interface, e.g. eth0`,
  }),
  attach(hook, program, request) {
    const network = hook.state.network;
    const dev =
      request.target !== undefined
        ? findDevice(network, /^\d+$/.test(request.target) ? Number(request.target) : request.target)
        : request.targetFd !== undefined
          ? findDevice(network, request.targetFd)
          : undefined;
    if (dev === undefined) {
      const asked = request.target ?? (request.targetFd === undefined ? 'no interface' : `ifindex ${request.targetFd}`);
      return fail(ERRNO.EINVAL, `${program.describe()}: cannot attach to ${asked}: no such interface (have ${network.devices.map((d) => d.name).join(', ')})`);
    }
    const other = hook.attached(dev.name)[0];
    if (other !== undefined) {
      return fail(ERRNO.EBUSY, `${program.describe()}: ${dev.name} already has an XDP program attached (${other.program.describe()}); detach it first`);
    }
    return ok({ point: dev.name, link: 'XDP', data: { ifindex: dev.ifindex } });
  },
  points,
  events: {
    packet: {
      doc: 'a frame arrives on an interface: the XDP program attached there decides its fate; a frame it passes goes on to packet sockets and tc ingress',
      schema: {
        type: 'object',
        properties: {
          packet: PACKET_DESCRIPTION_SCHEMA,
          dev: { description: 'the receiving interface, by name or ifindex (default eth0)', anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 1 }] },
          cpu: { type: 'integer', minimum: 0, description: 'the CPU that receives it (default 0)' },
          rx_queue: { type: 'integer', minimum: 0, description: 'the receive queue (rx_queue_index, default 0)' },
        },
        required: ['packet'],
      },
      observation: PACKET_OBSERVATION_SCHEMA,
      run: (hook, step: PacketStep) => receivePacket(hook, step),
      format: (o: PacketObservation) => formatPacketObservation(o),
    },
    send: {
      doc: 'the machine sends a frame out of an interface: tc egress programs, then packet sockets (which see outgoing frames), then the wire',
      schema: {
        type: 'object',
        properties: {
          send: PACKET_DESCRIPTION_SCHEMA,
          dev: { description: 'the sending interface, by name or ifindex (default eth0)', anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 1 }] },
          cpu: { type: 'integer', minimum: 0, description: 'the CPU that sends it (default 0)' },
          tx_queue: { type: 'integer', minimum: 0, description: 'the transmit queue (default 0)' },
        },
        required: ['send'],
      },
      observation: {
        type: 'object',
        properties: {
          dev: { type: 'string' },
          ifindex: { type: 'integer', minimum: 1 },
          cpu: { type: 'integer', minimum: 0 },
          sent: FRAME_VIEW_SCHEMA,
          stages: { type: 'array', items: { type: 'object', properties: { stage: { type: 'string' } }, required: ['stage'] } },
          fate: FATE_SCHEMA,
          frame: FRAME_VIEW_SCHEMA,
        },
        required: ['dev', 'ifindex', 'cpu', 'sent', 'stages', 'fate', 'frame'],
        additionalProperties: false,
      },
      run: (hook, step: SendStep) => sendPacket(hook, step),
      format: (o: SendObservation) => formatSendObservation(o),
    },
    network: {
      doc: 'sets up the machine\'s network: its interfaces (besides lo), addresses, routes, neighbours and whether it forwards',
      schema: { type: 'object', properties: { network: NETWORK_SPEC_SCHEMA }, required: ['network'] },
      observation: {
        type: 'object',
        properties: {
          interfaces: {
            type: 'array',
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, ifindex: { type: 'integer' }, mac: { type: 'string' }, mtu: { type: 'integer' }, addresses: { type: 'array', items: { type: 'string' } } },
              required: ['name', 'ifindex', 'mac', 'mtu', 'addresses'],
              additionalProperties: false,
            },
          },
          routes: { type: 'integer', minimum: 0 },
          neighbors: { type: 'integer', minimum: 0 },
        },
        required: ['interfaces', 'routes', 'neighbors'],
        additionalProperties: false,
      },
      run: (hook, step: NetworkStep): NetworkObservation => {
        let network;
        try {
          network = createNetwork(step.network);
        } catch (e) {
          return badStep('network', e);
        }
        netStack(hook.kernel).setNetwork(network);
        return {
          interfaces: network.devices.map((d) => ({
            name: d.name,
            ifindex: d.ifindex,
            mac: formatMac(d.mac),
            mtu: d.mtu,
            addresses: d.addresses.map((a) => `${a.family === 'ipv6' ? formatIpv6(a.address) : formatIpv4(a.address)}/${a.length}`),
          })),
          routes: network.routes.length,
          neighbors: network.neighbors.length,
        };
      },
      format: (o: NetworkObservation) => o.interfaces.map((i) => `${i.ifindex}: ${i.name} ${i.mac} mtu ${i.mtu}${i.addresses.length === 0 ? '' : ` ${i.addresses.join(' ')}`}`),
    },
  },
  artifacts: {
    pcap: {
      doc: 'the frames that left the receive path alive (passed, transmitted, redirected), as they left it',
      write: (hook) => (hook.state.captured.length === 0 ? undefined : writePcap(hook.state.captured)),
    },
  },
  summary(hook) {
    const counts = [...hook.state.actionCounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (counts.length === 0) return undefined;
    const total = counts.reduce((n, [, c]) => n + c, 0);
    return {
      title: 'frames received',
      data: { total, actions: Object.fromEntries(counts) },
      text: [...counts.map(([a, c]) => `${a.padEnd(16)} ${String(c).padStart(8)}`), `${'total'.padEnd(16)} ${String(total).padStart(8)}`],
    };
  },
});

/**
 * Runs an XDP program on one frame without attaching it (like
 * `BPF_PROG_TEST_RUN`, but with a real XDP buffer: headroom, tailroom, the
 * receiving interface, redirects). `host` is the registry's installation
 * in the program's kernel, with `xdpHook` registered.
 */
export function runXdp(host: HookHost, program: LoadedProgram, packet: PacketInput, options: XdpRunOptions = {}): XdpObservation {
  const state = host.state(xdpHook);
  const rx = resolveRx(state, options);
  const idle = host.kernel.tasks.require(0);
  return processXdp(state, program, packetBytes(packet), rx, (ctx): ProgramRun => {
    const r = host.kernel.run(program, ctx, { cpu: rx.cpu, task: idle, traceContext: XDP_TRACE_CONTEXT });
    return {
      program: program.name,
      point: rx.dev.name,
      cpu: rx.cpu,
      pid: 0,
      retval: r.retval,
      r0: `0x${r.r0.toString(16)}`,
      trace: r.trace.map((l) => (l.endsWith('\n') ? l.slice(0, -1) : l)),
    };
  }).observation;
}

/** The XDP state of the kernel a host runs in. */
export function xdpState(host: HookHost): XdpState {
  return host.state(xdpHook);
}
