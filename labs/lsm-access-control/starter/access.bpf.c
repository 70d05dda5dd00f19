// Lab 4, LSM access control: deny every file operation (-EPERM) of the users
// that user space marks compromised in the map compromised_users. Fill in the
// TODOs.
//
// Test it (inside your clone of the kit, from the folder holding this file):
//   npx --yes pnpm@10.34.9 bpflab test lsm-access-control access.bpf.c
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h> // BPF_PROG

char LICENSE[] SEC("license") = "Dual BSD/GPL"; // LSM programs must be GPL-compatible

#define EPERM 1

// Filled in by user space. Keep its name, key and value types.
// key: user id, value: true if the user is compromised, false otherwise
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u64);
	__type(value, bool);
	__uint(max_entries, 100);
} compromised_users SEC(".maps");

static __always_inline bool is_user_compromised(void)
{
	// TODO 1: get the current user id (bpf_get_current_uid_gid(): which half
	//         of the 64 bits is the uid?), look it up in compromised_users and
	//         return true when it is there and marked true.
	return false;
}

// Called when a process opens a file.
SEC("lsm/file_open")
int BPF_PROG(lsm_access_control_open, struct file *file, int ret)
{
	// ret is the verdict of the BPF program before this one (0 for the first)
	if (ret != 0)
		return ret;
	// TODO 2: deny (-EPERM) when the user is compromised.
	return 0;
}

// TODO 3: opening is not the only way to touch a file: a file opened before
//         the user was marked can still be read and written. Add a program
//         for lsm/file_permission, with the arguments
//         (struct file *file, int mask, int ret), that denies them too.
