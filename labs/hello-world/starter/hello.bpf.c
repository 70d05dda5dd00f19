// Lab 1, hello world: every system call prints the PID of the process that
// made it to the trace pipe. Fill in the TODOs.
//
// All kernel type definitions are in vmlinux.h; the helpers and SEC() are in
// bpf_helpers.h. Test it (inside your clone of the kit, from the folder
// holding this file):
//   npx --yes pnpm@10.34.9 bpflab test hello-world hello.bpf.c
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// The SEC() name tells the loader what the program is and where it attaches:
// here, the tracepoint every system call passes on its way into the kernel.
SEC("tracepoint/raw_syscalls/sys_enter")
int handle_tracepoint(void *ctx)
{
	// TODO 1: get the current process id with the helper
	//         bpf_get_current_pid_tgid() (which half of its 64 bits is it?).

	// TODO 2: print it with bpf_printk, in exactly this format:
	//         "BPF triggered from PID %d.\n"

	return 0;
}
