// The seed's demo, a bounded and an unbounded loop: the verifier walks the
// first one iteration by iteration and sees it end; the second never
// changes what it tests, so the verifier finds the same state twice.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getpid")
int bounded(void *ctx)
{
	__u64 heads = 0;

	/* a loop in the bytecode too, not 16 copies of its body */
#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++)
		heads += bpf_get_prandom_u32() & 1;
	bpf_printk("heads in 16 tosses: %llu", heads);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int unbounded(void *ctx)
{
	__u32 n = bpf_get_prandom_u32() & 15;
	__u32 i = 0;

	while (i < n)
		bpf_printk("toss %u", i); /* i++ forgotten */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
