/**
 * Sharding a batch over several processes, pods or CI jobs: shard `i/N`
 * (1-based, as jest and playwright count) grades the students whose index
 * in the sorted list is ≡ i-1 (mod N). A Kubernetes Indexed Job sets
 * `JOB_COMPLETION_INDEX` (0-based) in every pod; with the count alone on
 * the command line (`--shard 8` or `--shards 8`) each pod grades shard
 * JOB_COMPLETION_INDEX+1 of 8, so one command line serves every pod.
 */
import { BatchError } from './errors';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** What the command line and the environment say about sharding. */
export interface ShardInput {
  /** `--shard`: `i/N`, or `N` alone (the index comes from JOB_COMPLETION_INDEX) */
  readonly shard?: string;
  /** `--shards N`: the count, the index from JOB_COMPLETION_INDEX */
  readonly shards?: string | number;
  /** the environment (reads JOB_COMPLETION_INDEX) */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function positive(s: string, what: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n < 1) throw new BatchError('bad-shard', `${what} must be a positive integer, got '${s}'`);
  return n;
}

/** The shard this process grades, or undefined for the whole batch. Throws BatchError for a bad spec. */
export function resolveShard(input: ShardInput): Shard | undefined {
  const env = input.env ?? {};
  const spec = input.shard?.trim();
  if (spec !== undefined && spec.includes('/')) {
    const [i, n] = spec.split('/');
    const index = positive(i ?? '', '--shard index');
    const count = positive(n ?? '', '--shard count');
    if (index > count) throw new BatchError('bad-shard', `--shard ${spec}: the index must be between 1 and ${count}`);
    if (input.shards !== undefined && positive(String(input.shards), '--shards') !== count) throw new BatchError('bad-shard', `--shard ${spec} and --shards ${input.shards} disagree`);
    return { index, count };
  }
  const countText = spec ?? (input.shards === undefined ? undefined : String(input.shards));
  if (countText === undefined) return undefined;
  const count = positive(countText, spec !== undefined ? '--shard' : '--shards');
  const jci = env.JOB_COMPLETION_INDEX;
  if (jci === undefined || jci === '') {
    throw new BatchError('bad-shard', `--shard ${count} without an index: give --shard i/${count}, or run where JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job)`);
  }
  if (!/^\d+$/.test(jci)) throw new BatchError('bad-shard', `JOB_COMPLETION_INDEX must be a number from 0, got '${jci}'`);
  const index = Number(jci) + 1;
  if (index > count) throw new BatchError('bad-shard', `JOB_COMPLETION_INDEX=${jci} is out of range for ${count} shards (indexes 0..${count - 1})`);
  return { index, count };
}

/** The items of shard `shard` (all of them without one). */
export function selectShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** The folder name of a shard's results: `shard-2-of-4`. */
export function shardDirName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}`;
}
