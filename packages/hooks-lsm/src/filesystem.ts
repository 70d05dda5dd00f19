/**
 * The simulated filesystem: one mounted tree of directories and regular
 * files with owners, groups and permission bits, each with a `struct inode`
 * and a `struct dentry` in kernel memory (and one `struct vfsmount` for the
 * mount), and the kernel's discretionary access checks (DAC) on them: path
 * walk search permission, `generic_permission` with root's capability
 * overrides, and the sticky-directory rule of unlink.
 *
 * ```ts
 * const fs = new SimFilesystem(kernel.memory, { files: [{ path: '/srv/data', mode: '0600', uid: 1000 }] });
 * fs.stat('/etc/passwd');   // { type: 'file', mode: 0o644, uid: 0, inode: 0x..., ... }
 * ```
 */
import { ERRNO } from '@bpflab/uapi';
import type { AddressSpace, Region } from '@bpflab/vm';
import { LsmError } from './errors';
import { allocString, allocStruct, MAY, S_IFDIR, S_IFREG, writeFields } from './kernel-objects';

/** A directory or a regular file. */
export type FileType = 'file' | 'dir';

/** A file or directory as a lab describes it. */
export interface FileSpec {
  /** absolute path (`/etc/passwd`); missing parent directories are created (0755, root) */
  readonly path: string;
  /** default `file` */
  readonly type?: FileType;
  /**
   * permission bits (with setuid, setgid and sticky): a number (`0o644`) or
   * an octal string (`'0644'`, `'1777'`); default 0644 for files, 0755 for
   * directories
   */
  readonly mode?: number | string;
  /** owner; default 0 (root) */
  readonly uid?: number;
  /** group; default 0 (root) */
  readonly gid?: number;
  /**
   * contents (UTF-8 text): the file's size, and for exec its first bytes
   * (`\x7fELF...` for a program, `#!/bin/sh` for a script); default empty
   */
  readonly content?: string;
}

/** The user a filesystem check is made for (the current task's `fsuid`/`fsgid`). */
export interface FsCredentials {
  readonly uid: number;
  readonly gid: number;
}

/** What the filesystem says about one path. */
export interface FileInfo {
  readonly path: string;
  readonly type: FileType;
  /** permission bits (no file-type bits) */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** `i_ino` */
  readonly ino: number;
  /** `i_size` */
  readonly size: number;
  /** `i_nlink`: 0 once unlinked */
  readonly nlink: number;
  /** address of its `struct inode` */
  readonly inode: number;
  /** address of its `struct dentry` */
  readonly dentry: number;
}

/** How a simulated filesystem is set up. */
export interface FilesystemOptions {
  /** files and directories added to (or, for the same path, replacing) the default tree; default none */
  readonly files?: readonly FileSpec[];
  /** start from {@link DEFAULT_FILES}; default true */
  readonly defaults?: boolean;
  /** `i_atime`/`i_mtime`/`i_ctime` of every inode, in seconds since the epoch; default 1700000000 */
  readonly timeSec?: number;
}

/** The defaults of `FilesystemOptions`. */
export const DEFAULT_FILESYSTEM_OPTIONS: Required<FilesystemOptions> = Object.freeze({ files: [], defaults: true, timeSec: 1_700_000_000 });

const ELF = '\x7fELF\x02\x01\x01';

/**
 * The default tree: a small Linux system with root, alice (uid 1000) and
 * mallory (uid 1001), the users of the course's LSM example.
 */
export const DEFAULT_FILES: readonly FileSpec[] = Object.freeze([
  { path: '/', type: 'dir', mode: 0o755 },
  { path: '/bin', type: 'dir', mode: 0o755 },
  { path: '/bin/sh', mode: 0o755, content: `${ELF} dash` },
  { path: '/bin/bash', mode: 0o755, content: `${ELF} bash` },
  { path: '/bin/cat', mode: 0o755, content: `${ELF} cat` },
  { path: '/bin/ls', mode: 0o755, content: `${ELF} ls` },
  { path: '/bin/rm', mode: 0o755, content: `${ELF} rm` },
  { path: '/etc', type: 'dir', mode: 0o755 },
  {
    path: '/etc/passwd',
    mode: 0o644,
    content: 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nmallory:x:1001:1001::/home/mallory:/bin/bash\n',
  },
  { path: '/etc/group', mode: 0o644, content: 'root:x:0:\nshadow:x:42:\nalice:x:1000:\nmallory:x:1001:\n' },
  { path: '/etc/shadow', mode: 0o640, gid: 42, content: 'root:*:19700:0:99999:7:::\n' },
  { path: '/etc/hostname', mode: 0o644, content: 'bpflab\n' },
  { path: '/home', type: 'dir', mode: 0o755 },
  { path: '/home/alice', type: 'dir', mode: 0o750, uid: 1000, gid: 1000 },
  { path: '/home/alice/notes.txt', mode: 0o644, uid: 1000, gid: 1000, content: 'buy milk\n' },
  { path: '/home/mallory', type: 'dir', mode: 0o750, uid: 1001, gid: 1001 },
  { path: '/home/mallory/run.sh', mode: 0o755, uid: 1001, gid: 1001, content: '#!/bin/sh\ncat /etc/shadow\n' },
  { path: '/root', type: 'dir', mode: 0o700 },
  { path: '/tmp', type: 'dir', mode: 0o1777 },
  { path: '/usr', type: 'dir', mode: 0o755 },
  { path: '/usr/lib', type: 'dir', mode: 0o755 },
  { path: '/usr/lib/libc.so.6', mode: 0o755, content: `${ELF} libc` },
]);

/** `PATH_MAX`. */
export const PATH_MAX = 4096;
/** `NAME_MAX`. */
export const NAME_MAX = 255;

const S_ISVTX = 0o1000;
const S_IXUGO = 0o111;

/** One file or directory (the runtime's own record; programs see its inode and dentry). */
export class FsNode {
  readonly children = new Map<string, FsNode>();
  nlink: number;

  constructor(
    readonly name: string,
    readonly type: FileType,
    public mode: number,
    public uid: number,
    public gid: number,
    public content: Uint8Array,
    readonly ino: number,
    public parent: FsNode | undefined,
    readonly inodeRegion: Region,
    readonly dentryRegion: Region,
  ) {
    this.nlink = type === 'dir' ? 2 : 1;
  }

  /** The absolute path (as it was while linked). */
  get path(): string {
    if (this.parent === undefined || this.parent === this) return '/';
    const up = this.parent.path;
    return up === '/' ? `/${this.name}` : `${up}/${this.name}`;
  }

  /** `i_mode`: file type and permission bits. */
  get iMode(): number {
    return (this.type === 'dir' ? S_IFDIR : S_IFREG) | this.mode;
  }

  get size(): number {
    return this.type === 'dir' ? 4096 : this.content.length;
  }
}

/** A path walk's outcome: the node, or the errno the kernel returns and why. */
export type Lookup = { readonly ok: true; readonly node: FsNode } | { readonly ok: false; readonly errno: number; readonly reason: string };

/** A parent walk's outcome (for unlink): the directory and the last component. */
export type ParentLookup =
  | { readonly ok: true; readonly dir: FsNode; readonly name: string }
  | { readonly ok: false; readonly errno: number; readonly reason: string };

function failed(errno: number, reason: string): { readonly ok: false; readonly errno: number; readonly reason: string } {
  return { ok: false, errno, reason };
}

/** Parses a permission mode (`0o644`, `'0644'`, `'1777'`); `undefined` when malformed. */
export function parseMode(mode: number | string): number | undefined {
  if (typeof mode === 'number') return Number.isInteger(mode) && mode >= 0 && mode <= 0o7777 ? mode : undefined;
  const m = /^(?:0o|0)?([0-7]{1,4})$/.exec(mode.trim());
  return m === null ? undefined : parseInt(m[1]!, 8);
}

/** Splits an absolute path into components; `undefined` when it is not absolute. */
function components(path: string): readonly string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  return path.split('/').filter((c) => c !== '');
}

/** The simulated filesystem of one kernel. */
export class SimFilesystem {
  /** the root directory */
  readonly root: FsNode;
  /** the mount's `struct vfsmount` */
  readonly mount: Region;
  private nextIno = 2;
  private readonly timeSec: number;

  constructor(
    private readonly memory: AddressSpace,
    options: FilesystemOptions = {},
  ) {
    const o = { ...DEFAULT_FILESYSTEM_OPTIONS, ...options };
    this.timeSec = o.timeSec;
    const specs = new Map<string, { spec: FileSpec; index: number }>();
    const all = [...(o.defaults ? DEFAULT_FILES : []), ...o.files];
    all.forEach((spec, i) => {
      const index = i - (o.defaults ? DEFAULT_FILES.length : 0);
      const parts = components(typeof spec.path === 'string' ? spec.path : '');
      if (parts === undefined) throw new LsmError('bad-filesystem', `files[${index}]: field 'path': want an absolute path, got ${JSON.stringify(spec.path)}`, { field: 'path' });
      if (parts.some((c) => c === '.' || c === '..')) {
        throw new LsmError('bad-filesystem', `files[${index}]: field 'path': ${spec.path}: '.' and '..' are not allowed in a file list`, { field: 'path' });
      }
      specs.set(`/${parts.join('/')}`, { spec, index });
    });
    const rootSpec = specs.get('/');
    if (rootSpec !== undefined && (rootSpec.spec.type ?? 'file') !== 'dir') {
      throw new LsmError('bad-filesystem', `files[${rootSpec.index}]: field 'type': / must be a directory`, { field: 'type' });
    }
    this.root = this.makeNode('/', '', rootSpec?.spec ?? { path: '/', type: 'dir' }, undefined, rootSpec?.index ?? -1);
    this.mount = allocStruct(memory, 'vfsmount', 'vfsmount:/');
    writeFields(memory, this.mount.start, 'vfsmount', { mnt_root: this.root.dentryRegion.start });
    const paths = [...specs.keys()].filter((p) => p !== '/').sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
    for (const path of paths) {
      const { spec, index } = specs.get(path)!;
      const parts = components(path)!;
      let dir = this.root;
      for (let i = 0; i < parts.length - 1; i++) {
        const name = parts[i]!;
        let next = dir.children.get(name);
        if (next === undefined) {
          next = this.makeNode(`/${parts.slice(0, i + 1).join('/')}`, name, { path, type: 'dir' }, dir, index);
          this.link(dir, next);
        }
        if (next.type !== 'dir') throw new LsmError('bad-filesystem', `files[${index}]: field 'path': ${path}: ${next.path} is a file, not a directory`, { field: 'path' });
        dir = next;
      }
      const node = this.makeNode(path, parts[parts.length - 1]!, spec, dir, index);
      this.link(dir, node);
    }
  }

  private makeNode(path: string, name: string, spec: FileSpec, parent: FsNode | undefined, index: number): FsNode {
    const c = checkSpec(spec, `files[${index}] (${path})`);
    if (name.length > NAME_MAX) throw new LsmError('bad-filesystem', `files[${index}]: field 'path': the name ${name.slice(0, 16)}... is longer than ${NAME_MAX} bytes`, { field: 'path' });
    const ino = this.nextIno++;
    const inode = allocStruct(this.memory, 'inode', `inode:${ino}`);
    const dentry = allocStruct(this.memory, 'dentry', `dentry:${path}`);
    const node = new FsNode(name, c.type, c.mode, c.uid, c.gid, c.content, ino, parent, inode, dentry);
    const nameRegion = allocString(this.memory, `d_name:${path}`, name === '' ? '/' : name);
    const nameLen = name === '' ? 1 : new TextEncoder().encode(name).length;
    this.writeInode(node);
    writeFields(this.memory, dentry.start, 'dentry', {
      d_parent: (parent ?? node).dentryRegion.start,
      'd_name.len': nameLen,
      'd_name.hash': 0,
      'd_name.name': nameRegion.start,
      d_inode: inode.start,
    });
    if (parent === undefined) node.parent = node;
    return node;
  }

  /** Mirrors a node's metadata into its `struct inode`. */
  private writeInode(node: FsNode): void {
    writeFields(this.memory, node.inodeRegion.start, 'inode', {
      i_mode: node.iMode,
      i_uid: node.uid,
      i_gid: node.gid,
      i_ino: node.ino,
      i_nlink: node.nlink,
      i_size: node.size,
      i_atime_sec: this.timeSec,
      i_mtime_sec: this.timeSec,
      i_ctime_sec: this.timeSec,
      i_blkbits: 12,
      i_blocks: Math.ceil(node.size / 4096) * 8,
      i_count: 1,
    });
  }

  /**
   * Puts a file or directory in place as root would, with no hook called
   * (`mkdir -p`, `install -m MODE -o UID`): creates it and its missing
   * parent directories (0755, root), or changes an existing one's mode,
   * owner and contents. Throws `bad-filesystem` for a path under a file or
   * a change of type.
   */
  put(spec: FileSpec): FileInfo {
    const parts = components(typeof spec.path === 'string' ? spec.path : '');
    if (parts === undefined || parts.some((c) => c === '.' || c === '..')) {
      throw new LsmError('bad-filesystem', `field 'path': want an absolute path without . or .., got ${JSON.stringify(spec.path)}`, { field: 'path' });
    }
    const path = `/${parts.join('/')}`;
    const c = checkSpec(spec, path);
    let dir = this.root;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const last = i === parts.length - 1;
      if (dir.type !== 'dir') throw new LsmError('bad-filesystem', `${path}: ${dir.path} is a file, not a directory`, { field: 'path' });
      const existing = dir.children.get(name);
      if (existing !== undefined && !last) {
        dir = existing;
        continue;
      }
      if (existing !== undefined) {
        if (existing.type !== c.type) throw new LsmError('bad-filesystem', `${path}: is a ${existing.type}, the step says ${c.type}`, { field: 'type' });
        existing.mode = c.mode;
        existing.uid = c.uid;
        existing.gid = c.gid;
        if (spec.content !== undefined) existing.content = c.content;
        this.writeInode(existing);
        return info(existing);
      }
      const sub = `/${parts.slice(0, i + 1).join('/')}`;
      const node = this.makeNode(sub, name, last ? spec : { path: sub, type: 'dir' }, dir, -1);
      this.link(dir, node);
      dir = node;
    }
    if (parts.length === 0) {
      if (c.type !== 'dir') throw new LsmError('bad-filesystem', `/: must be a directory`, { field: 'type' });
      this.root.mode = c.mode;
      this.root.uid = c.uid;
      this.root.gid = c.gid;
      this.writeInode(this.root);
    }
    return info(dir);
  }

  private link(dir: FsNode, node: FsNode): void {
    dir.children.set(node.name, node);
    if (node.type === 'dir') this.setNlink(dir, dir.nlink + 1);
  }

  private setNlink(node: FsNode, nlink: number): void {
    node.nlink = nlink;
    this.writeInode(node);
  }

  /**
   * The kernel's `generic_permission` for `mask` (`MAY_READ`/`MAY_WRITE`/
   * `MAY_EXEC`): the owner's, group's or others' bits, and root's
   * overrides (`CAP_DAC_READ_SEARCH`, `CAP_DAC_OVERRIDE`; executing needs
   * at least one x bit even for root). 0 or -EACCES.
   */
  permission(node: FsNode, mask: number, cred: FsCredentials): number {
    const m = mask & (MAY.READ | MAY.WRITE | MAY.EXEC);
    const bits = cred.uid === node.uid ? (node.mode >> 6) & 7 : cred.gid === node.gid ? (node.mode >> 3) & 7 : node.mode & 7;
    if ((m & ~bits) === 0) return 0;
    const root = cred.uid === 0;
    if (root) {
      if (node.type === 'dir') return 0;
      if (m === MAY.READ) return 0;
      if ((m & MAY.EXEC) === 0 || (node.mode & S_IXUGO) !== 0) return 0;
    }
    return -ERRNO.EACCES;
  }

  /**
   * Walks `path` as `cred` (search permission on every directory passed
   * through): ENOENT, ENOTDIR, EACCES, ENAMETOOLONG as the kernel's path
   * walk returns them.
   */
  lookup(path: string, cred: FsCredentials): Lookup {
    const parts = this.split(path);
    if (!parts.ok) return parts;
    let node = this.root;
    for (const name of parts.value) {
      const step = this.walk(node, name, cred, path);
      if (!step.ok) return step;
      node = step.node;
    }
    if (path.endsWith('/') && node.type !== 'dir') return failed(ERRNO.ENOTDIR, `${path}: not a directory`);
    return { ok: true, node };
  }

  /** Walks to the directory holding the last component of `path` (for unlink). */
  lookupParent(path: string, cred: FsCredentials): ParentLookup {
    const parts = this.split(path);
    if (!parts.ok) return parts;
    const names = parts.value.slice();
    const last = names.pop();
    if (last === undefined || last === '.' || last === '..') return failed(ERRNO.EISDIR, `${path}: is a directory`);
    let node = this.root;
    for (const name of names) {
      const step = this.walk(node, name, cred, path);
      if (!step.ok) return step;
      node = step.node;
    }
    const search = this.permission(node, MAY.EXEC, cred);
    if (search !== 0) return failed(-search, `${path}: search permission denied on ${node.path}`);
    return { ok: true, dir: node, name: last };
  }

  private split(path: string): { readonly ok: true; readonly value: readonly string[] } | { readonly ok: false; readonly errno: number; readonly reason: string } {
    if (new TextEncoder().encode(path).length >= PATH_MAX) return failed(ERRNO.ENAMETOOLONG, `path of ${path.length} bytes: longer than PATH_MAX`);
    const parts = components(path);
    if (parts === undefined || path === '') return failed(ERRNO.ENOENT, `${JSON.stringify(path)}: not an absolute path`);
    const long = parts.find((c) => new TextEncoder().encode(c).length > NAME_MAX);
    if (long !== undefined) return failed(ERRNO.ENAMETOOLONG, `${path}: a component is longer than NAME_MAX`);
    return { ok: true, value: parts };
  }

  private walk(dir: FsNode, name: string, cred: FsCredentials, path: string): Lookup {
    if (dir.type !== 'dir') return failed(ERRNO.ENOTDIR, `${path}: ${dir.path} is not a directory`);
    const search = this.permission(dir, MAY.EXEC, cred);
    if (search !== 0) return failed(-search, `${path}: search permission denied on ${dir.path}`);
    if (name === '.') return { ok: true, node: dir };
    if (name === '..') return { ok: true, node: dir.parent ?? dir };
    const next = dir.children.get(name);
    if (next === undefined) return failed(ERRNO.ENOENT, `${path}: no such file or directory`);
    return { ok: true, node: next };
  }

  /**
   * The kernel's `may_delete` for unlinking `name` from `dir`: ENOENT,
   * write and search permission on the directory (EACCES), the sticky
   * bit (EPERM unless the user owns the file or the directory, or is
   * root), EISDIR for a directory. The node, or the errno.
   */
  mayDelete(dir: FsNode, name: string, cred: FsCredentials): Lookup {
    const victim = dir.children.get(name);
    if (victim === undefined) return failed(ERRNO.ENOENT, `${dir.path === '/' ? '' : dir.path}/${name}: no such file or directory`);
    const perm = this.permission(dir, MAY.WRITE | MAY.EXEC, cred);
    if (perm !== 0) return failed(-perm, `${victim.path}: no write permission on ${dir.path}`);
    if ((dir.mode & S_ISVTX) !== 0 && cred.uid !== victim.uid && cred.uid !== dir.uid && cred.uid !== 0) {
      return failed(ERRNO.EPERM, `${victim.path}: ${dir.path} is sticky and the file belongs to uid ${victim.uid}`);
    }
    if (victim.type === 'dir') return failed(ERRNO.EISDIR, `${victim.path}: is a directory`);
    return { ok: true, node: victim };
  }

  /** Removes a node from its directory (`d_delete`): `i_nlink` drops to 0; open files keep the inode. */
  remove(node: FsNode): void {
    const dir = node.parent;
    if (dir === undefined || dir === node || dir.children.get(node.name) !== node) {
      throw new LsmError('bad-call', `${node.path} is not linked in its directory`);
    }
    dir.children.delete(node.name);
    this.setNlink(node, 0);
  }

  /** What the filesystem holds at `path` (no permission checks), or `undefined`. */
  stat(path: string): FileInfo | undefined {
    const parts = components(path);
    if (parts === undefined) return undefined;
    let node: FsNode | undefined = this.root;
    for (const name of parts) node = node?.children.get(name);
    return node === undefined ? undefined : info(node);
  }

  /** Every path of the tree, depth first in name order. */
  list(): readonly FileInfo[] {
    const out: FileInfo[] = [];
    const visit = (n: FsNode): void => {
      out.push(info(n));
      for (const name of [...n.children.keys()].sort()) visit(n.children.get(name)!);
    };
    visit(this.root);
    return out;
  }
}

/** A file spec checked, with its defaults. */
function checkSpec(spec: FileSpec, at: string): { type: FileType; mode: number; uid: number; gid: number; content: Uint8Array } {
  const type = spec.type ?? 'file';
  if (type !== 'file' && type !== 'dir') throw new LsmError('bad-filesystem', `${at}: field 'type': want file or dir, got ${JSON.stringify(type)}`, { field: 'type' });
  const mode = parseMode(spec.mode ?? (type === 'dir' ? 0o755 : 0o644));
  if (mode === undefined) {
    throw new LsmError('bad-filesystem', `${at}: field 'mode': want permission bits such as 0o644 or '0644', got ${JSON.stringify(spec.mode)}`, { field: 'mode' });
  }
  for (const field of ['uid', 'gid'] as const) {
    const v = spec[field] ?? 0;
    if (!Number.isInteger(v) || v < 0 || v > 0xfffffffe) {
      throw new LsmError('bad-filesystem', `${at}: field '${field}': want an integer in [0, 4294967294], got ${JSON.stringify(v)}`, { field });
    }
  }
  if (spec.content !== undefined && typeof spec.content !== 'string') {
    throw new LsmError('bad-filesystem', `${at}: field 'content': want a string, got ${JSON.stringify(spec.content)}`, { field: 'content' });
  }
  if (type === 'dir' && spec.content !== undefined) throw new LsmError('bad-filesystem', `${at}: field 'content': a directory has no content`, { field: 'content' });
  return { type, mode, uid: spec.uid ?? 0, gid: spec.gid ?? 0, content: new TextEncoder().encode(spec.content ?? '') };
}

function depth(path: string): number {
  return path.split('/').length;
}

function info(n: FsNode): FileInfo {
  return {
    path: n.path,
    type: n.type,
    mode: n.mode,
    uid: n.uid,
    gid: n.gid,
    ino: n.ino,
    size: n.size,
    nlink: n.nlink,
    inode: n.inodeRegion.start,
    dentry: n.dentryRegion.start,
  };
}
