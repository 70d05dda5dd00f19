// A student's mistake: the value bpf_map_lookup_elem() returns is used
// without the NULL check. The verifier refuses it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *count = bpf_map_lookup_elem(&packets, &key);

	*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
