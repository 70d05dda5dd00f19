/**
 * Files: an open `file`, the `path` (mount and dentry) it was opened by, the
 * `dentry` naming it, the `inode` behind it, and `seq_file`, the output
 * buffer of BPF iterators. The LSM hooks `file_open` and `file_permission`
 * receive a `struct file *`.
 */
import { anonStruct, anonUnion, fwd, struct, type KernelTypeDef } from './defs';

/** Structs files point to that bpflab does not lay out. */
export const FS_OPAQUE: readonly KernelTypeDef[] = [fwd('super_block'), fwd('file_operations'), fwd('mnt_idmap')];

/** `struct qstr`: a name with its hash and length (`d_name` of a dentry). */
export const QSTR: KernelTypeDef = struct('qstr', 16, 'internal', [
  [
    '',
    anonUnion(8, [
      [
        '',
        anonStruct(8, [
          ['hash', 'u32', 0],
          ['len', 'u32', 4],
        ]),
        0,
      ],
      ['hash_len', 'u64', 0],
    ]),
    0,
  ],
  ['name', 'const unsigned char *', 8],
]);

/** `struct path`: where a file was found (the mount and the directory entry). */
export const PATH: KernelTypeDef = struct('path', 16, 'internal', [
  ['mnt', 'struct vfsmount *', 0],
  ['dentry', 'struct dentry *', 8],
]);

/** `struct vfsmount`: a mounted filesystem. */
export const VFSMOUNT: KernelTypeDef = struct('vfsmount', 32, 'internal', [
  ['mnt_root', 'struct dentry *', 0],
  ['mnt_sb', 'struct super_block *', 8],
  ['mnt_flags', 'int', 16],
  ['mnt_idmap', 'struct mnt_idmap *', 24],
]);

/** `struct dentry`: one name in the directory tree, with its parent and the inode it names. */
export const DENTRY: KernelTypeDef = struct('dentry', 192, 'internal', [
  ['d_flags', 'unsigned int', 0],
  ['d_parent', 'struct dentry *', 24],
  [
    '',
    anonUnion(16, [
      ['__d_name', 'struct qstr', 0],
      ['d_name', 'const struct qstr', 0],
    ]),
    32,
  ],
  ['d_inode', 'struct inode *', 48],
  ['d_sb', 'struct super_block *', 104],
  ['d_time', 'long unsigned int', 112],
  ['d_fsdata', 'void *', 120],
]);

/** `struct inode`: a file's metadata: type and permissions, owner, size, times. */
export const INODE: KernelTypeDef = struct('inode', 616, 'internal', [
  ['i_mode', 'umode_t', 0],
  ['i_opflags', 'short unsigned int', 2],
  ['i_uid', 'kuid_t', 4],
  ['i_gid', 'kgid_t', 8],
  ['i_flags', 'unsigned int', 12],
  ['i_sb', 'struct super_block *', 40],
  ['i_security', 'void *', 56],
  ['i_ino', 'long unsigned int', 64],
  [
    '',
    anonUnion(4, [
      ['i_nlink', 'const unsigned int', 0],
      ['__i_nlink', 'unsigned int', 0],
    ]),
    72,
  ],
  ['i_rdev', 'dev_t', 76],
  ['i_size', 'loff_t', 80],
  ['i_atime_sec', 'time64_t', 88],
  ['i_mtime_sec', 'time64_t', 96],
  ['i_ctime_sec', 'time64_t', 104],
  ['i_atime_nsec', 'u32', 112],
  ['i_mtime_nsec', 'u32', 116],
  ['i_ctime_nsec', 'u32', 120],
  ['i_generation', 'u32', 124],
  ['i_bytes', 'short unsigned int', 132],
  ['i_blkbits', 'u8', 134],
  ['i_blocks', 'blkcnt_t', 136],
  ['i_count', 'atomic_t', 344],
  ['i_private', 'void *', 608],
]);

/** `struct file`: an open file: how it was opened (`f_mode`, `f_flags`), where it is, by whom, and the position. */
export const FILE: KernelTypeDef = struct('file', 184, 'internal', [
  ['f_mode', 'fmode_t', 4],
  ['f_op', 'const struct file_operations *', 8],
  ['private_data', 'void *', 24],
  ['f_inode', 'struct inode *', 32],
  ['f_flags', 'unsigned int', 40],
  ['f_cred', 'const struct cred *', 48],
  [
    '',
    anonUnion(16, [
      ['f_path', 'const struct path', 0],
      ['__f_path', 'struct path', 0],
    ]),
    64,
  ],
  ['f_pos', 'loff_t', 112],
  ['f_security', 'void *', 120],
]);

/** `struct seq_file`: the buffer a BPF iterator writes into (`bpf_seq_printf`), read by `cat` on the iterator's file. */
export const SEQ_FILE: KernelTypeDef = struct('seq_file', 120, 'internal', [
  ['buf', 'char *', 0],
  ['size', 'size_t', 8],
  ['from', 'size_t', 16],
  ['count', 'size_t', 24],
  ['pad_until', 'size_t', 32],
  ['index', 'loff_t', 40],
  ['read_pos', 'loff_t', 48],
  ['poll_event', 'int', 96],
  ['file', 'const struct file *', 104],
  ['private', 'void *', 112],
]);

/** Every type of this file, in header order. */
export const FS_TYPES: readonly KernelTypeDef[] = [...FS_OPAQUE, QSTR, PATH, VFSMOUNT, DENTRY, INODE, FILE, SEQ_FILE];
