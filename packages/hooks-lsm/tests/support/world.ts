// A simulated machine with the LSM plugin installed, the way bpflab sim
// sets one up: a kernel with its BTF and the CO-RE relocator, a registry
// holding the LSM plugin, objects loaded and attached by their SEC() names.
import { HookRegistry, Kernel, type AttachOutcome, type BpfObject, type HookHost } from '@bpflab/kernel';
import { createLsmHook, lsmHook, type FileOpObservation, type LsmHookOptions, type LsmState } from '../../src/index';

/** One machine. */
export interface World {
  readonly kernel: Kernel;
  readonly host: HookHost;
  readonly state: LsmState;
  /** runs an `op` step and gives its observation */
  op(step: Readonly<Record<string, unknown>>): FileOpObservation;
  /** opens, loads and attaches an object by its sections */
  load(bytes: Uint8Array, name: string): { readonly obj: BpfObject; readonly outcomes: readonly AttachOutcome[] };
}

/** A new machine (2 CPUs) with the LSM plugin. */
export function world(options?: LsmHookOptions): World {
  const kernel = new Kernel();
  const plugin = options === undefined ? lsmHook : createLsmHook(options);
  const host = new HookRegistry().register(plugin).install(kernel);
  const state = host.state(plugin);
  return {
    kernel,
    host,
    state,
    op: (step) => host.runStep({ op: 'open', ...step }).observation as FileOpObservation,
    load(bytes, name) {
      const obj = kernel.openObject(bytes, { name });
      const r = obj.load();
      if (!r.ok) throw new Error(`${name}: ${r.message}`);
      return { obj, outcomes: host.attachObject(obj) };
    },
  };
}
