/**
 * A set of small non-negative integers (registers 0-10, stack slots 0-63)
 * kept as bits of two 32-bit words: adding, testing and clearing are single
 * bit operations, which matters for the scratch marks touched at every
 * processed instruction.
 */
export class SmallSet implements ReadonlySet<number> {
  private lo = 0;
  private hi = 0;

  /** Adds `n`; numbers outside 0..63 are never asked about and are not kept. */
  add(n: number): this {
    if (n < 0 || n >= 64) return this;
    if (n < 32) this.lo |= 1 << n;
    else this.hi |= 1 << (n - 32);
    return this;
  }

  /** Adds 0..n-1. */
  fill(n: number): this {
    this.lo = n >= 32 ? -1 : (1 << n) - 1;
    this.hi = n >= 64 ? -1 : n > 32 ? (1 << (n - 32)) - 1 : 0;
    return this;
  }

  clear(): void {
    this.lo = 0;
    this.hi = 0;
  }

  has(n: number): boolean {
    if (n < 0 || n >= 64) return false;
    return n < 32 ? (this.lo & (1 << n)) !== 0 : (this.hi & (1 << (n - 32))) !== 0;
  }

  get empty(): boolean {
    return this.lo === 0 && this.hi === 0;
  }

  get size(): number {
    let c = 0;
    for (let n = 0; n < 64; n++) if (this.has(n)) c++;
    return c;
  }

  *values(): SetIterator<number> {
    for (let n = 0; n < 64; n++) if (this.has(n)) yield n;
  }

  keys(): SetIterator<number> {
    return this.values();
  }

  *entries(): SetIterator<[number, number]> {
    for (const n of this.values()) yield [n, n];
  }

  [Symbol.iterator](): SetIterator<number> {
    return this.values();
  }

  forEach(f: (value: number, key: number, set: ReadonlySet<number>) => void, thisArg?: unknown): void {
    for (const n of this.values()) f.call(thisArg, n, n, this);
  }
}
