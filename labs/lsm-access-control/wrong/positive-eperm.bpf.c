// Lab 4, LSM access control, WRONG VARIANT: returns EPERM, a positive
// number, instead of -EPERM. Linux refuses to load it: an LSM program of a
// hook returning an errno must return 0 or a negative errno.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EPERM 1

// key: user id, value: true if the user is compromised, false otherwise
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u64);
	__type(value, bool);
	__uint(max_entries, 100);
} compromised_users SEC(".maps");

static __always_inline bool is_user_compromised(void)
{
	u64 uid_gid = bpf_get_current_uid_gid();
	u64 uid = uid_gid & 0xFFFFFFFF; // the uid is the lower 32 bits
	bool *is_compromised = bpf_map_lookup_elem(&compromised_users, &uid);

	if (is_compromised != NULL && *is_compromised) {
		bpf_printk("User %d is compromised\n", uid);
		return true;
	}
	return false;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_access_control_open, struct file *file, int ret)
{
	// ret is the verdict of the BPF program before this one (0 for the first)
	if (ret != 0)
		return ret;
	if (is_user_compromised())
		return EPERM;
	return 0;
}

SEC("lsm/file_permission")
int BPF_PROG(lsm_access_control_file_permission, struct file *file, int mask, int ret)
{
	if (ret != 0)
		return ret;
	if (is_user_compromised())
		return EPERM;
	return 0;
}
