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
 *   btf        (anywhere among the maps) load with BTF function info: one
 *              static function `int fN(void)` per subprogram, as clang -g
 *              would describe them; callbacks and tail calls in subprograms
 *              need it
 *
 * output: a first line "ok" or "error ERRNO", then the verifier log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/btf.h>
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

/*
 * BTF for the program's functions: [1] int, [2] int (void), then one static
 * FUNC per subprogram (the main program and every target of a BPF-to-BPF
 * call or of a function-pointer lddw), and func info pointing at them.
 * Returns the BTF fd, or -1 after printing why.
 */
static int load_func_btf(const struct bpf_insn *insns, size_t n, struct bpf_func_info *finfo, int *nfuncs) {
  static char starts[1u << 20];
  memset(starts, 0, n);
  starts[0] = 1;
  for (size_t i = 0; i < n; i++) {
    int call = insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL;
    int func = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg == BPF_PSEUDO_FUNC;
    long t = (long)i + insns[i].imm + 1;
    if ((call || func) && t >= 0 && (size_t)t < n) starts[t] = 1;
  }
  static char strs[4096];
  static __u32 types[4096];
  size_t sl = 1, tl = 0;
  strs[0] = 0;
  memcpy(strs + sl, "int", 4);
  types[tl++] = (__u32)sl; types[tl++] = BTF_KIND_INT << 24; types[tl++] = 4; types[tl++] = (BTF_INT_SIGNED << 24) | 32;
  sl += 4;
  types[tl++] = 0; types[tl++] = BTF_KIND_FUNC_PROTO << 24; types[tl++] = 1;
  int k = 0;
  for (size_t i = 0; i < n && k < 256; i++) {
    if (!starts[i]) continue;
    int len = snprintf(strs + sl, sizeof(strs) - sl, "f%d", k) + 1;
    types[tl++] = (__u32)sl; types[tl++] = (BTF_KIND_FUNC << 24) | BTF_FUNC_STATIC; types[tl++] = 2;
    sl += (size_t)len;
    finfo[k].insn_off = (__u32)i;
    finfo[k].type_id = (__u32)(3 + k);
    k++;
  }
  *nfuncs = k;
  static unsigned char blob[sizeof(struct btf_header) + sizeof(types) + sizeof(strs)];
  struct btf_header h = {.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
                         .type_off = 0, .type_len = (__u32)(tl * 4), .str_off = (__u32)(tl * 4), .str_len = (__u32)sl};
  memcpy(blob, &h, sizeof(h));
  memcpy(blob + sizeof(h), types, tl * 4);
  memcpy(blob + sizeof(h) + tl * 4, strs, sl);
  static char blog[1 << 16];
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.btf = (unsigned long)blob;
  a.btf_size = (__u32)(sizeof(h) + tl * 4 + sl);
  a.btf_log_buf = (unsigned long)blog;
  a.btf_log_size = sizeof(blog);
  a.btf_log_level = 1;
  long fd = sys_bpf(BPF_BTF_LOAD, &a);
  if (fd < 0) fprintf(stderr, "BTF_LOAD: %s\n%s\n", strerror(errno), blog);
  return (int)fd;
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

  int nmaps = 0, want_btf = 0;
  const char *specs[64];
  for (int i = 6; i < argc; i++) {
    if (strcmp(argv[i], "btf") == 0) { want_btf = 1; continue; }
    if (nmaps == 64) { fprintf(stderr, "too many maps\n"); return 2; }
    specs[nmaps++] = argv[i];
  }
  int fds[64];
  for (int i = 0; i < nmaps; i++) {
    unsigned type, key, value, max;
    char name[16] = "";
    if (sscanf(specs[i], "%u:%u:%u:%u:%15[A-Za-z0-9_.]", &type, &key, &value, &max, name) < 4) {
      fprintf(stderr, "bad map spec %s\n", specs[i]);
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

  static struct bpf_func_info finfo[256];
  int nfuncs = 0, btf_fd = -1;
  if (want_btf) {
    btf_fd = load_func_btf(insns, n, finfo, &nfuncs);
    if (btf_fd < 0) return 2;
  }

  char *log = calloc(1, LOG_SIZE);
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  if (want_btf) {
    a.prog_btf_fd = (unsigned)btf_fd;
    a.func_info = (unsigned long)finfo;
    a.func_info_cnt = (unsigned)nfuncs;
    a.func_info_rec_size = sizeof(struct bpf_func_info);
  }
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
  if (btf_fd >= 0) close(btf_fd);
  return 0;
}
