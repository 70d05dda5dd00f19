// The verifier log buffer (rotating, rewindable) against a one-string model
// of the same rules, on random writes and rewinds with small capacities:
// same end position and same kept text after every step.
import fc from 'fast-check';
import { LogBuffer } from '../src/log/log-buffer';

/** The rules in their plainest form: one string, compacted to the last `capacity` chars past twice that. */
class ModelLog {
  private text = '';
  private dropped = 0;
  constructor(private readonly capacity: number) {}
  get end(): number {
    return this.dropped + this.text.length;
  }
  write(s: string): void {
    this.text += s;
    if (this.text.length > this.capacity * 2) {
      const keep = this.text.slice(this.text.length - this.capacity);
      this.dropped += this.text.length - keep.length;
      this.text = keep;
    }
  }
  reset(pos: number): void {
    const cut = this.end - Math.max(pos, this.dropped);
    if (cut > 0) this.text = this.text.slice(0, this.text.length - cut);
  }
  toString(): string {
    return this.text.length > this.capacity ? this.text.slice(this.text.length - this.capacity) : this.text;
  }
}

type Op = { kind: 'write'; s: string } | { kind: 'reset'; back: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }).map((s) => ({ kind: 'write' as const, s })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }).map((back) => ({ kind: 'reset' as const, back })) },
);

test('LogBuffer = the one-string model', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 8 }), fc.array(opArb, { maxLength: 200 }), (capacity, chunkParts, ops) => {
      const log = new LogBuffer(true, capacity, chunkParts);
      const model = new ModelLog(capacity);
      for (const op of ops) {
        if (op.kind === 'write') {
          log.write(op.s);
          model.write(op.s);
        } else {
          const pos = Math.max(0, model.end - op.back);
          log.reset(pos);
          model.reset(pos);
        }
        expect([log.end, log.toString()]).toEqual([model.end, model.toString()]);
      }
    }),
    { numRuns: 3000 },
  );
});
