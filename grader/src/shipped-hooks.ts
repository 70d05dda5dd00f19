/**
 * The hook plugins bpflab ships, registered in one registry: what
 * `bpflab sim` drives scenarios with and `bpflab hooks` lists. A shipped
 * plugin is added here (and to this package's dependencies).
 */
import { lsmHook } from '@bpflab/hooks-lsm';
import { socketFilterHook, tcHook } from '@bpflab/hooks-skb';
import { tracepointHook } from '@bpflab/hooks-tracepoint';
import { xdpHook } from '@bpflab/hooks-xdp';
import { HookRegistry, type AnyHookPlugin } from '@bpflab/kernel';

/** The shipped plugins, in registration order. */
export const SHIPPED_HOOKS: readonly AnyHookPlugin[] = [tracepointHook, lsmHook, xdpHook, socketFilterHook, tcHook];

/** A registry holding every shipped plugin. */
export function shippedHookRegistry(): HookRegistry {
  const registry = new HookRegistry();
  for (const plugin of SHIPPED_HOOKS) registry.register(plugin);
  return registry;
}
