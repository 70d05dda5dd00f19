/** Argument handling shared by the helper implementations (internal). */
import type { BpfMap } from '@bpflab/maps';
import { hex, type ArgNumber, type HelperContext } from '@bpflab/vm';
import { KernelError } from '../errors';
import type { HelperEnv } from './env';

/** The map a helper argument points to; throws when it is not a map (the verifier lets only maps through). */
export function mapArg(env: HelperEnv, ctx: HelperContext, n: ArgNumber): BpfMap {
  const m = env.maps.at(ctx.arg(n));
  if (m === undefined) {
    throw new KernelError('bad-call', `r${n} = ${hex(ctx.arg(n))} is not a map (the verifier only lets map pointers through)`);
  }
  return m;
}

/** The map a helper argument points to, which must be of one of `kinds`. */
export function mapArgOf<K extends BpfMap['kind']>(env: HelperEnv, ctx: HelperContext, n: ArgNumber, kinds: readonly K[], helper: string): Extract<BpfMap, { kind: K }> {
  const m = mapArg(env, ctx, n);
  if (!(kinds as readonly string[]).includes(m.kind)) {
    throw new KernelError('bad-call', `${helper}: map ${m.name} is a ${m.kind} map, not ${kinds.join(' or ')} (the verifier refuses this)`);
  }
  return m as Extract<BpfMap, { kind: K }>;
}

/** A u64 as little-endian bytes. */
export function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}
