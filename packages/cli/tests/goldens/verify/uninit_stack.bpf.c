// A student's mistake: the key passed to bpf_map_lookup_elem() is never
// written. Root may read uninitialised stack; an unprivileged loader (and
// any lab that loads with --unprivileged) may not.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	__u32 key;
	__u64 *count = bpf_map_lookup_elem(&packets, &key);

	if (count)
		*count += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
