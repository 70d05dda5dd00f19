// Lab 5, bounded loops: on every getpid() call, add up the first n entries of
// the map `values` (n is set by user space in `config`; an n larger than
// MAX_VALUES means all of them) and store the sum in `result`.
//
// This program is correct C, but the verifier rejects it. Find out why with
//   npx --yes pnpm@10.34.9 bpflab verify labs/verifier-loops/starter/sum.bpf.c
// and fix it so that the verifier accepts it and the sum is still right.
// Test it (inside your clone of the kit, from the folder holding this file):
//   npx --yes pnpm@10.34.9 bpflab test verifier-loops sum.bpf.c
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_VALUES 64

// the numbers to add, written by user space
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, MAX_VALUES);
} values SEC(".maps");

// config[0]: n, how many of the values to add (more than MAX_VALUES: all of them)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, u32);
	__type(value, u32);
	__uint(max_entries, 1);
} config SEC(".maps");

// result[0]: the sum, read by user space
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, 1);
} result SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int sum_values(void *ctx)
{
	u32 zero = 0;
	u32 *n = bpf_map_lookup_elem(&config, &zero);
	u64 *out;
	u64 sum = 0;

	if (!n)
		return 0;
	// TODO: the verifier must see that this loop ends, and it knows nothing
	//       of *n: user space may have stored any 32-bit number there.
	for (u32 i = 0; i < *n; i++) {
		u64 *v = bpf_map_lookup_elem(&values, &i);

		if (v)
			sum += *v;
	}

	out = bpf_map_lookup_elem(&result, &zero);
	if (out)
		*out = sum;
	return 0;
}
