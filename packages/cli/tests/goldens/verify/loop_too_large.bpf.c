// A student's mistake: the loop has a constant bound, but a huge one. The
// verifier walks a loop one iteration at a time, and a million iterations
// use up its budget of 1,000,000 processed instructions long before the end.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getpid")
int spin(void *ctx)
{
	u64 sum = 0;

	for (u32 i = 0; i < 1000000; i++)
		sum += i ^ (sum >> 3);
	bpf_printk("sum %llu", sum);
	return 0;
}
