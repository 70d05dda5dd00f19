// Lab 6, a firewall driven by maps: user space lists blocked destination
// ports (UDP and TCP) in a hash map and blocked source IPv4 prefixes in an
// LPM trie, and changes them while the program runs. Fill in the TODOs.
//
// Test it (inside your clone of the kit, from the folder holding this file):
//   npx --yes pnpm@10.34.9 bpflab test map-firewall map_firewall.bpf.c
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP 0x0800

// The grader's "user space" writes these two maps: keep their names and types.

// key: a destination port in host byte order (53 is 53), value: 1
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, __u8);
	__uint(max_entries, 1024);
} blocked_ports SEC(".maps");

// An LPM trie key: how many leading bits count, then the address bytes in
// network byte order, as they are in the IP header.
struct ipv4_lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

// key: a source prefix such as 192.168.1.0/24, value: 1
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipv4_lpm_key);
	__type(value, __u8);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC); // LPM tries must be created with it
} blocked_prefixes SEC(".maps");

SEC("xdp")
int xdp_map_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	// TODO 1: pass what is not IPv4; find the IPv4 header (check it fits).

	// TODO 2: drop the packet if its source address is in blocked_prefixes.
	//         Look up a struct ipv4_lpm_key holding the whole address: which
	//         prefixlen does a lookup key need?

	// TODO 3: for UDP and TCP, find the transport header (ip->ihl * 4 bytes
	//         after the IP header) and drop the packet if its destination
	//         port is in blocked_ports. Mind the byte order of the key.

	return XDP_PASS;
}
