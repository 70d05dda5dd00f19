// Lab 6, a firewall driven by maps (reference solution): user space lists
// blocked destination ports (UDP and TCP) in a hash map and blocked source
// IPv4 prefixes in an LPM trie, and changes them while the program runs.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP 0x0800

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
	struct ipv4_lpm_key key;
	struct iphdr *ip;
	struct udphdr *l4; // UDP and TCP both start with the source and destination ports
	__u16 port;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	// a lookup key is a full 32-bit address: the trie finds the longest
	// prefix that contains it
	key.prefixlen = 32;
	__builtin_memcpy(key.addr, &ip->saddr, sizeof(key.addr));
	if (bpf_map_lookup_elem(&blocked_prefixes, &key))
		return XDP_DROP;

	if (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (ip->ihl < 5)
		return XDP_PASS;
	l4 = (void *)ip + ip->ihl * 4;
	if ((void *)(l4 + 1) > data_end)
		return XDP_PASS;
	port = bpf_ntohs(l4->dest);
	if (bpf_map_lookup_elem(&blocked_ports, &port))
		return XDP_DROP;
	return XDP_PASS;
}
