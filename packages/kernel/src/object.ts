/**
 * The user-space API, in the style of libbpf: open an object, adjust it,
 * load it, then reach its maps and programs by name.
 *
 * ```ts
 * const obj = kernel.openObject(bytes, { name: 'syscount.bpf.o' });
 * const r = obj.load();                       // { ok: true } or why not
 * obj.program('count_syscalls').run(ctx, { cpu: 1, task });
 * const counts = obj.map('syscall_counts');
 * counts.lookup(59);                          // per-CPU: [3n, 1n]
 * counts.lookupElem(keyBytes);                // raw: SysResult<Uint8Array>
 * ```
 *
 * Raw operations (`lookupElem`, `updateElem`, ...) answer with errno
 * results, as libbpf's `bpf_map__*` functions do. The typed ones
 * (`lookup`, `update`, `delete`, `entries`) convert keys and values with
 * the map's BTF types (or as unsigned integers of the map's sizes) and
 * treat ENOENT as "absent"; any other errno throws `KernelError` `errno`.
 */
import { isPercpuKind, isFdKind, joinPerCpuValues, roundUp8, splitPerCpuValues, type BpfMap, type MapInfo } from '@bpflab/maps';
import { readObject, type MapSpec, type ObjectSpec, type ProgramSpec } from '@bpflab/object';
import { ERRNO, errnoName, type MapTypeName, type ProgTypeName } from '@bpflab/uapi';
import { KernelError } from './errors';
import type { Kernel } from './kernel';
import { DEFAULT_PIN_ROOT, loadObjectSpec, type LoadedObjectParts, type MapOverrides, type ObjectLoadFailure } from './loader';
import type { KernelMap } from './objects';
import type { LoadedProgram } from './program';
import type { AttachRequest } from './program-types';
import type { SysResult } from './result';
import type { ProgramRunResult, RunOptions } from './run';
import { btfCodec, intCodec, sizeCodec, type TypedValue, type ValueCodec } from './values';
import type { VerificationStatus } from './verifier';

/** Options of `openObject`. */
export interface OpenObjectOptions {
  /** the object's name or file name (`xdp_firewall.bpf.o`), when opening bytes; default `object` */
  readonly name?: string;
  /** directory of `LIBBPF_PIN_BY_NAME` pins; default `/sys/fs/bpf` */
  readonly pinRoot?: string;
}

/** The defaults of `OpenObjectOptions`. */
export const DEFAULT_OPEN_OBJECT_OPTIONS: Required<OpenObjectOptions> = Object.freeze({ name: 'object', pinRoot: DEFAULT_PIN_ROOT });

/** The outcome of `load()`. */
export type ObjectLoadResult = { readonly ok: true } | ObjectLoadFailure;

/** Where an object is in its life. */
export type ObjectState = 'opened' | 'loaded' | 'closed';

/** A context for a run: bytes (copied in, read back as `ctxOut`) or the address of memory already set up. */
export type RunContext = Uint8Array | { readonly address: number | bigint };

/** What `program.run` gives back. */
export interface ObjectRunResult extends ProgramRunResult {
  /** the context bytes after the run (empty when the context was given by address) */
  readonly ctxOut: Uint8Array;
}

function errnoError(what: string, r: { readonly errno: number; readonly message: string }): KernelError {
  return new KernelError('errno', `${what}: ${errnoName(r.errno) ?? `errno ${r.errno}`}: ${r.message}`, { errno: r.errno });
}

/** An opened BPF object. */
export class BpfObject {
  readonly spec: ObjectSpec;
  private stateNow: ObjectState = 'opened';
  private readonly mapList: BpfObjectMap[];
  private readonly programList: BpfObjectProgram[];
  private partsNow: LoadedObjectParts | undefined;
  private readonly pinRoot: string;

  constructor(
    readonly kernel: Kernel,
    source: Uint8Array | ObjectSpec,
    options: OpenObjectOptions = {},
  ) {
    const o = { ...DEFAULT_OPEN_OBJECT_OPTIONS, ...options };
    this.spec = source instanceof Uint8Array ? readObject(source, { name: o.name }) : source;
    this.pinRoot = o.pinRoot;
    this.mapList = this.spec.maps.map((m) => new BpfObjectMap(this, m));
    this.programList = this.spec.programs.map((p) => new BpfObjectProgram(this, p));
  }

  /** The object's name. */
  get name(): string {
    return this.spec.name;
  }

  get state(): ObjectState {
    return this.stateNow;
  }

  /** The maps, in the object's order. */
  maps(): readonly BpfObjectMap[] {
    return this.mapList;
  }

  /** The programs, in the object's order. */
  programs(): readonly BpfObjectProgram[] {
    return this.programList;
  }

  /**
   * The map called `name`: its name in the object, or for global data its
   * section (`.rodata`, `.bss`) as libbpf's `bpf_object__find_map_by_name`
   * also accepts. Throws `not-found` naming the maps there are.
   */
  map(name: string): BpfObjectMap {
    const m = this.mapList.find((x) => x.name === name) ?? this.mapList.find((x) => x.spec.kind !== 'btf' && x.spec.kind !== 'legacy' && x.spec.section === name);
    if (m === undefined) {
      throw new KernelError('not-found', `object ${this.name} has no map '${name}' (maps: ${this.mapList.map((x) => x.name).join(', ') || 'none'})`);
    }
    return m;
  }

  /** The program called `name` (its function name); throws `not-found` naming the programs there are. */
  program(name: string): BpfObjectProgram {
    const p = this.programList.find((x) => x.name === name);
    if (p === undefined) {
      throw new KernelError('not-found', `object ${this.name} has no program '${name}' (programs: ${this.programList.map((x) => x.name).join(', ') || 'none'})`);
    }
    return p;
  }

  /**
   * Creates the maps and loads the programs (those set to autoload) into
   * the kernel. A failure is a result naming what failed; the object stays
   * opened and may be adjusted and loaded again.
   */
  load(): ObjectLoadResult {
    if (this.stateNow !== 'opened') throw new KernelError('not-loaded', `object ${this.name}: load() needs an opened object, it is ${this.stateNow}`);
    const r = loadObjectSpec(this.kernel, {
      spec: this.spec,
      maps: new Map(this.mapList.map((m) => [m.name, m.overrides()])),
      programs: new Set(this.programList.filter((p) => p.autoload).map((p) => p.name)),
      pinRoot: this.pinRoot,
    });
    if (!r.ok) return r;
    this.partsNow = r;
    this.stateNow = 'loaded';
    return { ok: true };
  }

  /** Closes every fd of the object (`bpf_object__close`); pinned objects stay in bpffs. */
  close(): void {
    if (this.partsNow !== undefined) {
      for (const fd of [...this.partsNow.programFds.values(), ...this.partsNow.mapFds.values()]) this.kernel.bpf.close(fd);
    }
    this.partsNow = undefined;
    this.stateNow = 'closed';
  }

  /** What the load created (internal to the package). */
  parts(what: string): LoadedObjectParts {
    if (this.partsNow === undefined) {
      throw new KernelError('not-loaded', `object ${this.name}: ${what} needs the object loaded (it is ${this.stateNow}): call load() first`);
    }
    return this.partsNow;
  }
}

/** A map of an object. */
export class BpfObjectMap {
  private initial: Uint8Array | undefined;
  private maxEntriesOverride: number | undefined;
  private pinPathOverride: string | null | undefined;

  constructor(
    private readonly object: BpfObject,
    readonly spec: MapSpec,
  ) {}

  /** The map's name (what the kernel calls it, up to 15 characters). */
  get name(): string {
    return this.spec.name;
  }

  /** `BPF_MAP_TYPE_*` short name. */
  get type(): MapTypeName {
    return this.spec.type;
  }

  /* ------------------------------------------------------- before load */

  private opened(what: string): void {
    if (this.object.state !== 'opened') throw new KernelError('bad-call', `map ${this.name}: ${what} must be done before load()`);
  }

  /** Sets a global data map's initial value (`bpf_map__set_initial_value`); before load. */
  setInitialValue(value: Uint8Array): void {
    this.opened('setInitialValue');
    if (this.spec.kind !== 'data' && this.spec.kind !== 'rodata' && this.spec.kind !== 'bss') {
      throw new KernelError('bad-call', `map ${this.name}: only global data maps (.data, .rodata, .bss) have an initial value`);
    }
    if (value.length !== this.spec.valueSize) {
      throw new KernelError('bad-call', `map ${this.name}: the initial value must be ${this.spec.valueSize} bytes, is ${value.length}`);
    }
    this.initial = value.slice();
  }

  /** Sets global variables of a data map by name before load (on top of its current initial value). */
  setGlobals(values: Readonly<Record<string, TypedValue>>): void {
    this.opened('setGlobals');
    const codec = this.valueCodec();
    const current = codec.decode(this.initialValue() ?? new Uint8Array(this.spec.valueSize)) as Readonly<Record<string, TypedValue>>;
    this.setInitialValue(codec.encode({ ...current, ...values }));
  }

  /** The initial value a global data map will get. */
  initialValue(): Uint8Array | undefined {
    if (this.initial !== undefined) return this.initial.slice();
    if (this.spec.kind === 'data' || this.spec.kind === 'rodata') return this.spec.data?.slice();
    if (this.spec.kind === 'bss') return new Uint8Array(this.spec.valueSize);
    return undefined;
  }

  /** `bpf_map__set_max_entries`; before load. */
  setMaxEntries(n: number): void {
    this.opened('setMaxEntries');
    this.maxEntriesOverride = n;
  }

  /** `bpf_map__set_pin_path` (null: do not pin); before load. */
  setPinPath(path: string | null): void {
    this.opened('setPinPath');
    this.pinPathOverride = path;
  }

  /** The settings the loader applies. */
  overrides(): MapOverrides {
    return {
      ...(this.initial === undefined ? {} : { initialValue: this.initial }),
      ...(this.maxEntriesOverride === undefined ? {} : { maxEntries: this.maxEntriesOverride }),
      ...(this.pinPathOverride === undefined ? {} : { pinPath: this.pinPathOverride }),
    };
  }

  /* -------------------------------------------------------- after load */

  /** The kernel's map. */
  get kernelMap(): KernelMap {
    const m = this.object.parts(`map ${this.name}`).maps.get(this.name);
    if (m === undefined) throw new Error(`bpflab kernel internal error: map ${this.name} was loaded without a kernel map`);
    return m;
  }

  /** The live map (the maps package's object). */
  get raw(): BpfMap {
    return this.kernelMap.map;
  }

  /** The map's fd. */
  get fd(): number {
    return this.object.parts(`map ${this.name}`).mapFds.get(this.name)!;
  }

  get id(): number {
    return this.raw.id;
  }

  /** What `bpf_map_info` reports. */
  get info(): MapInfo {
    return this.raw.info;
  }

  /** Where the load pinned the map, if it did. */
  get pinPath(): string | undefined {
    return this.object.parts(`map ${this.name}`).pins.get(this.name);
  }

  /** The codec of keys: the BTF key type, or an unsigned integer of the key size. */
  keyCodec(): ValueCodec {
    const btf = this.object.spec.btf;
    return btf !== undefined && this.spec.keyType !== undefined ? btfCodec(btf, this.spec.keyType) : sizeCodec(this.spec.keySize);
  }

  /** The codec of one value (one CPU's for per-CPU maps; a u32 fd or id for maps of fds). */
  valueCodec(): ValueCodec {
    const kind = this.mapKind();
    if (kind !== undefined && isFdKind(kind)) return intCodec(4, false, '__u32');
    const btf = this.object.spec.btf;
    return btf !== undefined && this.spec.valueType !== undefined ? btfCodec(btf, this.spec.valueType) : sizeCodec(this.spec.valueSize);
  }

  private mapKind(): BpfMap['kind'] | undefined {
    return this.object.state === 'loaded' ? this.raw.kind : undefined;
  }

  private get bpf() {
    return this.object.kernel.bpf;
  }

  /** `bpf_map_lookup_elem`: the raw value (all CPUs' values, each padded to 8 bytes, for per-CPU maps). */
  lookupElem(key: Uint8Array | null, flags = 0): SysResult<Uint8Array> {
    return this.bpf.mapLookupElem(this.fd, key, flags);
  }

  /** `bpf_map_update_elem`. */
  updateElem(key: Uint8Array | null, value: Uint8Array, flags = 0): SysResult {
    return this.bpf.mapUpdateElem(this.fd, key, value, flags);
  }

  /** `bpf_map_delete_elem`. */
  deleteElem(key: Uint8Array | null): SysResult {
    return this.bpf.mapDeleteElem(this.fd, key);
  }

  /** `bpf_map_get_next_key` (`null`: the first key). */
  getNextKey(key: Uint8Array | null): SysResult<Uint8Array> {
    return this.bpf.mapGetNextKey(this.fd, key);
  }

  /** `bpf_map_lookup_and_delete_elem` (a pop for queue/stack). */
  lookupAndDeleteElem(key: Uint8Array | null, flags = 0): SysResult<Uint8Array> {
    return this.bpf.mapLookupAndDeleteElem(this.fd, key, flags);
  }

  /** `bpf_map_freeze`. */
  freeze(): SysResult {
    return this.bpf.mapFreeze(this.fd);
  }

  /** Pins the map at `path`. */
  pin(path: string): SysResult {
    return this.bpf.objPin(this.fd, path);
  }

  private encodeKey(key: TypedValue | null): Uint8Array | null {
    if (key === null) return null;
    return this.keyCodec().encode(key);
  }

  private percpu(): boolean {
    return isPercpuKind(this.raw.kind);
  }

  private decodeValue(bytes: Uint8Array): TypedValue {
    const codec = this.valueCodec();
    if (!this.percpu()) return codec.decode(bytes);
    return splitPerCpuValues(bytes, this.raw.valueSize).map((v) => codec.decode(v));
  }

  private encodeValue(value: TypedValue): Uint8Array {
    const codec = this.valueCodec();
    if (!this.percpu()) return codec.encode(value);
    const cpus = this.raw.cpus;
    if (Array.isArray(value) && value.length !== cpus) {
      throw new KernelError('bad-call', `map ${this.name}: a per-CPU value is an array of ${cpus} values (one per CPU), or one value for all; ${value.length} given`);
    }
    const list = Array.isArray(value) ? (value as readonly TypedValue[]) : Array.from({ length: cpus }, () => value);
    return joinPerCpuValues(list.map((v) => codec.encode(v)), this.raw.valueSize);
  }

  /**
   * The value for `key`, typed (an array with one value per CPU for
   * per-CPU maps); undefined when there is none (ENOENT).
   */
  lookup(key: TypedValue | null): TypedValue | undefined {
    const r = this.lookupElem(this.encodeKey(key));
    if (r.ok) return this.decodeValue(r.value);
    if (r.errno === ERRNO.ENOENT) return undefined;
    throw errnoError(`map ${this.name}: lookup`, r);
  }

  /**
   * Sets `key` to `value` (per-CPU maps: an array with one value per CPU,
   * or one non-array value for every CPU); throws `KernelError` `errno` when the
   * kernel refuses (a full map, BPF_NOEXIST on an existing key...).
   */
  update(key: TypedValue | null, value: TypedValue, flags = 0): void {
    const r = this.updateElem(this.encodeKey(key), this.encodeValue(value), flags);
    if (!r.ok) throw errnoError(`map ${this.name}: update`, r);
  }

  /** Deletes `key`; false when there was none (ENOENT). */
  delete(key: TypedValue | null): boolean {
    const r = this.deleteElem(this.encodeKey(key));
    if (r.ok) return true;
    if (r.errno === ERRNO.ENOENT) return false;
    throw errnoError(`map ${this.name}: delete`, r);
  }

  /** Every key, in `get_next_key` order, typed. */
  keys(): TypedValue[] {
    const codec = this.keyCodec();
    const out: TypedValue[] = [];
    let r = this.getNextKey(null);
    while (r.ok) {
      out.push(codec.decode(r.value));
      r = this.getNextKey(r.value);
    }
    if (r.errno !== ERRNO.ENOENT) throw errnoError(`map ${this.name}: get_next_key`, r);
    return out;
  }

  /** Every element as `[key, value]`, typed, walking keys as the seed's syscount loop does. */
  entries(): Array<readonly [TypedValue, TypedValue]> {
    const codec = this.keyCodec();
    const out: Array<readonly [TypedValue, TypedValue]> = [];
    let r = this.getNextKey(null);
    while (r.ok) {
      const v = this.lookupElem(r.value);
      if (v.ok) out.push([codec.decode(r.value), this.decodeValue(v.value)]);
      else if (v.errno !== ERRNO.ENOENT) throw errnoError(`map ${this.name}: lookup`, v);
      r = this.getNextKey(r.value);
    }
    if (r.errno !== ERRNO.ENOENT) throw errnoError(`map ${this.name}: get_next_key`, r);
    return out;
  }

  /** For a ring buffer: the records committed since the last call (`ring_buffer__consume`). */
  consumeRingBuffer(): Uint8Array[] {
    const m = this.raw;
    if (m.kind !== 'ringbuf') throw new KernelError('bad-call', `map ${this.name} is a ${m.kind} map, not a ring buffer`);
    return m.consume().map((r) => r.data);
  }

  /** The stride of one CPU's value in a raw per-CPU buffer (`round_up(value_size, 8)`). */
  get perCpuStride(): number {
    return roundUp8(this.spec.valueSize);
  }
}

/** A program of an object. */
export class BpfObjectProgram {
  private autoloadNow: boolean;

  constructor(
    private readonly object: BpfObject,
    readonly spec: ProgramSpec,
  ) {
    this.autoloadNow = spec.autoload;
  }

  /** The function name. */
  get name(): string {
    return this.spec.name;
  }

  /** The `SEC()` name. */
  get section(): string {
    return this.spec.section;
  }

  /** The program type inferred from the section name. */
  get type(): ProgTypeName {
    return this.spec.type;
  }

  /** Whether `load()` loads it (`SEC("?...")` programs default to false). */
  get autoload(): boolean {
    return this.autoloadNow;
  }

  /** `bpf_program__set_autoload`; before load. */
  setAutoload(autoload: boolean): void {
    if (this.object.state !== 'opened') throw new KernelError('bad-call', `program ${this.name}: setAutoload must be done before load()`);
    this.autoloadNow = autoload;
  }

  /** The loaded program. */
  get loaded(): LoadedProgram {
    const p = this.object.parts(`program ${this.name}`).programs.get(this.name);
    if (p === undefined) throw new KernelError('not-loaded', `program ${this.name} was not loaded (autoload is off)`);
    return p;
  }

  /** The program's fd. */
  get fd(): number {
    const fd = this.object.parts(`program ${this.name}`).programFds.get(this.name);
    if (fd === undefined) throw new KernelError('not-loaded', `program ${this.name} was not loaded (autoload is off)`);
    return fd;
  }

  get id(): number {
    return this.loaded.id;
  }

  /** Whether a verifier checked it ("not-verified" under the pass-through stand-in), and its log. */
  get verification(): { readonly status: VerificationStatus; readonly log: string } {
    return { status: this.loaded.status, log: this.loaded.verifierLog };
  }

  /**
   * Runs the program once, as `BPF_PROG_TEST_RUN` does: `ctx` as bytes
   * (copied in, read back into `ctxOut`) or the address of a context set up
   * in `kernel.memory`; on `options.cpu` in the context of `options.task`.
   */
  run(ctx: RunContext, options: RunOptions = {}): ObjectRunResult {
    if (ctx instanceof Uint8Array) {
      const r = this.object.kernel.bpf.progTestRun(this.fd, { ...options, ctx });
      if (!r.ok) throw errnoError(`program ${this.name}: test run`, r);
      return r.value;
    }
    return { ...this.object.kernel.run(this.loaded, ctx.address, options), ctxOut: new Uint8Array(0) };
  }

  /** Attaches the program through its type's hook: the link's fd (`bpf_program__attach`). */
  attach(request: AttachRequest = {}): SysResult<number> {
    return this.object.kernel.bpf.linkCreate(this.fd, request);
  }

  /** Pins the program at `path`. */
  pin(path: string): SysResult {
    return this.object.kernel.bpf.objPin(this.fd, path);
  }
}
