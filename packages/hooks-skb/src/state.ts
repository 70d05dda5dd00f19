/**
 * The state of a skb hook plugin in one kernel: the skb behind each
 * `__sk_buff` while a program runs (so helpers find the packet from r1),
 * the redirect target `bpf_redirect` set, the plugin's hook context (bound
 * when the registry installs the plugin, so that the stages it adds to the
 * machine's stack can find attached programs), and counts for the summary.
 */
import type { HookContext, Kernel } from '@bpflab/kernel';
import { SkbError } from './errors';
import type { SkBuff } from './sk-buff';

/** A `bpf_redirect` target not yet consumed (`bpf_redirect_info`). */
export interface SkbRedirect {
  readonly ifindex: number;
  /** `BPF_F_INGRESS`: to the device's receive path instead of its transmit path */
  readonly ingress: boolean;
}

/** A skb plugin's state in one kernel. */
export class SkbState {
  private readonly skbs = new Map<number, SkBuff>();
  private hookNow: HookContext<SkbState> | undefined;
  /** the redirect target of the run in progress */
  redirect: SkbRedirect | undefined;
  /** verdicts or deliveries, for the summary */
  readonly counts = new Map<string, number>();

  constructor(readonly kernel: Kernel) {}

  /** Binds the plugin's hook context (done once, when the registry installs the plugin). */
  bind(hook: HookContext<SkbState>): void {
    this.hookNow = hook;
  }

  /** The plugin's hook context. */
  get hook(): HookContext<SkbState> {
    if (this.hookNow === undefined) throw new SkbError('bad-call', 'the skb plugin was not installed in this kernel through a HookRegistry');
    return this.hookNow;
  }

  /** Whether the plugin is installed (its hook bound). */
  get installed(): boolean {
    return this.hookNow !== undefined;
  }

  /** Makes a skb reachable from its `__sk_buff` address while a program runs on it. */
  enter(skb: SkBuff): void {
    this.skbs.set(skb.ctx.start, skb);
  }

  /** Ends the run of a skb. */
  leave(skb: SkBuff): void {
    this.skbs.delete(skb.ctx.start);
  }

  /** The skb whose `__sk_buff` is at `ctx` (r1 of a skb helper). */
  skb(ctx: number, helper: string): SkBuff {
    const s = this.skbs.get(ctx);
    if (s === undefined) {
      throw new SkbError('bad-call', `${helper}: r1 = 0x${ctx.toString(16)} is not the __sk_buff of a packet being processed (the verifier only lets the context through)`);
    }
    return s;
  }

  /** Takes (and clears) the redirect target (`skb_do_redirect` consumes it). */
  takeRedirect(): SkbRedirect | undefined {
    const r = this.redirect;
    this.redirect = undefined;
    return r;
  }

  /** Counts one event for the summary. */
  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }
}
