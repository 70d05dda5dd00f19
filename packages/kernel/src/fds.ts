/**
 * The file descriptors of the simulated user-space process: what `bpf()`
 * hands out and takes. Each open fd holds a reference to its object; fds
 * start at 3 (after stdin, stdout and stderr) and the lowest free one is
 * reused, as POSIX requires.
 */
import type { FdObject as MapsFdObject, FdTable } from '@bpflab/maps';
import { ERRNO } from '@bpflab/uapi';
import type { Link } from './links';
import type { KernelMap, PerfEventObject } from './objects';
import type { LoadedProgram } from './program';
import { fail, OK, type SysResult } from './result';

/** What an fd can refer to. */
export type KernelObject = KernelMap | LoadedProgram | Link | PerfEventObject;

/** `RLIMIT_NOFILE`'s usual soft limit. */
export const MAX_FDS = 1024;

const FIRST_FD = 3;

/** The process's fd table. */
export class FdTableImpl implements FdTable {
  private readonly table = new Map<number, KernelObject>();

  /** Opens an fd for `object` (taking a reference); EMFILE when the table is full. */
  open(object: KernelObject): SysResult<number> {
    let fd = FIRST_FD;
    while (this.table.has(fd)) fd++;
    if (fd >= MAX_FDS) return fail(ERRNO.EMFILE, `too many open files (${MAX_FDS - FIRST_FD} fds are open)`);
    object.hold();
    this.table.set(fd, object);
    return { ok: true, value: fd };
  }

  /** The object behind `fd`. */
  get(fd: number): KernelObject | undefined {
    return this.table.get(fd);
  }

  /** Closes `fd` (dropping its reference); EBADF when it is not open. */
  close(fd: number): SysResult {
    const o = this.table.get(fd);
    if (o === undefined) return fail(ERRNO.EBADF, `fd ${fd} is not open`);
    this.table.delete(fd);
    o.release();
    return OK;
  }

  /** Open fds and their objects, by fd. */
  list(): ReadonlyArray<readonly [number, KernelObject]> {
    return [...this.table.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** What the fd-holding map types see of an fd (`FdTable.resolve`). */
  resolve(fd: number): MapsFdObject | undefined {
    const o = this.table.get(fd);
    if (o === undefined) return undefined;
    switch (o.kind) {
      case 'map':
        return { kind: 'map', map: o.map };
      case 'prog':
        return { kind: 'prog', prog: o.ref };
      case 'perf_event':
        return { kind: 'perf_event', event: o.event };
      case 'link':
        return { kind: 'other' };
    }
  }
}
