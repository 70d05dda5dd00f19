// Random programs: verify() must never throw and never run past its limits,
// whatever the instructions. 10,000+ programs per run from a seeded
// generator (tools/test-support/bpf-fuzz.ts, BPFLAB_FUZZ_SEED to replay).
// That the programs it accepts run without a fault is checked where a
// kernel can run them: packages/kernel/tests/verifier-fuzz.test.ts.
import { FUZZ_MAPS, rawProgram, rng } from '../../../tools/test-support/bpf-fuzz';
import { PROGRAM_TYPES, verify, type MapDescription } from '../src/index';

const SEED = Number(process.env.BPFLAB_FUZZ_SEED ?? 0x5eed);
const RUNS = Number(process.env.BPFLAB_FUZZ_RUNS ?? 12_000);

const MAPS: MapDescription[] = [...FUZZ_MAPS];
const TYPES = ['socket_filter', 'xdp', 'tracepoint', 'test'];

test(`${RUNS} random programs: no throw, limits respected (seed ${SEED})`, () => {
  const r = rng(SEED);
  let accepted = 0;
  const messages = new Map<string, number>();
  for (let i = 0; i < RUNS; i++) {
    const insns = rawProgram(r);
    const type = PROGRAM_TYPES[TYPES[i % TYPES.length] as string];
    if (!type) throw new Error('missing program type');
    const limit = 4000;
    let res;
    try {
      res = verify({ insns, license: i % 7 === 0 ? 'MIT' : 'GPL' }, type, {
        maps: MAPS,
        privileged: i % 5 !== 0,
        insnLimit: limit,
        logLevel: i % 50 === 0 ? 2 : i % 10 === 0 ? 1 : 0,
      });
    } catch (e) {
      throw new Error(`seed ${SEED} program ${i} threw: ${String(e)}\n${JSON.stringify(insns, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
    }
    expect(res.stats.processed).toBeLessThanOrEqual(limit + 1);
    expect(res.errors.length).toBeLessThanOrEqual(1);
    expect(res.ok).toBe(res.errors.length === 0);
    if (res.ok) accepted++;
    else {
      const m = (res.errors[0]?.message ?? '').replace(/-?\d+/g, 'N');
      expect(m.length).toBeGreaterThan(0);
      messages.set(m, (messages.get(m) ?? 0) + 1);
    }
  }
  // The generator must exercise both outcomes and many different rules.
  if (process.env.BPFLAB_FUZZ_STATS) console.log(accepted, [...messages].sort((a, b) => b[1] - a[1]).slice(0, 40));
  expect(accepted).toBeGreaterThan(RUNS / 100);
  expect(messages.size).toBeGreaterThan(40);
});
