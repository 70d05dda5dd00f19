/**
 * The `bpf()` system call as a TypeScript API. Objects are named by fds;
 * every command answers with a `SysResult`: a value, or the positive errno
 * the kernel sets with a message saying why. The bpffs file operations
 * (`unlink`, `mkdir`, ...) sit here too.
 *
 * ```ts
 * const fd = kernel.bpf.mapCreate({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: 16, name: 'counts' });
 * kernel.bpf.mapUpdateElem(fd.value, key, value);
 * kernel.bpf.objPin(fd.value, '/sys/fs/bpf/counts');
 * ```
 */
import type { Btf, TypeId } from '@bpflab/btf';
import {
  MapError,
  PerfEventBuffer,
  type BatchLookupResult,
  type BatchOptions,
  type BatchWriteResult,
  type MapDef,
  type MapInfo,
} from '@bpflab/maps';
import { ERRNO, mapTypeValue, type AttachTypeName, type LinkTypeName, type MapTypeName, type ProgTypeName } from '@bpflab/uapi';
import type { BpfFsEntry } from './bpffs';
import { KernelError } from './errors';
import type { KernelObject } from './fds';
import type { Kernel } from './kernel';
import { Link } from './links';
import { KernelMap, PerfEventObject } from './objects';
import type { LoadedProgram } from './program';
import { loadProgram, type ProgLoadAttr, type ProgLoadFailure } from './prog-load';
import type { AttachRequest } from './program-types';
import { fail, ok, OK, type SysResult } from './result';
import type { ProgramRunResult, RunOptions } from './run';
import type { VerificationStatus } from './verifier';

/** The attributes of `BPF_MAP_CREATE`. */
export interface MapCreateAttr {
  /** `map_type`: short name (`HASH`) or value */
  readonly type: MapTypeName | number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** `map_flags` */
  readonly flags?: number;
  /** `map_name`: at most 15 characters of `[A-Za-z0-9_.]` */
  readonly name?: string;
  /** `inner_map_fd` of a map of maps */
  readonly innerMapFd?: number;
  /** the BTF describing key and value (bpflab passes the object, not a BTF fd) */
  readonly btf?: Btf;
  readonly btfKeyTypeId?: TypeId;
  readonly btfValueTypeId?: TypeId;
}

/** The result of `BPF_PROG_LOAD`: the fd, or why not, with the verifier log. */
export type ProgLoadResult =
  | { readonly ok: true; readonly value: number; readonly log: string }
  | {
      readonly ok: false;
      readonly errno: number;
      readonly message: string;
      readonly log: string;
      readonly reason: ProgLoadFailure;
      readonly feature?: string;
      readonly pc?: number;
    };

/** `BPF_PROG_TEST_RUN` options. */
export interface TestRunOptions extends RunOptions {
  /** `ctx_in`: the context bytes (copied into the address space; r1 points at them); default none (r1 = 0) */
  readonly ctx?: Uint8Array;
  /** `repeat`: runs in a row (the result is the last one's); default 1 */
  readonly repeat?: number;
}

/** What `BPF_PROG_TEST_RUN` gives back. */
export interface TestRunResult extends ProgramRunResult {
  /** `ctx_out`: the context bytes after the run (empty without `ctx`) */
  readonly ctxOut: Uint8Array;
}

/** `struct bpf_prog_info`, the parts bpflab keeps. */
export interface ProgInfo {
  readonly kind: 'prog';
  readonly id: number;
  readonly type: ProgTypeName;
  readonly name: string;
  readonly tag: string;
  readonly mapIds: readonly number[];
  readonly loadTimeNs: bigint;
  readonly runCount: number;
  /** instructions (slots) of the program */
  readonly xlatedSlots: number;
  readonly gplCompatible: boolean;
  readonly verification: VerificationStatus;
  /** the pid that loaded it */
  readonly createdByPid: number;
}

/** `struct bpf_link_info`, the parts bpflab keeps. */
export interface LinkInfo {
  readonly kind: 'link';
  readonly id: number;
  readonly type: LinkTypeName;
  readonly progId: number;
  readonly attachType: AttachTypeName | undefined;
  readonly target: string;
  readonly detached: boolean;
}

/** `BPF_OBJ_GET_INFO_BY_FD`. */
export type ObjInfo = ({ readonly kind: 'map'; readonly mapKind: MapInfo['kind'] } & Omit<MapInfo, 'kind'>) | ProgInfo | LinkInfo;

const NAME_RE = /^[A-Za-z0-9_.]*$/;

function batchFailure(errno: number, message: string): BatchLookupResult {
  return { errno, message, count: 0, keys: [], values: [], outBatch: undefined };
}

/** The `bpf()` syscall of one kernel. */
export class BpfSyscall {
  constructor(private readonly k: Kernel) {}

  private object(fd: number): SysResult<KernelObject> {
    const o = this.k.fds.get(fd);
    return o === undefined ? fail(ERRNO.EBADF, `fd ${fd} is not open`) : ok(o);
  }

  private mapOf(fd: number): SysResult<KernelMap> {
    const o = this.object(fd);
    if (!o.ok) return o;
    return o.value.kind === 'map' ? ok(o.value) : fail(ERRNO.EINVAL, `fd ${fd} is a ${o.value.kind}, not a map`);
  }

  private progOf(fd: number): SysResult<LoadedProgram> {
    const o = this.object(fd);
    if (!o.ok) return o;
    return o.value.kind === 'prog' ? ok(o.value) : fail(ERRNO.EINVAL, `fd ${fd} is a ${o.value.kind}, not a program`);
  }

  /** Opens an fd for a new object; when that fails the object (held by nobody) is released. */
  private openNew(object: KernelObject): SysResult<number> {
    const r = this.k.fds.open(object);
    if (!r.ok) {
      object.hold();
      object.release();
    }
    return r;
  }

  /* ---------------------------------------------------------------- maps */

  /**
   * `BPF_MAP_CREATE`. A definition Linux refuses fails with its errno; a
   * map type bpflab does not model fails with EINVAL and says so (see
   * `createMap` for the distinction).
   */
  mapCreate(attr: MapCreateAttr): SysResult<number> {
    const r = this.createMap(attr);
    return r.ok ? this.openNew(r.value) : r;
  }

  /** `BPF_MAP_CREATE` without the fd: the kernel map, or why not (`unsupported` set for unmodelled types). */
  createMap(attr: MapCreateAttr): SysResult<KernelMap> & { readonly unsupported?: boolean } {
    const type = typeof attr.type === 'number' ? attr.type : mapTypeValue(attr.type);
    if (type === undefined) return fail(ERRNO.EINVAL, `map_type ${String(attr.type)} is not a map type`);
    const name = attr.name ?? '';
    if (name.length > 15 || !NAME_RE.test(name)) return fail(ERRNO.EINVAL, `map_name '${name}' must be at most 15 characters of [A-Za-z0-9_.]`);
    let innerMap: MapDef['innerMap'];
    if (attr.innerMapFd !== undefined) {
      const inner = this.mapOf(attr.innerMapFd);
      if (!inner.ok) return fail(inner.errno, `inner_map_fd: ${inner.message}`);
      innerMap = inner.value.map;
    }
    if (attr.btf === undefined && (attr.btfKeyTypeId !== undefined || attr.btfValueTypeId !== undefined)) {
      return fail(ERRNO.EINVAL, 'btf_key_type_id and btf_value_type_id need the BTF they refer to');
    }
    try {
      const map = this.k.maps.create({
        type,
        name,
        keySize: attr.keySize,
        valueSize: attr.valueSize,
        maxEntries: attr.maxEntries,
        flags: attr.flags ?? 0,
        ...(innerMap === undefined ? {} : { innerMap }),
      });
      const km = new KernelMap(this.k.maps, map, attr.btf, attr.btfKeyTypeId, attr.btfValueTypeId);
      this.k.registerMap(km);
      return ok(km);
    } catch (e) {
      if (e instanceof MapError && e.code !== 'bad-call') {
        const r = fail<KernelMap>(e.errno ?? ERRNO.EINVAL, e.message);
        return e.code === 'unsupported' ? { ...r, unsupported: true } : r;
      }
      throw e;
    }
  }

  /** `BPF_MAP_LOOKUP_ELEM` (all CPUs' values for per-CPU maps; `null` key for queue/stack peeks). */
  mapLookupElem(fd: number, key: Uint8Array | null, flags = 0): SysResult<Uint8Array> {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.lookup(key, flags) : m;
  }

  /** `BPF_MAP_UPDATE_ELEM` with `BPF_ANY` / `BPF_NOEXIST` / `BPF_EXIST`. */
  mapUpdateElem(fd: number, key: Uint8Array | null, value: Uint8Array, flags = 0): SysResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.update(key, value, flags) : m;
  }

  /** `BPF_MAP_DELETE_ELEM`. */
  mapDeleteElem(fd: number, key: Uint8Array | null): SysResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.delete(key) : m;
  }

  /** `BPF_MAP_GET_NEXT_KEY` (`null`: the first key). */
  mapGetNextKey(fd: number, key: Uint8Array | null): SysResult<Uint8Array> {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.getNextKey(key) : m;
  }

  /** `BPF_MAP_LOOKUP_AND_DELETE_ELEM` (a pop for queue/stack). */
  mapLookupAndDeleteElem(fd: number, key: Uint8Array | null, flags = 0): SysResult<Uint8Array> {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.lookupAndDelete(key, flags) : m;
  }

  /** `BPF_MAP_FREEZE`. */
  mapFreeze(fd: number): SysResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.freeze() : m;
  }

  /** `BPF_MAP_LOOKUP_BATCH`. */
  mapLookupBatch(fd: number, options: BatchOptions): BatchLookupResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.lookupBatch(options) : batchFailure(m.errno, m.message);
  }

  /** `BPF_MAP_LOOKUP_AND_DELETE_BATCH`. */
  mapLookupAndDeleteBatch(fd: number, options: BatchOptions): BatchLookupResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.lookupAndDeleteBatch(options) : batchFailure(m.errno, m.message);
  }

  /** `BPF_MAP_UPDATE_BATCH`. */
  mapUpdateBatch(fd: number, keys: readonly Uint8Array[], values: readonly Uint8Array[], options: { readonly elemFlags?: number } = {}): BatchWriteResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.updateBatch(keys, values, options) : { errno: m.errno, message: m.message, count: 0 };
  }

  /** `BPF_MAP_DELETE_BATCH`. */
  mapDeleteBatch(fd: number, keys: readonly Uint8Array[], options: { readonly elemFlags?: number } = {}): BatchWriteResult {
    const m = this.mapOf(fd);
    return m.ok ? m.value.map.deleteBatch(keys, options) : { errno: m.errno, message: m.message, count: 0 };
  }

  /* ------------------------------------------------------------ programs */

  /** `BPF_PROG_LOAD`: the program's fd, or why not with the verifier log. */
  progLoad(attr: ProgLoadAttr): ProgLoadResult {
    const r = loadProgram(this.k, attr);
    if (!r.ok) return r;
    this.k.registerProgram(r.program);
    const fd = this.openNew(r.program);
    return fd.ok ? { ok: true, value: fd.value, log: r.log } : { ...fd, log: r.log, reason: 'invalid' };
  }

  /**
   * `BPF_PROG_TEST_RUN`: runs the program once (or `repeat` times) with
   * `ctx` as its context, on the given CPU and task.
   */
  progTestRun(fd: number, options: TestRunOptions = {}): SysResult<TestRunResult> {
    const p = this.progOf(fd);
    if (!p.ok) return p;
    const repeat = options.repeat ?? 1;
    if (!Number.isInteger(repeat) || repeat < 1) return fail(ERRNO.EINVAL, `repeat must be a positive integer, is ${repeat}`);
    const cpu = options.cpu ?? 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.k.cpus) return fail(ERRNO.ENXIO, `cpu ${cpu} is not one of the ${this.k.cpus} CPUs`);
    const ctx = options.ctx;
    const region = ctx === undefined || ctx.length === 0 ? undefined : this.k.memory.allocate({ name: 'ctx', kind: 'ctx', size: ctx.length, init: ctx });
    try {
      let last: ProgramRunResult | undefined;
      const trace: string[] = [];
      for (let i = 0; i < repeat; i++) {
        if (region !== undefined && i > 0) this.k.memory.writeBytes(region.start, ctx!);
        last = this.k.run(p.value, region?.start ?? 0, options);
        trace.push(...last.trace);
      }
      const ctxOut = region === undefined ? new Uint8Array(0) : this.k.memory.readBytes(region.start, region.size);
      return ok({ ...last!, trace, ctxOut });
    } finally {
      if (region !== undefined) this.k.memory.free(region);
    }
  }

  /* --------------------------------------------------------------- links */

  /**
   * `BPF_LINK_CREATE`: attaches the program through its type's hook (the
   * attach handler a hook plugin registered). EINVAL when no hook handles
   * the type.
   */
  linkCreate(progFd: number, request: AttachRequest = {}): SysResult<number> {
    const p = this.progOf(progFd);
    if (!p.ok) return p;
    const attach = p.value.typeDef.attach;
    if (attach === undefined) {
      return fail(ERRNO.EINVAL, `${p.value.describe()}: no hook is registered for program type ${p.value.typeDef.name} (its plugin attaches it)`);
    }
    const body = attach(p.value, request);
    if (!body.ok) return body;
    const link = new Link(this.k.nextLinkIdValue(), p.value, body.value);
    this.k.registerLink(link);
    return this.openNew(link);
  }

  /** `BPF_LINK_DETACH`: detaches the link's program from its hook now. */
  linkDetach(linkFd: number): SysResult {
    const o = this.object(linkFd);
    if (!o.ok) return o;
    if (o.value.kind !== 'link') return fail(ERRNO.EINVAL, `fd ${linkFd} is a ${o.value.kind}, not a link`);
    return o.value.detach();
  }

  /* ------------------------------------------------------------ objects */

  /** `BPF_OBJ_PIN`: pins the fd's object at `path` in a bpf filesystem. */
  objPin(fd: number, path: string): SysResult {
    const o = this.object(fd);
    if (!o.ok) return o;
    if (o.value.kind === 'perf_event') return fail(ERRNO.EINVAL, `fd ${fd} is a perf event: only maps, programs and links can be pinned`);
    return this.k.bpffs.pin(path, o.value);
  }

  /** `BPF_OBJ_GET`: a new fd for the object pinned at `path`. */
  objGet(path: string): SysResult<number> {
    const o = this.k.bpffs.get(path);
    return o.ok ? this.k.fds.open(o.value) : o;
  }

  /** `BPF_OBJ_GET_INFO_BY_FD`. */
  objGetInfoByFd(fd: number): SysResult<ObjInfo> {
    const o = this.object(fd);
    if (!o.ok) return o;
    const v = o.value;
    switch (v.kind) {
      case 'map':
        return ok<ObjInfo>({ ...v.map.info, mapKind: v.map.info.kind, kind: 'map' });
      case 'prog':
        return ok({
          kind: 'prog',
          id: v.id,
          type: v.typeDef.name,
          name: v.name,
          tag: v.tag,
          mapIds: v.maps.map((m) => m.map.id),
          loadTimeNs: v.loadTimeNs,
          runCount: v.runCount,
          xlatedSlots: v.code.size / 8,
          gplCompatible: v.gplCompatible,
          verification: v.status,
          createdByPid: v.loaderPid,
        });
      case 'link':
        return ok({
          kind: 'link',
          id: v.id,
          type: v.body.type,
          progId: v.program.id,
          attachType: v.body.attachType,
          target: v.body.target,
          detached: v.detached,
        });
      case 'perf_event':
        return fail(ERRNO.EINVAL, `fd ${fd} is a perf event, not a BPF object`);
    }
  }

  /** `BPF_MAP_GET_FD_BY_ID`. */
  mapGetFdById(id: number): SysResult<number> {
    const m = this.k.mapById(id);
    return m === undefined ? fail(ERRNO.ENOENT, `no map with id ${id}`) : this.k.fds.open(m);
  }

  /** `BPF_PROG_GET_FD_BY_ID`. */
  progGetFdById(id: number): SysResult<number> {
    const p = this.k.programById(id);
    return p === undefined ? fail(ERRNO.ENOENT, `no program with id ${id}`) : this.k.fds.open(p);
  }

  /** `BPF_LINK_GET_FD_BY_ID`. */
  linkGetFdById(id: number): SysResult<number> {
    const l = this.k.linkById(id);
    return l === undefined ? fail(ERRNO.ENOENT, `no link with id ${id}`) : this.k.fds.open(l);
  }

  /** `BPF_MAP_GET_NEXT_ID`: the smallest map id above `start`. */
  mapGetNextId(start: number): SysResult<number> {
    return nextId(this.k.liveMaps().map((m) => m.map.id), start, 'map');
  }

  /** `BPF_PROG_GET_NEXT_ID`. */
  progGetNextId(start: number): SysResult<number> {
    return nextId(this.k.loadedPrograms().map((p) => p.id), start, 'program');
  }

  /** `BPF_LINK_GET_NEXT_ID`. */
  linkGetNextId(start: number): SysResult<number> {
    return nextId(this.k.liveLinks().map((l) => l.id), start, 'link');
  }

  /* ------------------------------------------------ fds and the file system */

  /** `close(fd)`. */
  close(fd: number): SysResult {
    return this.k.fds.close(fd);
  }

  /**
   * `perf_event_open(PERF_COUNT_SW_BPF_OUTPUT)` on one CPU: the fd user
   * space stores in a perf event array.
   */
  perfEventOpen(options: { readonly cpu: number; readonly pages?: number }): SysResult<number> {
    if (!Number.isInteger(options.cpu) || options.cpu < 0 || options.cpu >= this.k.cpus) {
      return fail(ERRNO.EINVAL, `cpu ${options.cpu} is not one of the ${this.k.cpus} CPUs`);
    }
    return this.openNew(new PerfEventObject(new PerfEventBuffer(options)));
  }

  /** The perf event buffer behind an fd (what `perf_buffer__poll` reads). */
  perfEventBuffer(fd: number): SysResult<PerfEventBuffer> {
    const o = this.object(fd);
    if (!o.ok) return o;
    return o.value.kind === 'perf_event' ? ok(o.value.event) : fail(ERRNO.EINVAL, `fd ${fd} is a ${o.value.kind}, not a perf event`);
  }

  /** `unlink(path)` of a pin: removes it and drops its reference. */
  unlink(path: string): SysResult {
    const r = this.k.bpffs.unlink(path);
    if (!r.ok) return r;
    r.value.release();
    return OK;
  }

  /** `mkdir(path)` in a bpf filesystem. */
  mkdir(path: string): SysResult {
    return this.k.bpffs.mkdir(path);
  }

  /** `rmdir(path)` in a bpf filesystem. */
  rmdir(path: string): SysResult {
    return this.k.bpffs.rmdir(path);
  }

  /** The entries of a bpffs directory. */
  readdir(path: string): SysResult<readonly BpfFsEntry[]> {
    return this.k.bpffs.readdir(path);
  }
}

function nextId(ids: readonly number[], start: number, what: string): SysResult<number> {
  if (!Number.isInteger(start) || start < 0) throw new KernelError('bad-call', `start_id must be a non-negative integer, is ${start}`);
  const next = ids.filter((id) => id > start).sort((a, b) => a - b)[0];
  return next === undefined ? fail(ERRNO.ENOENT, `no ${what} id after ${start}`) : ok(next);
}
