/** The base helpers of the simulated kernel: every implementation, by id. */
import type { Helper } from '@bpflab/vm';
import { controlHelpers } from './control';
import type { HelperEnv } from './env';
import { mapHelpers } from './maps';
import { probeHelpers } from './probe';
import { taskHelpers } from './task';
import { traceHelpers } from './trace';

/**
 * Every helper the kernel implements, by id. A program gets those its
 * program type allows, plus what the type adds.
 */
export function baseHelpers(env: HelperEnv): ReadonlyMap<number, Helper> {
  const out = new Map<number, Helper>();
  for (const part of [mapHelpers(env), traceHelpers(env), taskHelpers(env), probeHelpers(env), controlHelpers(env)]) {
    for (const [id, h] of part) out.set(id, h);
  }
  return out;
}
