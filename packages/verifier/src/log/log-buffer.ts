/**
 * The verifier log as the kernel keeps it: a buffer written at an end
 * position that can be moved back. Moving back and writing again overwrites
 * what was there, which is how the kernel joins an instruction and its state
 * on one line, and why a popped branch at log level 1 can continue on the
 * line of the jump that pushed it. Like the kernel's rotating log, only the
 * last `capacity` bytes are kept.
 *
 * A run near the instruction limit writes millions of short strings; they
 * are merged into flat chunks as they come (`chunkParts` at a time), so
 * the log holds a few thousand strings rather than millions, which the
 * garbage collector would otherwise walk again and again.
 */
export class LogBuffer {
  /** older text, in flat chunks */
  private readonly chunks: string[] = [];
  /** the latest writes, not yet merged into a chunk */
  private parts: string[] = [];
  /** bytes in `chunks` and `parts` */
  private length = 0;
  /** bytes dropped from the front when the log outgrew its capacity */
  private dropped = 0;

  constructor(
    /** true when anything is being recorded */
    readonly enabled: boolean,
    /** bytes kept (the kernel keeps the tail of what fits in the user's buffer) */
    readonly capacity = (16 << 20) - 1,
    /** writes merged into one chunk */
    private readonly chunkParts = 512,
  ) {}

  /** Current end position (`log->end_pos`), counting dropped bytes. */
  get end(): number {
    return this.dropped + this.length;
  }

  /** Appends text at the end position. */
  write(s: string): void {
    if (!this.enabled || s === '') return;
    this.parts.push(s);
    this.length += s.length;
    if (this.parts.length >= this.chunkParts) this.flush();
    if (this.length > this.capacity * 2) this.compact();
  }

  /**
   * Moves the end position back to `pos` (`bpf_vlog_reset`); bytes before it
   * keep whatever was last written there.
   */
  reset(pos: number): void {
    if (!this.enabled) return;
    let cut = this.end - Math.max(pos, this.dropped);
    while (cut > 0) {
      const from = this.parts.length > 0 ? this.parts : this.chunks;
      const last = from.pop();
      if (last === undefined) break;
      if (last.length > cut) {
        from.push(last.slice(0, last.length - cut));
        this.length -= cut;
        cut = 0;
      } else {
        this.length -= last.length;
        cut -= last.length;
      }
    }
  }

  /** Merges the latest writes into one chunk. */
  private flush(): void {
    if (this.parts.length === 0) return;
    this.chunks.push(this.parts.join(''));
    this.parts = [];
  }

  /** Drops text from the front until `capacity` bytes are left: whole chunks, then the head of the first one kept. */
  private compact(): void {
    this.flush();
    let h = 0;
    for (let c = this.chunks[h]; c !== undefined && this.length - c.length >= this.capacity; c = this.chunks[++h]) {
      this.length -= c.length;
      this.dropped += c.length;
    }
    const first = this.chunks[h];
    const cut = this.length - this.capacity;
    if (first !== undefined && cut > 0) {
      this.chunks[h] = first.slice(cut);
      this.length -= cut;
      this.dropped += cut;
    }
    this.chunks.splice(0, h);
  }

  /** The log (its last `capacity` bytes). */
  toString(): string {
    const all = this.chunks.join('') + this.parts.join('');
    return all.length > this.capacity ? all.slice(all.length - this.capacity) : all;
  }
}
