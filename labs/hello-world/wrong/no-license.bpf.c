// Lab 1, hello world, WRONG VARIANT: no license section. bpf_printk is
// reserved to GPL-compatible programs, so the verifier rejects the program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/raw_syscalls/sys_enter")
int handle_tracepoint(void *ctx)
{
	// the upper 32 bits are the process id (tgid), the lower the thread id
	int pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("BPF triggered from PID %d.\n", pid);
	return 0;
}
