/**
 * The BPF filesystem: the namespace `BPF_OBJ_PIN` and `BPF_OBJ_GET` work
 * in. A pin holds a reference to its map, program or link, so the object
 * outlives the fds of the process that created it; unlinking the pin
 * drops the reference. `/sys/fs/bpf` is mounted from the start.
 *
 * Errors are the kernel's: ENOENT for a missing path or parent, EEXIST for
 * a name in use, ENOTDIR when a path goes through a pinned object, EPERM
 * for a path that is not on a bpf filesystem (bpflab models no other
 * filesystem), EISDIR / ENOTEMPTY / EBUSY for directory operations, EACCES
 * when `BPF_OBJ_GET` names a directory.
 */
import { ERRNO } from '@bpflab/uapi';
import type { KernelObject } from './fds';
import { fail, ok, OK, type SysResult } from './result';

type Node =
  | { readonly kind: 'dir'; readonly children: Map<string, Node>; readonly mount: boolean }
  | { readonly kind: 'object'; readonly object: KernelObject };

/** An entry of a directory listing. */
export interface BpfFsEntry {
  readonly name: string;
  readonly kind: 'dir' | 'map' | 'prog' | 'link' | 'perf_event';
}

/** The default bpffs mount point. */
export const BPFFS_MOUNT = '/sys/fs/bpf';

/** Splits an absolute path into components (`.` dropped, `..` resolved, repeated slashes folded). */
function components(path: string): string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** The bpf filesystems of the machine. */
export class BpfFs {
  private readonly mounts = new Map<string, Node & { kind: 'dir' }>();

  constructor(mountPoints: readonly string[] = [BPFFS_MOUNT]) {
    for (const m of mountPoints) this.mount(m);
  }

  /** Mounts an empty bpffs at `path` (`mount -t bpf bpf <path>`). */
  mount(path: string): SysResult {
    const c = components(path);
    if (c === undefined) return fail(ERRNO.EINVAL, `mount point '${path}' is not an absolute path`);
    const key = `/${c.join('/')}`;
    if (this.mounts.has(key)) return fail(ERRNO.EBUSY, `a bpf filesystem is already mounted at ${key}`);
    this.mounts.set(key, { kind: 'dir', children: new Map(), mount: true });
    return OK;
  }

  /** Mount points, sorted. */
  mountPoints(): readonly string[] {
    return [...this.mounts.keys()].sort();
  }

  /** The mount holding `path`, and the components below it. */
  private locate(path: string): { readonly root: Node & { kind: 'dir' }; readonly rest: readonly string[] } | undefined {
    const c = components(path);
    if (c === undefined) return undefined;
    let best: { root: Node & { kind: 'dir' }; rest: string[] } | undefined;
    let bestLength = -1;
    for (const [m, root] of this.mounts) {
      const mc = m === '/' ? [] : m.slice(1).split('/');
      if (mc.length <= c.length && mc.every((x, i) => c[i] === x) && mc.length > bestLength) {
        best = { root, rest: c.slice(mc.length) };
        bestLength = mc.length;
      }
    }
    return best;
  }

  private walk(path: string, op: string): SysResult<{ readonly parent: Node & { kind: 'dir' }; readonly name: string | undefined }> {
    const where = this.locate(path);
    if (where === undefined) {
      if (!path.startsWith('/')) return fail(ERRNO.ENOENT, `${op} ${path}: bpflab resolves only absolute paths`);
      return fail(ERRNO.EPERM, `${op} ${path}: not on a bpf filesystem (mounted at ${this.mountPoints().join(', ')})`);
    }
    if (where.rest.length === 0) return ok({ parent: where.root, name: undefined });
    let dir: Node & { kind: 'dir' } = where.root;
    for (let i = 0; i < where.rest.length - 1; i++) {
      const next = dir.children.get(where.rest[i]!);
      if (next === undefined) return fail(ERRNO.ENOENT, `${op} ${path}: no such directory '${where.rest[i]}'`);
      if (next.kind !== 'dir') return fail(ERRNO.ENOTDIR, `${op} ${path}: '${where.rest[i]}' is a pinned object, not a directory`);
      dir = next;
    }
    return ok({ parent: dir, name: where.rest[where.rest.length - 1]! });
  }

  /** `BPF_OBJ_PIN`: pins `object` at `path`, taking a reference. */
  pin(path: string, object: KernelObject): SysResult {
    const w = this.walk(path, 'pin');
    if (!w.ok) return w;
    const { parent, name } = w.value;
    if (name === undefined || parent.children.has(name)) return fail(ERRNO.EEXIST, `pin ${path}: the path already exists`);
    object.hold();
    parent.children.set(name, { kind: 'object', object });
    return OK;
  }

  /** `BPF_OBJ_GET`: the object pinned at `path` (the caller opens an fd for it). */
  get(path: string): SysResult<KernelObject> {
    const w = this.walk(path, 'get');
    if (!w.ok) return w.errno === ERRNO.EPERM ? fail(ERRNO.ENOENT, `get ${path}: nothing is pinned there (not on a bpf filesystem)`) : w;
    const { parent, name } = w.value;
    const node = name === undefined ? parent : parent.children.get(name);
    if (node === undefined) return fail(ERRNO.ENOENT, `get ${path}: nothing is pinned there`);
    if (node.kind === 'dir') return fail(ERRNO.EACCES, `get ${path}: it is a directory, not a pinned object`);
    return ok(node.object);
  }

  /** `mkdir` in a bpf filesystem. */
  mkdir(path: string): SysResult {
    const w = this.walk(path, 'mkdir');
    if (!w.ok) return w;
    const { parent, name } = w.value;
    if (name === undefined || parent.children.has(name)) return fail(ERRNO.EEXIST, `mkdir ${path}: the path already exists`);
    parent.children.set(name, { kind: 'dir', children: new Map(), mount: false });
    return OK;
  }

  /** `unlink` of a pin: removes it and returns the object, whose reference the caller drops. */
  unlink(path: string): SysResult<KernelObject> {
    const w = this.walk(path, 'unlink');
    if (!w.ok) return w;
    const { parent, name } = w.value;
    if (name === undefined) return fail(ERRNO.EISDIR, `unlink ${path}: it is the mount point`);
    const node = parent.children.get(name);
    if (node === undefined) return fail(ERRNO.ENOENT, `unlink ${path}: nothing is pinned there`);
    if (node.kind === 'dir') return fail(ERRNO.EISDIR, `unlink ${path}: it is a directory (use rmdir)`);
    parent.children.delete(name);
    return ok(node.object);
  }

  /** `rmdir`: removes an empty directory. */
  rmdir(path: string): SysResult {
    const w = this.walk(path, 'rmdir');
    if (!w.ok) return w;
    const { parent, name } = w.value;
    if (name === undefined) return fail(ERRNO.EBUSY, `rmdir ${path}: it is a mount point`);
    const node = parent.children.get(name);
    if (node === undefined) return fail(ERRNO.ENOENT, `rmdir ${path}: no such directory`);
    if (node.kind !== 'dir') return fail(ERRNO.ENOTDIR, `rmdir ${path}: it is a pinned object (use unlink)`);
    if (node.children.size > 0) return fail(ERRNO.ENOTEMPTY, `rmdir ${path}: the directory is not empty`);
    parent.children.delete(name);
    return OK;
  }

  /** The entries of a directory, sorted by name. */
  readdir(path: string): SysResult<readonly BpfFsEntry[]> {
    const w = this.walk(path, 'readdir');
    if (!w.ok) return w;
    const { parent, name } = w.value;
    const node = name === undefined ? parent : parent.children.get(name);
    if (node === undefined) return fail(ERRNO.ENOENT, `readdir ${path}: no such directory`);
    if (node.kind !== 'dir') return fail(ERRNO.ENOTDIR, `readdir ${path}: it is a pinned object`);
    return ok(
      [...node.children.entries()]
        .map(([n, c]): BpfFsEntry => ({ name: n, kind: c.kind === 'dir' ? 'dir' : c.object.kind }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  }
}
