// Lab 1, hello world (reference solution): every system call prints the
// PID of the process that made it to the trace pipe.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint/raw_syscalls/sys_enter")
int handle_tracepoint(void *ctx)
{
	// the upper 32 bits are the process id (tgid), the lower the thread id
	int pid = bpf_get_current_pid_tgid() >> 32;

	bpf_printk("BPF triggered from PID %d.\n", pid);
	return 0;
}
