/**
 * Links (`BPF_LINK_CREATE`): a program attached to a hook. The hook plugin
 * fills the body (type, target, how to detach); the kernel keeps the
 * program alive while the link lives and detaches when the link's last
 * reference goes, or earlier on `BPF_LINK_DETACH`.
 */
import { ERRNO } from '@bpflab/uapi';
import { RefCounted } from './internal/refcount';
import type { LoadedProgram } from './program';
import type { LinkBody } from './program-types';
import { fail, OK, type SysResult } from './result';

/** A link between a program and a hook. */
export class Link extends RefCounted {
  readonly kind = 'link';
  private detachedNow = false;

  constructor(
    readonly id: number,
    readonly program: LoadedProgram,
    readonly body: LinkBody,
  ) {
    super();
    program.hold();
  }

  describe(): string {
    return `link #${this.id} (${this.body.type} ${this.body.target})`;
  }

  /** Whether the program was detached from its hook. */
  get detached(): boolean {
    return this.detachedNow;
  }

  /** `BPF_LINK_DETACH`: detaches now; the link stays until its last reference. ENOLINK when already detached. */
  detach(): SysResult {
    if (this.detachedNow) return fail(ERRNO.ENOLINK, `${this.describe()}: already detached`);
    this.detachedNow = true;
    this.body.detach();
    return OK;
  }

  protected onLastRelease(): void {
    if (!this.detachedNow) {
      this.detachedNow = true;
      this.body.detach();
    }
    this.program.release();
  }
}
