/*
 * kernel-oracle: load raw BPF instructions into the running kernel's verifier
 * and print its verdict and log. Used only by the opt-in oracle test of
 * @bpflab/verifier (BPFLAB_KERNEL_ORACLE=1); it never attaches anything and
 * closes every fd it opens before exiting, so the program is freed at once.
 *
 * usage: kernel-oracle PROG_TYPE LOG_LEVEL LICENSE CAPS INSNS_FILE [MAP...]
 *   PROG_TYPE  number of enum bpf_prog_type
 *   CAPS       "root" (keep every capability) or "bpf" (keep CAP_BPF only:
 *              the kernel then loads without allow_ptr_leaks / bypass_spec)
 *   INSNS_FILE raw little-endian instructions, 8 bytes a slot
 *   MAP        TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES[:NAME], in fd-index order; the
 *              imm of an lddw with src 1 (map fd) or 2 (map value) is an index
 *              into this list and is replaced by the created map's fd
 *
 * output: a first line "ok" or "error ERRNO", then the verifier log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_SIZE (16u << 20)

static long sys_bpf(int cmd, union bpf_attr *attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int keep_only_cap_bpf(void) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof(data));
  /* CAP_BPF is 39: word 1, bit 7 */
  data[1].effective = data[1].permitted = 1u << (39 - 32);
  return (int)syscall(SYS_capset, &hdr, data);
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s PROG_TYPE LOG_LEVEL LICENSE CAPS INSNS_FILE [TYPE:KEY:VALUE:MAX...]\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[5], "rb");
  if (!f) { perror(argv[5]); return 2; }
  static struct bpf_insn insns[1u << 20];
  size_t n = fread(insns, sizeof(struct bpf_insn), sizeof(insns) / sizeof(insns[0]), f);
  fclose(f);

  int nmaps = argc - 6;
  int fds[64];
  if (nmaps > 64) { fprintf(stderr, "too many maps\n"); return 2; }
  for (int i = 0; i < nmaps; i++) {
    unsigned type, key, value, max;
    char name[16] = "";
    if (sscanf(argv[6 + i], "%u:%u:%u:%u:%15[A-Za-z0-9_.]", &type, &key, &value, &max, name) < 4) {
      fprintf(stderr, "bad map spec %s\n", argv[6 + i]);
      return 2;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = key;
    a.value_size = value;
    a.max_entries = max;
    memcpy(a.map_name, name, sizeof(a.map_name) < sizeof(name) ? sizeof(a.map_name) : sizeof(name));
    long fd = sys_bpf(BPF_MAP_CREATE, &a);
    if (fd < 0) { fprintf(stderr, "map %d: %s\n", i, strerror(errno)); return 2; }
    fds[i] = (int)fd;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && (insns[i].src_reg == 1 || insns[i].src_reg == 2)) {
      int idx = insns[i].imm;
      if (idx >= 0 && idx < nmaps) insns[i].imm = fds[idx];
      i++;
    }
  }

  if (strcmp(argv[4], "bpf") == 0 && keep_only_cap_bpf() != 0) { perror("capset"); return 2; }

  char *log = calloc(1, LOG_SIZE);
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.prog_type = (unsigned)atoi(argv[1]);
  a.insns = (unsigned long)insns;
  a.insn_cnt = (unsigned)n;
  a.license = (unsigned long)argv[3];
  a.log_level = (unsigned)atoi(argv[2]);
  a.log_buf = (unsigned long)log;
  a.log_size = LOG_SIZE;
  long fd = sys_bpf(BPF_PROG_LOAD, &a);
  if (fd < 0 && errno == ENOSPC) {
    /* the log did not fit: the verdict still stands, print what we have */
  }
  if (fd >= 0) { printf("ok\n"); close((int)fd); }
  else printf("error %d\n", errno);
  fputs(log, stdout);
  for (int i = 0; i < nmaps; i++) close(fds[i]);
  return 0;
}
