/**
 * The address space: one linear `WebAssembly.Memory` holding every byte a
 * BPF program can touch, and a table of the regions mapped in it.
 *
 * ```
 *  0x0            guardBytes                                        byteLength
 *  +--------------+---------+-----+---------+-----+---------+--------+
 *  | never mapped | stack   | gap | ctx     | gap | map_val | (free) |
 *  | (NULL guard) | region  |     | region  |     | region  |        |
 *  +--------------+---------+-----+---------+-----+---------+--------+
 * ```
 *
 * A pointer a program holds is a plain address in this memory. An access is
 * allowed only when it lies entirely inside one region (and, for a write, a
 * writable one); everything else is a fault whose message names the nearest
 * region. Regions are separated by unmapped gaps so that running a little past
 * the end of one never lands in the next.
 */
import { VmError, type FaultInfo } from './errors';

/** What a region holds. */
export type RegionKind =
  /** BPF stack frames */
  | 'stack'
  /** a program's context object */
  | 'ctx'
  /** packet data */
  | 'packet'
  /** map values (what `bpf_map_lookup_elem` points into) */
  | 'map_value'
  /** `.data`/`.rodata`/`.bss` global data */
  | 'global'
  /** simulated kernel objects (task_struct, files, ...) */
  | 'kernel'
  /** plain memory handed to a program (the conformance harness's `mem`) */
  | 'mem';

/** One mapped range `[start, start + size)`. Regions are immutable values. */
export interface Region {
  /** unique within its address space, never reused */
  readonly id: number;
  readonly name: string;
  readonly kind: RegionKind;
  /** first address */
  readonly start: number;
  /** size in bytes */
  readonly size: number;
  readonly writable: boolean;
}

/** What to map. */
export interface AllocateOptions {
  /** shown in fault messages and traces, e.g. `ctx`, `.rodata`, `map:counts` */
  readonly name: string;
  readonly kind: RegionKind;
  /** size in bytes (0 is allowed: a region no access fits in) */
  readonly size: number;
  /** default true */
  readonly writable?: boolean;
  /** alignment of the start address, a power of two; default 8 */
  readonly align?: number;
  /** initial contents (the rest of the region is zero); at most `size` bytes */
  readonly init?: Uint8Array;
}

/** Sizing of an address space. */
export interface AddressSpaceOptions {
  /** bytes of memory to start with (rounded up to 64 KiB pages); default 256 KiB */
  readonly initialBytes?: number;
  /** the most the memory may grow to (rounded up to pages, at most 4 GiB); default 256 MiB */
  readonly maxBytes?: number;
  /** addresses below this are never mapped, so NULL and small offsets from it fault; default 64 KiB */
  readonly guardBytes?: number;
  /** unmapped bytes kept between regions; default 64 */
  readonly gapBytes?: number;
}

/** The defaults of `AddressSpaceOptions`. */
export const DEFAULT_ADDRESS_SPACE_OPTIONS: Required<AddressSpaceOptions> = {
  initialBytes: 256 * 1024,
  maxBytes: 256 * 1024 * 1024,
  guardBytes: 64 * 1024,
  gapBytes: 64,
};

/** The parts of `WebAssembly.Memory` the VM uses (typed here: the project's `lib` has no WebAssembly). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** An address as a program or an embedder holds it. */
export type Address = number | bigint;

const PAGE = 65536;
/** Addresses below this are reported as offsets from NULL (like the first page in Linux). */
const NULL_PAGE = 4096;
const MAX_PAGES = 65536;
const FOUR_GIB = 2 ** 32;

interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum?: number }): WasmMemory;
}

function wasmMemoryConstructor(): WasmMemoryConstructor {
  const wasm = (globalThis as { WebAssembly?: { Memory?: WasmMemoryConstructor } }).WebAssembly;
  if (wasm?.Memory === undefined) {
    throw new VmError('bad-call', 'this JavaScript runtime has no WebAssembly.Memory, which the address space needs');
  }
  return wasm.Memory;
}

/** `0x1a2b` */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE));
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function plural(n: number | bigint, one: string): string {
  return `${n} ${one}${n === 1 || n === 1n ? '' : 's'}`;
}

/** `ctx [0x1000, 0x100c)` */
export function formatRegion(r: Region): string {
  return `${r.name} [${hex(r.start)}, ${hex(r.start + r.size)})`;
}

function checkInteger(what: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new VmError('bad-call', `${what} must be an integer in [${min}, ${max}], is ${v}`);
  }
}

/**
 * One linear memory and its region table. Pointers are addresses in it.
 *
 * The typed accessors (`readU32`, `writeU64`, ...) check that the access lies
 * inside a region (a writable one for writes) and throw `VmError` code
 * `fault` otherwise. `bytes`/`view` give unchecked access for the VM's own
 * machinery; they are replaced when the memory grows, so fetch them again
 * after any `allocate`.
 */
/** Holes smaller than this may be passed over by `allocate`'s scan hint. */
const HINT_HOLE = 64;

export class AddressSpace {
  /** the underlying `WebAssembly.Memory` (shareable with a WebAssembly JIT) */
  readonly memory: WasmMemory;
  readonly options: Required<AddressSpaceOptions>;
  private readonly list: Region[] = [];
  private readonly byId = new Map<number, Region>();
  /**
   * No hole of HINT_HOLE bytes or more lies before `list[holeHint]`: allocation
   * scans from there, so a long run of allocations without frees appends in
   * constant time instead of rescanning every region.
   */
  private holeHint = 0;
  private nextId = 1;
  private u8: Uint8Array;
  private dv: DataView;

  constructor(options: AddressSpaceOptions = {}) {
    const o = { ...DEFAULT_ADDRESS_SPACE_OPTIONS, ...options };
    checkInteger('maxBytes', o.maxBytes, PAGE, MAX_PAGES * PAGE);
    checkInteger('initialBytes', o.initialBytes, 0, o.maxBytes);
    checkInteger('guardBytes', o.guardBytes, 1, o.maxBytes);
    checkInteger('gapBytes', o.gapBytes, 0, 1 << 30);
    this.options = o;
    const maximum = pagesFor(o.maxBytes);
    this.memory = new (wasmMemoryConstructor())({ initial: Math.min(pagesFor(o.initialBytes), maximum), maximum });
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }

  /** Current size of the memory in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** All regions, sorted by start address. */
  regions(): readonly Region[] {
    return this.list.slice();
  }

  /** Unchecked byte view of the whole memory (replaced when the memory grows). */
  bytes(): Uint8Array {
    this.refresh();
    return this.u8;
  }

  /** Unchecked `DataView` of the whole memory (replaced when the memory grows). */
  view(): DataView {
    this.refresh();
    return this.dv;
  }

  private refresh(): void {
    if (this.u8.buffer !== this.memory.buffer) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.dv = new DataView(this.memory.buffer);
    }
  }

  /**
   * Maps a new region of `size` zeroed bytes (then `init` copied in) at the
   * lowest free aligned address (holes under 64 bytes left by freed regions
   * may be passed over), growing the memory if needed. Throws `out-of-memory`
   * when the maximum would be exceeded.
   */
  allocate(opts: AllocateOptions): Region {
    const align = opts.align ?? 8;
    checkInteger(`size of region ${opts.name}`, opts.size, 0, FOUR_GIB);
    if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > PAGE) {
      throw new VmError('bad-call', `alignment of region ${opts.name} must be a power of two up to 65536, is ${align}`);
    }
    if (opts.init !== undefined && opts.init.length > opts.size) {
      throw new VmError(
        'bad-call',
        `initial contents of region ${opts.name} are ${opts.init.length} bytes, more than its size of ${opts.size}`,
      );
    }
    const gap = this.options.gapBytes;
    let index = Math.min(this.holeHint, this.list.length);
    const before = this.list[index - 1];
    let at = alignUp(before === undefined ? this.options.guardBytes : before.start + before.size + gap, align);
    // The first hole worth remembering at or after the hint, if the scan passes one.
    let firstHole = -1;
    for (; index < this.list.length; index++) {
      const r = this.list[index]!;
      if (at + opts.size + gap <= r.start) break;
      const prev = this.list[index - 1];
      const free = r.start - (prev === undefined ? this.options.guardBytes : prev.start + prev.size + gap);
      if (firstHole < 0 && free >= HINT_HOLE) firstHole = index;
      at = Math.max(at, alignUp(r.start + r.size + gap, align));
    }
    const end = at + opts.size;
    if (end > this.byteLength) this.growTo(end, opts.name, opts.size);
    const region: Region = Object.freeze({
      id: this.nextId++,
      name: opts.name,
      kind: opts.kind,
      start: at,
      size: opts.size,
      writable: opts.writable ?? true,
    });
    this.list.splice(index, 0, region);
    this.byId.set(region.id, region);
    // Before `index` only holes under HINT_HOLE remain unless the scan saw one;
    // the space right after the new region may still be a hole.
    this.holeHint = firstHole >= 0 ? firstHole : index + 1;
    this.refresh();
    this.u8.fill(0, at, end);
    if (opts.init !== undefined) this.u8.set(opts.init, at);
    return region;
  }

  private growTo(end: number, name: string, size: number): void {
    const need = pagesFor(end);
    const max = pagesFor(this.options.maxBytes);
    if (need > max || end > FOUR_GIB) {
      throw new VmError(
        'out-of-memory',
        `cannot map ${plural(size, 'byte')} for region ${name}: the address space would need ${sizeText(need * PAGE)}, ` +
          `more than its maximum of ${sizeText(max * PAGE)} (AddressSpaceOptions.maxBytes)`,
      );
    }
    this.memory.grow(need - this.byteLength / PAGE);
    this.refresh();
  }

  /** Unmaps a region. Its addresses fault from now on and may be reused by later allocations. */
  free(region: Region | number): void {
    const id = typeof region === 'number' ? region : region.id;
    const r = this.byId.get(id);
    if (r === undefined) throw new VmError('bad-call', `cannot free region #${id}: it is not mapped (freed twice?)`);
    const i = this.indexOf(r);
    this.list.splice(i, 1);
    this.byId.delete(id);
    this.holeHint = Math.min(this.holeHint, i);
  }

  /** Index of a mapped region in the sorted list (binary search by start). */
  private indexOf(region: Region): number {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.list[mid]!;
      if (r.start < region.start) lo = mid + 1;
      else if (r.start > region.start) hi = mid - 1;
      else if (r.id === region.id) return mid;
      else break;
    }
    // Zero-sized regions can share a start: fall back to a scan.
    return this.list.findIndex((r) => r.id === region.id);
  }

  /** Makes a region read-only or writable again; returns the updated region value. */
  protect(region: Region | number, writable: boolean): Region {
    const id = typeof region === 'number' ? region : region.id;
    const old = this.byId.get(id);
    if (old === undefined) throw new VmError('bad-call', `cannot protect region #${id}: it is not mapped`);
    const updated: Region = Object.freeze({ ...old, writable });
    this.list[this.indexOf(old)] = updated;
    this.byId.set(id, updated);
    return updated;
  }

  /** The region with this id, if mapped. */
  region(id: number): Region | undefined {
    return this.byId.get(id);
  }

  /** The region containing `address`, if any. */
  regionAt(address: Address): Region | undefined {
    const a = Number(address);
    if (!(a >= 0 && a < FOUR_GIB)) return undefined;
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.list[mid]!;
      if (a < r.start) hi = mid - 1;
      else if (a >= r.start + r.size) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  /**
   * The region an access of `size` bytes at `address` lies entirely in, or
   * undefined when the access would fault (including writes to a read-only region).
   */
  accessible(address: Address, size: number, access: 'read' | 'write'): Region | undefined {
    const r = this.regionAt(address);
    if (r === undefined) return undefined;
    const a = Number(address);
    if (a + size > r.start + r.size) return undefined;
    if (access === 'write' && !r.writable) return undefined;
    return r;
  }

  /**
   * Returns the address (as a number) when an access of `size` bytes at
   * `address` is allowed; throws `VmError` code `fault` otherwise.
   */
  check(address: Address, size: number, access: 'read' | 'write'): number {
    if (this.accessible(address, size, access) !== undefined) return Number(address);
    throw this.fault(access, size, BigInt.asUintN(64, BigInt(address)));
  }

  /**
   * `ctx+12`, `stack-8`, `NULL+16` or just `0x...`: an address relative to the
   * region it is in or nearest to.
   */
  describe(address: Address): string {
    const a = BigInt.asUintN(64, BigInt(address));
    if (a < BigInt(Math.min(NULL_PAGE, this.options.guardBytes))) return `NULL+${a}`;
    if (a >= BigInt(FOUR_GIB)) return hex(a);
    const r = this.nearest(Number(a));
    if (r === undefined) return hex(a);
    const off = Number(a) - r.start;
    return off < 0 ? `${r.name}${off}` : `${r.name}+${off}`;
  }

  private nearest(a: number): Region | undefined {
    let best: Region | undefined;
    let bestDistance = Infinity;
    for (const r of this.list) {
      const d = a < r.start ? r.start - a : a >= r.start + r.size ? a - (r.start + r.size) + 1 : 0;
      if (d < bestDistance) {
        best = r;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * The fault error for a refused access: what was accessed, where relative
   * to the nearest region, and why it is refused; prefixed with the pc when given.
   */
  fault(access: 'read' | 'write', size: number, address: bigint, pc?: number): VmError {
    const a = BigInt.asUintN(64, address);
    const head = `${pc === undefined ? '' : `pc ${pc}: `}${access} of ${plural(size, 'byte')} at ${hex(a)}`;
    const info = (region?: Region): FaultInfo =>
      region === undefined ? { access, size, address: a } : { access, size, address: a, region: region.name };
    const make = (message: string, region?: Region): VmError =>
      new VmError('fault', message, pc === undefined ? { fault: info(region) } : { pc, fault: info(region) });
    if (a + BigInt(size) > BigInt(FOUR_GIB)) {
      return make(`${head}: outside the address space (addresses end at 0x100000000; a bad pointer or a negative offset?)`);
    }
    const n = Number(a);
    if (n < Math.min(NULL_PAGE, this.options.guardBytes)) {
      return make(`${head} (NULL+${n}): null pointer dereference (nothing is mapped below ${hex(this.options.guardBytes)})`);
    }
    const inside = this.regionAt(n);
    if (inside !== undefined) {
      const where = `${head} (${this.describe(n)})`;
      const end = inside.start + inside.size;
      if (n + size > end) {
        return make(`${where}: runs ${plural(n + size - end, 'byte')} past the end of the region ${formatRegion(inside)}`, inside);
      }
      return make(`${where}: the region ${formatRegion(inside)} is read-only`, inside);
    }
    const near = this.nearest(n);
    if (near === undefined) return make(`${head}: nothing is mapped there (the address space has no regions)`);
    const where = `${head} (${this.describe(n)})`;
    if (n < near.start && n + size > near.start) {
      return make(`${where}: starts ${plural(near.start - n, 'byte')} before the region ${formatRegion(near)}`, near);
    }
    return make(`${where}: outside the region ${formatRegion(near)}`, near);
  }

  /* -------------------------------------------------------- typed access */

  /** Reads an unsigned byte. */
  readU8(address: Address): number {
    const a = this.check(address, 1, 'read');
    return this.u8[a]!;
  }

  /** Reads an unsigned little-endian 16-bit value. */
  readU16(address: Address): number {
    const a = this.check(address, 2, 'read');
    return this.view().getUint16(a, true);
  }

  /** Reads an unsigned little-endian 32-bit value. */
  readU32(address: Address): number {
    const a = this.check(address, 4, 'read');
    return this.view().getUint32(a, true);
  }

  /** Reads an unsigned little-endian 64-bit value. */
  readU64(address: Address): bigint {
    const a = this.check(address, 8, 'read');
    return this.view().getBigUint64(a, true);
  }

  /** Writes a byte (the low 8 bits of `value`). */
  writeU8(address: Address, value: number): void {
    const a = this.check(address, 1, 'write');
    this.bytes()[a] = value;
  }

  /** Writes a little-endian 16-bit value (the low 16 bits of `value`). */
  writeU16(address: Address, value: number): void {
    const a = this.check(address, 2, 'write');
    this.view().setUint16(a, value & 0xffff, true);
  }

  /** Writes a little-endian 32-bit value (the low 32 bits of `value`). */
  writeU32(address: Address, value: number): void {
    const a = this.check(address, 4, 'write');
    this.view().setUint32(a, value >>> 0, true);
  }

  /** Writes a little-endian 64-bit value (modulo 2^64, so negative values are two's complement). */
  writeU64(address: Address, value: bigint): void {
    const a = this.check(address, 8, 'write');
    this.view().setBigUint64(a, BigInt.asUintN(64, value), true);
  }

  /** Copies `length` bytes out of the memory. */
  readBytes(address: Address, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    const a = this.check(address, length, 'read');
    return this.bytes().slice(a, a + length);
  }

  /** Copies bytes into the memory. */
  writeBytes(address: Address, data: Uint8Array): void {
    if (data.length === 0) return;
    const a = this.check(address, data.length, 'write');
    this.bytes().set(data, a);
  }

  /**
   * Length of the NUL-terminated string at `address` (without the NUL).
   * Faults if the string runs out of its region before a NUL or exceeds `maxLength`.
   */
  cStringLength(address: Address, maxLength = 65536): number {
    const start = this.check(address, 1, 'read');
    const region = this.regionAt(start)!;
    const u8 = this.bytes();
    const limit = Math.min(region.start + region.size, start + maxLength + 1);
    for (let i = start; i < limit; i++) if (u8[i] === 0) return i - start;
    if (limit === start + maxLength + 1) {
      throw new VmError(
        'fault',
        `string at ${hex(start)} (${this.describe(start)}) has no NUL within ${maxLength} bytes`,
        { fault: { access: 'read', size: maxLength + 1, address: BigInt(start), region: region.name } },
      );
    }
    throw this.fault('read', limit - start + 1, BigInt(start));
  }

  /** Reads the NUL-terminated UTF-8 string at `address`. */
  readCString(address: Address, maxLength = 65536): string {
    const n = this.cStringLength(address, maxLength);
    return new TextDecoder().decode(this.readBytes(address, n));
  }
}
