/**
 * `BPF_MAP_TYPE_PROG_ARRAY`: the slots `bpf_tail_call(ctx, map, index)`
 * jumps through. User space stores program fds at u32 indices (flags must
 * be 0); all programs in one array must have the same program type, fixed
 * by the first program stored or the first program loaded that uses the
 * array (its "owner"). A lookup from user space gives the program's id. A
 * tail call to an index past max_entries or to an empty slot does nothing
 * (the calling program continues).
 */
import type { Region } from '@bpflab/vm';
import { ERRNO, progTypeName } from '@bpflab/uapi';
import type { CheckedMapDef } from './def';
import type { ProgramRef } from './fd';
import { FdArray } from './internal/fd-array';
import type { BatchSupport, MapEnv } from './internal/base';
import { ok } from './internal/results';
import type { MapResult } from './result';

/** A prog array map. */
export class ProgArrayMap extends FdArray<'prog_array', ProgramRef> {
  protected readonly batchSupport: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };
  protected readonly readable = true;
  private owner: number | undefined;

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
  }

  /** The program type every program in the array must have, once fixed. */
  get ownerType(): number | undefined {
    return this.owner;
  }

  /**
   * Whether `prog` may live in or use this array (`bpf_prog_map_compatible`):
   * its type must be the owner's; the first program asked becomes the owner.
   */
  checkOwner(prog: ProgramRef): boolean {
    this.alive();
    if (this.owner === undefined) {
      this.owner = prog.type;
      return true;
    }
    return this.owner === prog.type;
  }

  /** The program `bpf_tail_call` jumps to for `index`, or undefined (no jump). */
  tailCallTarget(index: number | bigint): ProgramRef | undefined {
    this.alive();
    const i = Number(BigInt.asUintN(32, BigInt(index)));
    if (i >= this.maxEntries) return undefined;
    return this.slots.get(i);
  }

  protected resolveFd(fd: number): MapResult<ProgramRef> {
    const o = this.env.fds.resolve(fd);
    if (o === undefined) return this.badFd(fd, ERRNO.EBADF, 'not an open fd');
    if (o.kind !== 'prog') return this.badFd(fd, ERRNO.EINVAL, 'not a program');
    if (!this.checkOwner(o.prog)) {
      const want = progTypeName(this.owner!) ?? String(this.owner);
      const have = progTypeName(o.prog.type) ?? String(o.prog.type);
      return this.badFd(fd, ERRNO.EINVAL, `program type ${have} differs from the array's ${want}`);
    }
    return ok(o.prog);
  }

  protected idOf(prog: ProgramRef): number {
    return prog.id;
  }
}
