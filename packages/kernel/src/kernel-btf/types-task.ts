/**
 * Processes: `task_struct` and what hangs off it (credentials, the address
 * space, the program being exec'd). Offsets are those of the reference
 * kernel ({@link KERNEL_BTF_REFERENCE}); the simulated kernel lays its tasks
 * out in memory with them.
 */
import { fwd, struct, type KernelTypeDef } from './defs';

/** Structs a task points to that bpflab does not lay out. */
export const TASK_OPAQUE: readonly KernelTypeDef[] = [
  fwd('fs_struct'),
  fwd('files_struct'),
  fwd('nsproxy'),
  fwd('signal_struct'),
  fwd('sighand_struct'),
  fwd('user_namespace'),
];

/** `struct thread_info`: on x86-64 it is the first member of `task_struct` and holds the CPU the task runs on. */
export const THREAD_INFO: KernelTypeDef = struct('thread_info', 24, 'internal', [
  ['flags', 'long unsigned int', 0],
  ['syscall_work', 'long unsigned int', 8],
  ['status', 'u32', 16],
  ['cpu', 'u32', 20],
]);

/** `struct task_struct`: one task (a thread; a process is a thread group led by the task whose `pid` is its `tgid`). */
export const TASK_STRUCT: KernelTypeDef = struct('task_struct', 3264, 'internal', [
  ['thread_info', 'struct thread_info', 0],
  ['__state', 'unsigned int', 24],
  ['stack', 'void *', 32],
  ['usage', 'refcount_t', 40],
  ['flags', 'unsigned int', 44],
  ['ptrace', 'unsigned int', 48],
  ['on_cpu', 'int', 52],
  ['recent_used_cpu', 'int', 96],
  ['wake_cpu', 'int', 100],
  ['on_rq', 'int', 104],
  ['prio', 'int', 108],
  ['static_prio', 'int', 112],
  ['normal_prio', 'int', 116],
  ['policy', 'unsigned int', 780],
  ['tasks', 'struct list_head', 1056],
  ['mm', 'struct mm_struct *', 1136],
  ['active_mm', 'struct mm_struct *', 1144],
  ['exit_state', 'int', 1160],
  ['exit_code', 'int', 1164],
  ['exit_signal', 'int', 1168],
  ['pdeath_signal', 'int', 1172],
  ['pid', 'pid_t', 1264],
  ['tgid', 'pid_t', 1268],
  ['real_parent', 'struct task_struct *', 1280],
  ['parent', 'struct task_struct *', 1288],
  ['children', 'struct list_head', 1296],
  ['sibling', 'struct list_head', 1312],
  ['group_leader', 'struct task_struct *', 1328],
  ['utime', 'u64', 1488],
  ['stime', 'u64', 1496],
  ['nvcsw', 'long unsigned int', 1536],
  ['nivcsw', 'long unsigned int', 1544],
  ['start_time', 'u64', 1552],
  ['start_boottime', 'u64', 1560],
  ['ptracer_cred', 'const struct cred *', 1720],
  ['real_cred', 'const struct cred *', 1728],
  ['cred', 'const struct cred *', 1736],
  ['comm', 'char[16]', 1752],
  ['fs', 'struct fs_struct *', 1816],
  ['files', 'struct files_struct *', 1824],
  ['nsproxy', 'struct nsproxy *', 1840],
  ['signal', 'struct signal_struct *', 1848],
  ['sighand', 'struct sighand_struct *', 1856],
  ['loginuid', 'kuid_t', 1952],
  ['sessionid', 'unsigned int', 1956],
]);

/** `struct cred`: a task's identities (real, effective, saved, filesystem) and capabilities. */
export const CRED: KernelTypeDef = struct('cred', 184, 'internal', [
  ['usage', 'atomic_long_t', 0],
  ['uid', 'kuid_t', 8],
  ['gid', 'kgid_t', 12],
  ['suid', 'kuid_t', 16],
  ['sgid', 'kgid_t', 20],
  ['euid', 'kuid_t', 24],
  ['egid', 'kgid_t', 28],
  ['fsuid', 'kuid_t', 32],
  ['fsgid', 'kgid_t', 36],
  ['securebits', 'unsigned int', 40],
  ['cap_inheritable', 'kernel_cap_t', 48],
  ['cap_permitted', 'kernel_cap_t', 56],
  ['cap_effective', 'kernel_cap_t', 64],
  ['cap_bset', 'kernel_cap_t', 72],
  ['cap_ambient', 'kernel_cap_t', 80],
  ['security', 'void *', 128],
  ['user_ns', 'struct user_namespace *', 144],
]);

/** `struct mm_struct`: an address space; the argument and environment areas are what tools read a command line from. */
export const MM_STRUCT: KernelTypeDef = struct('mm_struct', 1472, 'internal', [
  ['mm_count', 'atomic_t', 0],
  ['mmap_base', 'long unsigned int', 80],
  ['task_size', 'long unsigned int', 112],
  ['mm_users', 'atomic_t', 132],
  ['map_count', 'int', 176],
  ['hiwater_rss', 'long unsigned int', 344],
  ['hiwater_vm', 'long unsigned int', 352],
  ['total_vm', 'long unsigned int', 360],
  ['locked_vm', 'long unsigned int', 368],
  ['data_vm', 'long unsigned int', 384],
  ['exec_vm', 'long unsigned int', 392],
  ['stack_vm', 'long unsigned int', 400],
  ['start_code', 'long unsigned int', 424],
  ['end_code', 'long unsigned int', 432],
  ['start_data', 'long unsigned int', 440],
  ['end_data', 'long unsigned int', 448],
  ['start_brk', 'long unsigned int', 456],
  ['brk', 'long unsigned int', 464],
  ['start_stack', 'long unsigned int', 472],
  ['arg_start', 'long unsigned int', 480],
  ['arg_end', 'long unsigned int', 488],
  ['env_start', 'long unsigned int', 496],
  ['env_end', 'long unsigned int', 504],
  ['owner', 'struct task_struct *', 1296],
  ['exe_file', 'struct file *', 1312],
]);

/** `struct linux_binprm`: a program being exec'd, as `lsm/bprm_check_security` sees it. */
export const LINUX_BINPRM: KernelTypeDef = struct('linux_binprm', 408, 'internal', [
  ['mm', 'struct mm_struct *', 24],
  ['p', 'long unsigned int', 32],
  ['executable', 'struct file *', 48],
  ['interpreter', 'struct file *', 56],
  ['file', 'struct file *', 64],
  ['cred', 'struct cred *', 72],
  ['unsafe', 'int', 80],
  ['per_clear', 'unsigned int', 84],
  ['argc', 'int', 88],
  ['envc', 'int', 92],
  ['filename', 'const char *', 96],
  ['interp', 'const char *', 104],
  ['fdpath', 'const char *', 112],
  ['interp_flags', 'unsigned int', 120],
  ['execfd', 'int', 124],
  ['buf', 'char[256]', 152],
]);

/** Every type of this file, in header order. */
export const TASK_TYPES: readonly KernelTypeDef[] = [...TASK_OPAQUE, THREAD_INFO, TASK_STRUCT, CRED, MM_STRUCT, LINUX_BINPRM];
