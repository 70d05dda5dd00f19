// Not a mistake: a call of a helper this kernel does not have (number 999),
// on a branch no path takes. The verifier never walks that branch, so the
// program loads (Linux removes the dead code); only a reachable call is
// refused.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

static long (*bpf_from_the_future)(void) = (void *)999;

SEC("xdp")
int xdp_dead(struct xdp_md *ctx)
{
	volatile int never = 0;

	if (never)
		return bpf_from_the_future();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
