// The verifier's soundness, by running what it accepts: random programs
// (tools/test-support/bpf-fuzz.ts, the generator of the verifier's own fuzz
// test) are verified with @bpflab/verifier, and every accepted one is loaded
// into a simulated kernel and run once through BPF_PROG_TEST_RUN with a
// realistic context: the program type's context bytes, for XDP an xdp_md
// whose data/data_end bound a real packet, for socket filters a packet for
// LD_ABS/LD_IND, and live maps (hash, array, ring buffer). The run must
// end without a memory fault and within its instruction budget: anything
// else is a verifier soundness bug (or a harness bug).
//
// BPFLAB_FUZZ_SEED replays a run; BPFLAB_FUZZ_RUNS sizes each stream.
import type { Insn } from '@bpflab/isa';
import { PROGRAM_TYPES, verify } from '@bpflab/verifier';
import { FUZZ_MAPS, idiomProgram, rawProgram, rng } from '../../../tools/test-support/bpf-fuzz';
import { Kernel } from '../src/index';

const SEED = Number(process.env.BPFLAB_FUZZ_SEED ?? 0x5eed);
const RUNS = Number(process.env.BPFLAB_FUZZ_RUNS ?? 12_000);
/** instructions one run may execute: bpf_loop callbacks make long runs legitimate, a fault never is */
const BUDGET = 20_000_000;

const KERNEL_TYPE: Readonly<Record<string, string>> = { socket_filter: 'SOCKET_FILTER', xdp: 'XDP', tracepoint: 'TRACEPOINT' };

/** Ethernet + IPv4 + UDP, 64 bytes: enough for every header the programs check. */
const FRAME = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);

interface Harness {
  readonly kernel: Kernel;
  readonly mapFds: readonly number[];
}

function harness(): Harness {
  const kernel = new Kernel({ budget: BUDGET });
  const mapFds = FUZZ_MAPS.map((m) => {
    const r = kernel.bpf.mapCreate({ type: m.type.toUpperCase() as 'HASH', keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, name: m.type });
    if (!r.ok) throw new Error(`harness: map ${m.type}: ${r.message}`);
    return r.value;
  });
  // a few hash entries, so lookups find values on some runs
  for (let k = 0; k < 8; k += 2) {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, k, true);
    kernel.bpf.mapUpdateElem(mapFds[0]!, key, new Uint8Array(8));
  }
  kernel.bpf.mapUpdateElem(mapFds[0]!, new Uint8Array(4), new Uint8Array(8));
  return { kernel, mapFds };
}

/** The program with map indices replaced by the harness kernel's fds. */
function withFds(insns: readonly Insn[], fds: readonly number[]): Insn[] {
  return insns.map((i) => {
    if (i.kind !== 'lddw' || (i.pseudo !== 'map_fd' && i.pseudo !== 'map_value')) return i;
    const index = Number(i.value & 0xffffffffn);
    return { ...i, value: (i.value & ~0xffffffffn) | BigInt(fds[index]!) };
  });
}

/** Runs an accepted program: why it failed, 'unsupported' when the kernel lacks a helper it calls, or undefined. */
function run(h: Harness, type: string, insns: readonly Insn[]): string | undefined {
  const { kernel } = h;
  const loaded = kernel.bpf.progLoad({ type: KERNEL_TYPE[type]!, insns: withFds(insns, h.mapFds), license: 'GPL', name: 'fuzz' });
  // Not run: helpers only a hook plugin implements (bpf_xdp_adjust_head) are
  // not in the bare kernel; and bpflab's loader checks every helper call
  // before verification, where Linux (and the verifier) check only the calls
  // on live paths, so a bad call in a branch never taken loads on Linux.
  if (!loaded.ok) return loaded.reason === 'unsupported' || /invalid func|cannot use helper/.test(loaded.message) ? 'unsupported' : `load failed: ${loaded.message}`;
  const packet = kernel.memory.allocate({ name: 'packet', kind: 'packet', size: FRAME.length, init: FRAME });
  try {
    let ctx: Uint8Array;
    if (type === 'xdp') {
      ctx = new Uint8Array(24);
      const v = new DataView(ctx.buffer);
      v.setUint32(0, packet.start, true);
      v.setUint32(4, packet.start + packet.size, true);
      v.setUint32(8, packet.start, true);
      v.setUint32(12, 1, true);
    } else {
      const size = PROGRAM_TYPES[type]!.ctx.size;
      ctx = Uint8Array.from({ length: size }, (_, i) => (i * 13) & 0xff);
    }
    const r = kernel.bpf.progTestRun(loaded.value, { ctx, packet: { start: packet.start, size: packet.size } });
    return r.ok ? undefined : r.message;
  } catch (e) {
    return String(e instanceof Error ? e.message : e);
  } finally {
    kernel.memory.free(packet);
    kernel.bpf.close(loaded.value);
  }
}

const dump = (insns: readonly Insn[]): string => JSON.stringify(insns, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

test('the harness catches a fault: an out-of-bounds map value write the verifier refuses', () => {
  const h = harness();
  const insns: Insn[] = [
    { kind: 'store', size: 4, base: 10, off: -4, src: { imm: 0 } },
    { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 1n },
    { kind: 'alu', op: 'mov', wide: true, dst: 2, src: { reg: 10 } },
    { kind: 'alu', op: 'add', wide: true, dst: 2, src: { imm: -4 } },
    { kind: 'call', helper: 1 },
    { kind: 'jump', op: 'jeq', wide: true, dst: 0, src: { imm: 0 }, off: 1 },
    { kind: 'store', size: 8, base: 0, off: 4096, src: { imm: 1 } },
    { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 0 } },
    { kind: 'exit' },
  ];
  expect(verify({ insns, license: 'GPL' }, PROGRAM_TYPES.tracepoint!, { maps: [...FUZZ_MAPS] }).ok).toBe(false);
  expect(run(h, 'tracepoint', insns)).toMatch(/fault|outside|region/);
});

describe.each([
  ['raw', ['socket_filter', 'xdp', 'tracepoint', 'test']],
  ['idioms', ['socket_filter', 'xdp', 'tracepoint']],
] as const)('%s programs', (flavour, types) => {
  test(`${RUNS} programs: every accepted one runs without a fault (seed ${SEED})`, () => {
    const r = rng(SEED);
    const h = harness();
    let accepted = 0;
    let executed = 0;
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const type = types[i % types.length]!;
      const pt = PROGRAM_TYPES[type]!;
      const insns =
        flavour === 'raw'
          ? rawProgram(r)
          : idiomProgram(r, { packet: type === 'xdp', ctxScalarStart: type === 'xdp' ? 12 : 0, ctxScalarEnd: type === 'xdp' ? 20 : type === 'tracepoint' ? 64 : 48 });
      // the same options per index as the verifier's own fuzz test, so the raw stream is the same programs
      const privileged = flavour === 'raw' ? i % 5 !== 0 : i % 7 !== 0;
      const res = verify({ insns, license: flavour === 'raw' && i % 7 === 0 ? 'MIT' : 'GPL' }, pt, { maps: [...FUZZ_MAPS], privileged, insnLimit: 4000 });
      if (!res.ok) continue;
      accepted++;
      if (KERNEL_TYPE[type] === undefined) continue; // the unit-test type has no kernel counterpart
      const why = run(h, type, insns);
      if (why === 'unsupported') continue;
      executed++;
      if (why !== undefined && failures.length < 5) failures.push(`seed ${SEED} ${flavour} program ${i} (${type}, privileged=${privileged}): ${why}\n${dump(insns)}`);
    }
    console.log(`verifier fuzz, ${flavour}: ${RUNS} programs, ${accepted} accepted, ${executed} run on the kernel`);
    expect(failures).toEqual([]);
    expect(executed).toBeGreaterThan(flavour === 'raw' ? 50 : RUNS / 10);
  });
});
