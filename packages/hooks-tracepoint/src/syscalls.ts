/**
 * The x86-64 system calls the simulated machine knows: numbers from the
 * kernel's `arch/x86/entry/syscalls/syscall_64.tbl`, parameters as their
 * `SYSCALL_DEFINE`s declare them (and as the `syscalls/sys_enter_<name>`
 * tracepoint format files list them, `__user` left out). Where the
 * tracepoint's name differs from the syscall's (`stat` is traced as
 * `sys_enter_newstat`), `event` says so.
 */

/** One parameter: its C type and name. */
export interface SyscallParam {
  readonly type: string;
  readonly name: string;
}

/** One system call. */
export interface Syscall {
  /** the name user space knows (`stat`) */
  readonly name: string;
  /** `__NR_<name>` on x86-64 */
  readonly nr: number;
  /** the name in `syscalls/sys_enter_<event>` (`newstat`); default `name` */
  readonly event: string;
  readonly params: readonly SyscallParam[];
}

/** Parses `"unsigned int fd, char * buf"` into parameters (the last word is the name). */
function params(decl: string): readonly SyscallParam[] {
  if (decl === '') return [];
  return decl.split(',').map((p) => {
    const t = p.trim();
    const at = t.lastIndexOf(' ');
    return { type: t.slice(0, at).trim(), name: t.slice(at + 1) };
  });
}

function sc(nr: number, name: string, decl: string, event = name): Syscall {
  return Object.freeze({ name, nr, event, params: Object.freeze(params(decl)) });
}

/** The syscall table, by number. */
export const SYSCALLS: readonly Syscall[] = Object.freeze([
  sc(0, 'read', 'unsigned int fd, char * buf, size_t count'),
  sc(1, 'write', 'unsigned int fd, const char * buf, size_t count'),
  sc(2, 'open', 'const char * filename, int flags, umode_t mode'),
  sc(3, 'close', 'unsigned int fd'),
  sc(4, 'stat', 'const char * filename, struct stat * statbuf', 'newstat'),
  sc(5, 'fstat', 'unsigned int fd, struct stat * statbuf', 'newfstat'),
  sc(6, 'lstat', 'const char * filename, struct stat * statbuf', 'newlstat'),
  sc(7, 'poll', 'struct pollfd * ufds, unsigned int nfds, int timeout_msecs'),
  sc(8, 'lseek', 'unsigned int fd, off_t offset, unsigned int whence'),
  sc(9, 'mmap', 'unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags, unsigned long fd, unsigned long off'),
  sc(10, 'mprotect', 'unsigned long start, size_t len, unsigned long prot'),
  sc(11, 'munmap', 'unsigned long addr, size_t len'),
  sc(12, 'brk', 'unsigned long brk'),
  sc(13, 'rt_sigaction', 'int sig, const struct sigaction * act, struct sigaction * oact, size_t sigsetsize'),
  sc(14, 'rt_sigprocmask', 'int how, sigset_t * nset, sigset_t * oset, size_t sigsetsize'),
  sc(16, 'ioctl', 'unsigned int fd, unsigned int cmd, unsigned long arg'),
  sc(17, 'pread64', 'unsigned int fd, char * buf, size_t count, loff_t pos'),
  sc(18, 'pwrite64', 'unsigned int fd, const char * buf, size_t count, loff_t pos'),
  sc(19, 'readv', 'unsigned long fd, const struct iovec * vec, unsigned long vlen'),
  sc(20, 'writev', 'unsigned long fd, const struct iovec * vec, unsigned long vlen'),
  sc(21, 'access', 'const char * filename, int mode'),
  sc(22, 'pipe', 'int * fildes'),
  sc(23, 'select', 'int n, fd_set * inp, fd_set * outp, fd_set * exp, struct __kernel_old_timeval * tvp'),
  sc(24, 'sched_yield', ''),
  sc(32, 'dup', 'unsigned int fildes'),
  sc(33, 'dup2', 'unsigned int oldfd, unsigned int newfd'),
  sc(35, 'nanosleep', 'struct __kernel_timespec * rqtp, struct __kernel_timespec * rmtp'),
  sc(39, 'getpid', ''),
  sc(41, 'socket', 'int family, int type, int protocol'),
  sc(42, 'connect', 'int fd, struct sockaddr * uservaddr, int addrlen'),
  sc(43, 'accept', 'int fd, struct sockaddr * upeer_sockaddr, int * upeer_addrlen'),
  sc(44, 'sendto', 'int fd, void * buff, size_t len, unsigned int flags, struct sockaddr * addr, int addr_len'),
  sc(45, 'recvfrom', 'int fd, void * ubuf, size_t size, unsigned int flags, struct sockaddr * addr, int * addr_len'),
  sc(49, 'bind', 'int fd, struct sockaddr * umyaddr, int addrlen'),
  sc(50, 'listen', 'int fd, int backlog'),
  sc(56, 'clone', 'unsigned long clone_flags, unsigned long newsp, int * parent_tidptr, int * child_tidptr, unsigned long tls'),
  sc(57, 'fork', ''),
  sc(58, 'vfork', ''),
  sc(59, 'execve', 'const char * filename, const char *const * argv, const char *const * envp'),
  sc(60, 'exit', 'int error_code'),
  sc(61, 'wait4', 'pid_t upid, int * stat_addr, int options, struct rusage * ru'),
  sc(62, 'kill', 'pid_t pid, int sig'),
  sc(63, 'uname', 'struct new_utsname * name', 'newuname'),
  sc(72, 'fcntl', 'unsigned int fd, unsigned int cmd, unsigned long arg'),
  sc(74, 'fsync', 'unsigned int fd'),
  sc(76, 'truncate', 'const char * path, long length'),
  sc(77, 'ftruncate', 'unsigned int fd, off_t length'),
  sc(79, 'getcwd', 'char * buf, unsigned long size'),
  sc(80, 'chdir', 'const char * filename'),
  sc(82, 'rename', 'const char * oldname, const char * newname'),
  sc(83, 'mkdir', 'const char * pathname, umode_t mode'),
  sc(84, 'rmdir', 'const char * pathname'),
  sc(85, 'creat', 'const char * pathname, umode_t mode'),
  sc(86, 'link', 'const char * oldname, const char * newname'),
  sc(87, 'unlink', 'const char * pathname'),
  sc(88, 'symlink', 'const char * oldname, const char * newname'),
  sc(89, 'readlink', 'const char * path, char * buf, int bufsiz'),
  sc(90, 'chmod', 'const char * filename, umode_t mode'),
  sc(92, 'chown', 'const char * filename, uid_t user, gid_t group'),
  sc(95, 'umask', 'int mask'),
  sc(96, 'gettimeofday', 'struct __kernel_old_timeval * tv, struct timezone * tz'),
  sc(102, 'getuid', ''),
  sc(104, 'getgid', ''),
  sc(105, 'setuid', 'uid_t uid'),
  sc(106, 'setgid', 'gid_t gid'),
  sc(107, 'geteuid', ''),
  sc(108, 'getegid', ''),
  sc(110, 'getppid', ''),
  sc(186, 'gettid', ''),
  sc(217, 'getdents64', 'unsigned int fd, struct linux_dirent64 * dirent, unsigned int count'),
  sc(228, 'clock_gettime', 'const clockid_t which_clock, struct __kernel_timespec * tp'),
  sc(230, 'clock_nanosleep', 'const clockid_t which_clock, int flags, const struct __kernel_timespec * rqtp, struct __kernel_timespec * rmtp'),
  sc(231, 'exit_group', 'int error_code'),
  sc(234, 'tgkill', 'pid_t tgid, pid_t pid, int sig'),
  sc(257, 'openat', 'int dfd, const char * filename, int flags, umode_t mode'),
  sc(258, 'mkdirat', 'int dfd, const char * pathname, umode_t mode'),
  sc(262, 'newfstatat', 'int dfd, const char * filename, struct stat * statbuf, int flag'),
  sc(263, 'unlinkat', 'int dfd, const char * pathname, int flag'),
  sc(264, 'renameat', 'int olddfd, const char * oldname, int newdfd, const char * newname'),
  sc(269, 'faccessat', 'int dfd, const char * filename, int mode'),
  sc(270, 'pselect6', 'int n, fd_set * inp, fd_set * outp, fd_set * exp, struct __kernel_timespec * tsp, void * sig'),
  sc(288, 'accept4', 'int fd, struct sockaddr * upeer_sockaddr, int * upeer_addrlen, int flags'),
  sc(292, 'dup3', 'unsigned int oldfd, unsigned int newfd, int flags'),
  sc(293, 'pipe2', 'int * fildes, int flags'),
  sc(302, 'prlimit64', 'pid_t pid, unsigned int resource, const struct rlimit64 * new_rlim, struct rlimit64 * old_rlim'),
  sc(318, 'getrandom', 'char * ubuf, size_t len, unsigned int flags'),
  sc(322, 'execveat', 'int fd, const char * filename, const char *const * argv, const char *const * envp, int flags'),
  sc(332, 'statx', 'int dfd, const char * filename, unsigned flags, unsigned int mask, struct statx * buffer'),
  sc(435, 'clone3', 'struct clone_args * uargs, size_t size'),
  sc(437, 'openat2', 'int dfd, const char * filename, struct open_how * how, size_t usize'),
]);

const BY_NAME = new Map<string, Syscall>();
for (const s of SYSCALLS) {
  BY_NAME.set(s.name, s);
  if (s.event !== s.name) BY_NAME.set(s.event, s);
}
const BY_NR = new Map(SYSCALLS.map((s) => [s.nr, s]));

/** The syscall called `name` (or traced as `name`: `newstat`), or undefined. */
export function syscallByName(name: string): Syscall | undefined {
  return BY_NAME.get(name);
}

/** The syscall numbered `nr`, or undefined. */
export function syscallByNr(nr: number): Syscall | undefined {
  return BY_NR.get(nr);
}

/** Every name a step may use for a syscall (`stat` and `newstat` both), sorted. */
export function syscallNames(): readonly string[] {
  return [...BY_NAME.keys()].sort();
}

/** The highest syscall number a step may give (`NR_syscalls` - 1 on x86-64 is below it). */
export const MAX_SYSCALL_NR = 511;

/** Whether a parameter is a pointer (its value is an address). */
export function isPointerParam(p: SyscallParam): boolean {
  return p.type.includes('*');
}

/** Whether a parameter's C type is a string a step can give as text (`const char *`). */
export function isStringParam(p: SyscallParam): boolean {
  return /^(const )?char \*$/.test(p.type);
}
