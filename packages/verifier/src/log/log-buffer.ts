/**
 * The verifier log as the kernel keeps it: a buffer written at an end
 * position that can be moved back. Moving back and writing again overwrites
 * what was there, which is how the kernel joins an instruction and its state
 * on one line, and why a popped branch at log level 1 can continue on the
 * line of the jump that pushed it. Like the kernel's rotating log, only the
 * last `capacity` bytes are kept.
 */
export class LogBuffer {
  private readonly parts: string[] = [];
  private length = 0;
  /** bytes dropped from the front when the log outgrew its capacity */
  private dropped = 0;

  constructor(
    /** true when anything is being recorded */
    readonly enabled: boolean,
    /** bytes kept (the kernel keeps the tail of what fits in the user's buffer) */
    readonly capacity = (16 << 20) - 1,
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
      const last = this.parts.pop();
      if (last === undefined) break;
      if (last.length > cut) {
        this.parts.push(last.slice(0, last.length - cut));
        this.length -= cut;
        cut = 0;
      } else {
        this.length -= last.length;
        cut -= last.length;
      }
    }
  }

  private compact(): void {
    const all = this.parts.join('');
    const keep = all.slice(all.length - this.capacity);
    this.dropped += all.length - keep.length;
    this.parts.length = 0;
    this.parts.push(keep);
    this.length = keep.length;
  }

  /** The log (its last `capacity` bytes). */
  toString(): string {
    const all = this.parts.join('');
    return all.length > this.capacity ? all.slice(all.length - this.capacity) : all;
  }
}
