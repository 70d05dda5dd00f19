// Lab 3, XDP firewall: drop UDP datagrams to port 11111, pass everything
// else. Fill in the TODOs; the handout lists every case that is checked.
//
// Test it (inside your clone of the kit, from the folder holding this file):
//   npx --yes pnpm@10.34.9 bpflab test xdp-firewall firewall.bpf.c
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h> // bpf_htons, bpf_ntohs

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// EtherTypes are macros in <linux/if_ether.h>, which vmlinux.h cannot carry
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100

#define BLOCKED_PORT 11111

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	// The program sees the raw Ethernet frame, from data to data_end.
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	// The verifier rejects any read it cannot prove is inside the frame:
	// check that a header fits before you read it.
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	// TODO 1: look at eth->h_proto (network byte order!). For IPv4, find the
	//         struct iphdr after the Ethernet header and check that it fits.
	//         Also handle one 802.1Q VLAN tag and IPv6 (struct ipv6hdr).

	// TODO 2: if the IP protocol is UDP (IPPROTO_UDP), find the struct udphdr.
	//         An IPv4 header is ip->ihl * 4 bytes long, not always 20.

	// TODO 3: drop (XDP_DROP) the datagram if its destination port is
	//         BLOCKED_PORT.

	return XDP_PASS;
}
