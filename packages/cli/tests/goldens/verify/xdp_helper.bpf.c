// A student's mistake: an XDP program reads packet bytes with
// bpf_skb_load_bytes(), a helper of socket-buffer programs (tc, socket
// filters). XDP runs before there is an sk_buff and may not call it; it
// reads the packet directly (data/data_end) or with bpf_xdp_load_bytes().
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_proto(struct xdp_md *ctx)
{
	__u8 proto = 0;

	bpf_skb_load_bytes(ctx, 23, &proto, 1);
	if (proto == 17)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
