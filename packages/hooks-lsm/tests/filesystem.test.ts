// The simulated filesystem: the tree a lab describes, its inodes and
// dentries in kernel memory (read back with the kernel BTF's offsets),
// the discretionary permission checks, and malformed descriptions.
import { Kernel, kernelStruct } from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import { DEFAULT_FILES, LsmError, MAY, parseMode, readField, S_IFDIR, S_IFREG, SimFilesystem, type FileSpec, type FilesystemOptions } from '../src/index';

function fs(options: FilesystemOptions = {}): { readonly kernel: Kernel; readonly fs: SimFilesystem } {
  const kernel = new Kernel();
  return { kernel, fs: new SimFilesystem(kernel.memory, options) };
}

function thrown(fn: () => unknown): LsmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LsmError) return e;
    throw e;
  }
  throw new Error('expected an LsmError');
}

describe('parseMode', () => {
  it.each([
    { have: 0o644, want: 0o644 },
    { have: '0644', want: 0o644 },
    { have: '644', want: 0o644 },
    { have: '0o755', want: 0o755 },
    { have: '1777', want: 0o1777 },
    { have: '04755', want: 0o4755 },
    { have: ' 600 ', want: 0o600 },
    { have: '0888', want: undefined },
    { have: 'rw-r--r--', want: undefined },
    { have: 0o10000, want: undefined },
    { have: -1, want: undefined },
    { have: 1.5, want: undefined },
  ])('$have → $want', ({ have, want }) => {
    expect(parseMode(have)).toBe(want);
  });
});

describe('the tree', () => {
  it('holds the default files, each with the owner and mode it was given', () => {
    const { fs: f } = fs();
    expect(f.list().map((i) => i.path)).toEqual(['/', ...DEFAULT_FILES.map((d) => d.path).filter((p) => p !== '/').sort()]);
    expect(f.stat('/etc/shadow')).toMatchObject({ type: 'file', mode: 0o640, uid: 0, gid: 42, nlink: 1 });
    expect(f.stat('/tmp')).toMatchObject({ type: 'dir', mode: 0o1777, nlink: 2 });
    expect(f.stat('/etc')!.nlink).toBe(2);
    expect(f.stat('/')!.nlink).toBe(2 + ['bin', 'etc', 'home', 'root', 'tmp', 'usr'].length);
    expect(f.stat('/nope')).toBeUndefined();
  });

  it('adds files to the defaults, replaces a default by path, or starts empty', () => {
    expect(fs({ files: [{ path: '/etc/passwd', mode: 0o600 }, { path: '/srv/a/b/c', content: 'c' }] }).fs.stat('/etc/passwd')!.mode).toBe(0o600);
    const { fs: f } = fs({ defaults: false, files: [{ path: '/srv/a/b/c', content: 'abc' }] });
    expect(f.list().map((i) => `${i.path} ${i.type} ${i.mode.toString(8)} ${i.size}`)).toEqual([
      '/ dir 755 4096',
      '/srv dir 755 4096',
      '/srv/a dir 755 4096',
      '/srv/a/b dir 755 4096',
      '/srv/a/b/c file 644 3',
    ]);
  });

  it.each([
    { name: 'a relative path', files: [{ path: 'etc/x' }], field: 'path', want: `files[0]: field 'path': want an absolute path, got "etc/x"` },
    { name: 'a dot component', files: [{ path: '/etc/../x' }], field: 'path', want: "files[0]: field 'path': /etc/../x: '.' and '..' are not allowed in a file list" },
    { name: 'a file under a file', files: [{ path: '/etc/passwd/x' }], field: 'path', want: "files[0]: field 'path': /etc/passwd/x: /etc/passwd is a file, not a directory" },
    { name: 'a bad mode', files: [{ path: '/x', mode: 'rwx' }], field: 'mode', want: `files[0] (/x): field 'mode': want permission bits such as 0o644 or '0644', got "rwx"` },
    { name: 'a bad uid', files: [{ path: '/x', uid: -3 }], field: 'uid', want: "files[0] (/x): field 'uid': want an integer in [0, 4294967294], got -3" },
    { name: 'a bad type', files: [{ path: '/x', type: 'fifo' }], field: 'type', want: `files[0] (/x): field 'type': want file or dir, got "fifo"` },
    { name: 'contents for a directory', files: [{ path: '/x', type: 'dir', content: 'no' }], field: 'content', want: "files[0] (/x): field 'content': a directory has no content" },
    { name: 'a root that is a file', files: [{ path: '/', type: 'file' }], field: 'type', want: "files[0]: field 'type': / must be a directory" },
  ])('refuses $name', ({ files, field, want }) => {
    const e = thrown(() => fs({ files: files as FileSpec[] }));
    expect(e).toMatchObject({ code: 'bad-filesystem', field });
    expect(e.message).toBe(want);
  });
});

describe('kernel objects', () => {
  it('each inode and dentry is laid out with the kernel BTF offsets', () => {
    const { kernel, fs: f } = fs();
    const m = kernel.memory;
    const passwd = f.stat('/etc/passwd')!;
    const etc = f.stat('/etc')!;
    const inode = (path: string) => readField(m, passwd.inode, 'inode', path);
    expect(inode('i_mode')).toBe(BigInt(S_IFREG | 0o644));
    expect(inode('i_ino')).toBe(BigInt(passwd.ino));
    expect(inode('i_size')).toBe(BigInt(passwd.size));
    expect(inode('i_nlink')).toBe(1n);
    expect(inode('i_blkbits')).toBe(12n);
    expect(readField(m, etc.inode, 'inode', 'i_mode')).toBe(BigInt(S_IFDIR | 0o755));
    const dentry = (path: string) => readField(m, passwd.dentry, 'dentry', path);
    expect(dentry('d_inode')).toBe(BigInt(passwd.inode));
    expect(dentry('d_parent')).toBe(BigInt(etc.dentry));
    expect(dentry('d_name.len')).toBe(6n);
    expect(m.readCString(dentry('d_name.name'))).toBe('passwd');
    expect(m.view().getUint32(passwd.dentry + kernelStruct('dentry').offsetOf('d_name.len'), true)).toBe(6);
    expect(readField(m, f.mount.start, 'vfsmount', 'mnt_root')).toBe(BigInt(f.stat('/')!.dentry));
    expect(m.regionAt(passwd.inode)).toMatchObject({ kind: 'kernel', writable: false, size: kernelStruct('inode').size });
  });

  it('put changes an existing file in place and its inode with it; remove drops i_nlink to 0', () => {
    const { kernel, fs: f } = fs();
    const before = f.stat('/etc/hostname')!;
    const after = f.put({ path: '/etc/hostname', mode: '0600', uid: 1000, gid: 1000, content: 'a-longer-name\n' });
    expect(after).toMatchObject({ ino: before.ino, inode: before.inode, mode: 0o600, uid: 1000, size: 14 });
    expect(readField(kernel.memory, before.inode, 'inode', 'i_uid')).toBe(1000n);
    expect(readField(kernel.memory, before.inode, 'inode', 'i_size')).toBe(14n);
    const dir = f.put({ path: '/srv/new', type: 'dir', mode: 0o700 });
    expect(dir).toMatchObject({ path: '/srv/new', type: 'dir', mode: 0o700 });
    expect(f.stat('/srv')).toMatchObject({ type: 'dir', mode: 0o755, nlink: 3 });
    const lookup = f.lookup('/etc/hostname', { uid: 0, gid: 0 });
    if (!lookup.ok) throw new Error(lookup.reason);
    f.remove(lookup.node);
    expect(readField(kernel.memory, before.inode, 'inode', 'i_nlink')).toBe(0n);
    expect(f.stat('/etc/hostname')).toBeUndefined();
    expect(() => f.remove(lookup.node)).toThrow('/etc/hostname is not linked in its directory');
  });
});

describe('permission (generic_permission)', () => {
  const { fs: f } = fs({
    files: [
      { path: '/p/owner-only', mode: 0o600, uid: 1000, gid: 1000 },
      { path: '/p/group-read', mode: 0o040, uid: 0, gid: 1000 },
      { path: '/p/no-exec', mode: 0o666 },
      { path: '/p/any-exec', mode: 0o001 },
      { path: '/p/locked', type: 'dir', mode: 0o000 },
    ],
  });
  const node = (path: string) => {
    const r = f.lookup(path, { uid: 0, gid: 0 });
    if (!r.ok) throw new Error(r.reason);
    return r.node;
  };
  it.each([
    { path: '/p/owner-only', uid: 1000, gid: 1000, mask: MAY.READ | MAY.WRITE, want: 0 },
    { path: '/p/owner-only', uid: 1001, gid: 1000, mask: MAY.READ, want: -ERRNO.EACCES },
    { path: '/p/group-read', uid: 1001, gid: 1000, mask: MAY.READ, want: 0 },
    { path: '/p/group-read', uid: 1001, gid: 1000, mask: MAY.WRITE, want: -ERRNO.EACCES },
    { path: '/p/group-read', uid: 1001, gid: 1001, mask: MAY.READ, want: -ERRNO.EACCES },
    { path: '/p/no-exec', uid: 0, gid: 0, mask: MAY.READ | MAY.WRITE, want: 0 },
    { path: '/p/no-exec', uid: 0, gid: 0, mask: MAY.EXEC, want: -ERRNO.EACCES },
    { path: '/p/any-exec', uid: 0, gid: 0, mask: MAY.EXEC, want: 0 },
    { path: '/p/any-exec', uid: 1000, gid: 1000, mask: MAY.EXEC, want: 0 },
    { path: '/p/locked', uid: 0, gid: 0, mask: MAY.EXEC | MAY.WRITE, want: 0 },
    { path: '/p/locked', uid: 1000, gid: 1000, mask: MAY.EXEC, want: -ERRNO.EACCES },
  ])('$path for $uid:$gid mask $mask → $want', ({ path, uid, gid, mask, want }) => {
    expect(f.permission(node(path), mask, { uid, gid })).toBe(want);
  });

  it('a path walk needs search permission on every directory it passes', () => {
    f.put({ path: '/p/locked/inside', mode: 0o644 });
    expect(f.lookup('/p/locked/inside', { uid: 1000, gid: 1000 })).toMatchObject({ ok: false, errno: ERRNO.EACCES });
    expect(f.lookup('/p/locked/inside', { uid: 0, gid: 0 })).toMatchObject({ ok: true });
    expect(f.lookup('/p/./locked/../no-exec', { uid: 0, gid: 0 })).toMatchObject({ ok: true, node: { name: 'no-exec' } });
    expect(f.lookup('/../p/no-exec', { uid: 0, gid: 0 })).toMatchObject({ ok: true });
    expect(f.lookup('relative', { uid: 0, gid: 0 })).toMatchObject({ ok: false, errno: ERRNO.ENOENT });
    expect(f.lookup(`/${'a/'.repeat(2048)}`, { uid: 0, gid: 0 })).toMatchObject({ ok: false, errno: ERRNO.ENAMETOOLONG });
  });
});
