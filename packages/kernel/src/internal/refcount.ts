/** Reference counting of kernel objects (internal). */
import { KernelError } from '../errors';

/**
 * A kernel object kept alive by references: fds, pins, links, the
 * programs that use a map. `onLastRelease` runs when the count drops to 0.
 */
export abstract class RefCounted {
  private count = 0;
  private released = false;

  /** References held. */
  get refs(): number {
    return this.count;
  }

  /** Whether the last reference went and the object was released. */
  get freed(): boolean {
    return this.released;
  }

  /** Takes a reference. */
  hold(): void {
    if (this.released) throw new KernelError('bad-call', `${this.describe()}: the object was already released`);
    this.count++;
  }

  /** Drops a reference; the last one releases the object. */
  release(): void {
    if (this.released || this.count <= 0) throw new Error(`bpflab kernel internal error: ${this.describe()} released more often than held`);
    this.count--;
    if (this.count === 0) {
      this.released = true;
      this.onLastRelease();
    }
  }

  /** `map counts`, `prog hello`: for messages. */
  abstract describe(): string;

  protected abstract onLastRelease(): void;
}
