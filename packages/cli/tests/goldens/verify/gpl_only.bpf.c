// A student's mistake: the license is not GPL-compatible, and bpf_printk()
// (bpf_trace_printk) is a GPL-only helper.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk("Hello, execve!");
	return 0;
}

char LICENSE[] SEC("license") = "Proprietary";
