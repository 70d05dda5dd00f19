// Lab 1, hello world, WRONG VARIANT: prints the thread id, not the process id.
// Same output as the solution for single-threaded processes only.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint/raw_syscalls/sys_enter")
int handle_tracepoint(void *ctx)
{
	// forgot ">> 32": the lower 32 bits are the thread id
	int pid = bpf_get_current_pid_tgid();

	bpf_printk("BPF triggered from PID %d.\n", pid);
	return 0;
}
