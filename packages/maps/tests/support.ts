// Helpers shared by the maps tests.
import { AddressSpace, type Region } from '@bpflab/vm';
import {
  MapError,
  MapStore,
  type BpfMap,
  type FdObject,
  type MapDef,
  type MapResult,
  type MapStoreOptions,
} from '../src/index';

/** A little-endian u32. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** A little-endian u64. */
export function u64(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** The u32 at the start of `b`. */
export function readU32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
}

/** The u64 at byte `off` of `b`. */
export function readU64(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}

/** What `bpf()` would return: 0 or the negated errno. */
export function code(r: MapResult<unknown> | { readonly errno: number }): number {
  if ('ok' in r) return r.ok ? 0 : -r.errno;
  return r.errno === 0 ? 0 : -r.errno;
}

/** The value of a successful result (fails the test otherwise). */
export function value<T>(r: MapResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got errno ${r.errno}: ${r.message}`);
  return r.value;
}

/** A store over a fresh address space, with an fd table the test fills in. */
export function setup(options: MapStoreOptions & { readonly fdObjects?: Map<number, FdObject> } = {}): {
  readonly memory: AddressSpace;
  readonly store: MapStore;
  readonly fds: Map<number, FdObject>;
  /** a writable scratch region standing in for a program's stack */
  readonly scratch: Region;
} {
  const memory = new AddressSpace();
  const fds = options.fdObjects ?? new Map<number, FdObject>();
  const store = new MapStore(memory, { cpus: options.cpus ?? 1, fds: { resolve: (fd) => fds.get(fd) } });
  const scratch = memory.allocate({ name: 'stack', kind: 'stack', size: 512 });
  return { memory, store, fds, scratch };
}

/** Creates a map, or fails the test. */
export function create(store: MapStore, def: MapDef): BpfMap {
  return store.create(def);
}

/** The MapError `f` throws. */
export function mapError(f: () => unknown): MapError {
  try {
    f();
  } catch (e) {
    if (e instanceof MapError) return e;
    throw e;
  }
  throw new Error('expected a MapError, but nothing was thrown');
}

/** Every key of a map in get_next_key order. */
export function keys(map: BpfMap): Uint8Array[] {
  const out: Uint8Array[] = [];
  let r = map.getNextKey(null);
  while (r.ok) {
    out.push(r.value);
    r = map.getNextKey(r.value);
  }
  return out;
}

/** Writes bytes into the scratch region at `off` and returns their address (a program's stack buffer). */
export function put(memory: AddressSpace, scratch: Region, off: number, bytes: Uint8Array): number {
  memory.writeBytes(scratch.start + off, bytes);
  return scratch.start + off;
}
