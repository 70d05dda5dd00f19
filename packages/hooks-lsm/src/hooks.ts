/**
 * The LSM hooks BPF programs can attach to in bpflab, as data: each hook's
 * kernel arguments (what a `BPF_PROG(...)` program receives, in order, in
 * its u64 context), its return rule, whether sleepable (`lsm.s/`) programs
 * may attach to it, and the file operation that makes the kernel call it.
 *
 * ```
 * SEC("lsm/file_permission")
 * int BPF_PROG(check, struct file *file, int mask, int ret)
 *
 *   ctx (read-only, 8 bytes a slot)
 *   +--------------+--------------+--------------+
 *   | ctx[0] file  | ctx[1] mask  | ctx[2] ret   |
 *   +--------------+--------------+--------------+
 *     pointer to a   int, sign-     the previous program's
 *     struct file    extended       return (0 for the first)
 * ```
 */
import { LsmError } from './errors';

/** One kernel argument of a hook. */
export interface LsmHookArg {
  /** the parameter's name in the kernel's prototype */
  readonly name: string;
  /** its C type (`struct file *`, `int`, `unsigned long`) */
  readonly type: string;
}

/**
 * What a hook returns, which bounds what its programs may return
 * (`bpf_lsm_get_retval_range`): `errno` hooks 0 or a negative errno,
 * `bool` hooks 0 or 1, `void` hooks nothing checked.
 */
export type LsmReturnKind = 'errno' | 'bool' | 'void';

/** One LSM hook. */
export interface LsmHookDef {
  /** the hook's name: `SEC("lsm/<name>")` */
  readonly name: string;
  /** its kernel arguments, in order; the context adds `ret` after them for non-void hooks */
  readonly args: readonly LsmHookArg[];
  readonly returns: LsmReturnKind;
  /** whether `lsm.s/` (sleepable) programs may attach (the kernel's `sleepable_lsm_hooks` set) */
  readonly sleepable: boolean;
  /** which file operations make the kernel call it, in words */
  readonly calledBy: string;
}

/** `MAX_ERRNO`: the most negative errno an `errno` hook's program may return is `-MAX_ERRNO`. */
export const MAX_ERRNO = 4095;

/** The hooks bpflab drives, in the order the docs list them. */
export const LSM_HOOKS: readonly LsmHookDef[] = Object.freeze([
  {
    name: 'file_open',
    args: [{ name: 'file', type: 'struct file *' }],
    returns: 'errno',
    sleepable: true,
    calledBy: 'open, and the opening of the program file by exec (security_file_open, from do_dentry_open)',
  },
  {
    name: 'file_permission',
    args: [
      { name: 'file', type: 'struct file *' },
      { name: 'mask', type: 'int' },
    ],
    returns: 'errno',
    sleepable: false,
    calledBy: 'read and write on an open file, and exec reading the program header (security_file_permission, from rw_verify_area)',
  },
  {
    name: 'mmap_file',
    args: [
      { name: 'file', type: 'struct file *' },
      { name: 'reqprot', type: 'unsigned long' },
      { name: 'prot', type: 'unsigned long' },
      { name: 'flags', type: 'unsigned long' },
    ],
    returns: 'errno',
    sleepable: true,
    calledBy: 'mmap of a file (security_mmap_file, from vm_mmap_pgoff)',
  },
  {
    name: 'bprm_check_security',
    args: [{ name: 'bprm', type: 'struct linux_binprm *' }],
    returns: 'errno',
    sleepable: true,
    calledBy: 'exec, once the program file is open and its header read (security_bprm_check, from search_binary_handler)',
  },
  {
    name: 'inode_unlink',
    args: [
      { name: 'dir', type: 'struct inode *' },
      { name: 'dentry', type: 'struct dentry *' },
    ],
    returns: 'errno',
    sleepable: true,
    calledBy: 'unlink, after the directory permission checks (security_inode_unlink, from vfs_unlink)',
  },
  {
    name: 'task_kill',
    args: [
      { name: 'p', type: 'struct task_struct *' },
      { name: 'info', type: 'struct kernel_siginfo *' },
      { name: 'sig', type: 'int' },
      { name: 'cred', type: 'const struct cred *' },
    ],
    returns: 'errno',
    sleepable: false,
    calledBy: 'kill, after the permission check on the sender (security_task_kill, from check_kill_permission); cred is NULL for kill(2)',
  },
] satisfies readonly LsmHookDef[]);

const BY_NAME = new Map(LSM_HOOKS.map((h) => [h.name, h]));

/** The names of the hooks, in table order. */
export const LSM_HOOK_NAMES: readonly string[] = Object.freeze(LSM_HOOKS.map((h) => h.name));

/**
 * The hook a target names: `file_open`, `lsm/file_open`, `lsm.s/file_open`
 * or the kernel function `bpf_lsm_file_open`; `undefined` for a hook bpflab
 * does not drive.
 */
export function findLsmHook(target: string): LsmHookDef | undefined {
  return BY_NAME.get(lsmHookName(target));
}

/** Like `findLsmHook`, throwing `bad-call` with the known hooks. */
export function requireLsmHook(target: string): LsmHookDef {
  const hook = findLsmHook(target);
  if (hook === undefined) {
    throw new LsmError('bad-call', `no LSM hook '${target}' (bpflab drives: ${LSM_HOOK_NAMES.join(', ')})`);
  }
  return hook;
}

/** The bare hook name of a target (`lsm.s/file_open` and `bpf_lsm_file_open` give `file_open`). */
export function lsmHookName(target: string): string {
  const slash = target.indexOf('/');
  const bare = slash >= 0 && /^lsm(\.s)?$/.test(target.slice(0, slash)) ? target.slice(slash + 1) : target;
  return bare.startsWith('bpf_lsm_') ? bare.slice('bpf_lsm_'.length) : bare;
}

/** The kernel function a program of the hook attaches to (its `attach_btf_id` names it): `bpf_lsm_file_open`. */
export function lsmAttachFunction(hook: LsmHookDef): string {
  return `bpf_lsm_${hook.name}`;
}

/**
 * The values a program attached to `hook` may return, as the verifier
 * enforces them: `[-4095, 0]` for errno hooks, `[0, 1]` for boolean hooks,
 * `undefined` (unchecked) for void hooks.
 */
export function lsmReturnRange(hook: LsmHookDef): { readonly min: number; readonly max: number } | undefined {
  switch (hook.returns) {
    case 'errno':
      return { min: -MAX_ERRNO, max: 0 };
    case 'bool':
      return { min: 0, max: 1 };
    case 'void':
      return undefined;
  }
}

/** Bytes of a hook's context: one u64 per argument, plus `ret` for non-void hooks. */
export function lsmContextSize(hook: LsmHookDef): number {
  return (hook.args.length + (hook.returns === 'void' ? 0 : 1)) * 8;
}
