// Lab 2, syscount (reference solution): count the system calls of the whole
// machine by syscall id in a per-CPU hash map. User space adds up each key's
// per-CPU values.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// key: syscall id, value: how many times it was called (one counter per CPU)
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, u64);
	__type(value, u64);
	__uint(max_entries, 500);
} syscall_id_to_count SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int syscount(struct trace_event_raw_sys_enter *ctx)
{
	u64 syscall_id = ctx->id;
	u64 one = 1;
	u64 *value;

	value = bpf_map_lookup_elem(&syscall_id_to_count, &syscall_id);
	if (value)
		*value += 1; // this CPU's own counter: no other CPU writes it
	else
		bpf_map_update_elem(&syscall_id_to_count, &syscall_id, &one, BPF_NOEXIST);
	return 0;
}
