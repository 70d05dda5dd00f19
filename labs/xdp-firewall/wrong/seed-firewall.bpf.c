// Lab 3, XDP firewall, WRONG VARIANT: the firewall as the slides sketch it.
// It assumes every frame is IPv4 directly after the Ethernet header (it never
// looks at the EtherType) with a 20-byte header, so UDP to 11111 gets through
// behind a VLAN tag, over IPv6 and behind IPv4 options.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	// We see the raw ethernet frame here.
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	// Parse IP
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;

	// Parse UDP
	struct udphdr *udp = (struct udphdr *)(data + sizeof(struct ethhdr) + sizeof(struct iphdr));
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;

	// Block 11111
	if (udp->dest == bpf_htons(11111)) {
		bpf_printk("Dropping packet to port 11111\n");
		return XDP_DROP;
	}
	return XDP_PASS;
}
