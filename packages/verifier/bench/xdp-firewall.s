# The seed's XDP firewall (packages/toolchain/tests/fixtures/programs/xdp_firewall.bpf.c)
# as clang 14 -O2 compiles it, for the verifier benchmark (an XDP program).
w0 = 0x2
r2 = *(u32 *)(r1 + 0x4)
r1 = *(u32 *)(r1 + 0x0)
r3 = r1
r3 += 0xe
if r3 > r2 goto LBB0_8
r4 = *(u8 *)(r1 + 0xd)
w4 <<= 0x8
r5 = *(u8 *)(r1 + 0xc)
w4 |= w5
if w4 != 0x8 goto LBB0_8
r4 = r1
r4 += 0x22
if r4 > r2 goto LBB0_8
r4 = *(u8 *)(r1 + 0x17)
if w4 != 0x11 goto LBB0_8
r3 = *(u8 *)(r3 + 0x0)
w3 &= 0xf
if w3 < 0x5 goto LBB0_8
w3 <<= 0x2
r1 += r3
r3 = r1
r3 += 0x16
if r3 > r2 goto LBB0_8
r1 += 0xe
r1 = *(u16 *)(r1 + 0x2)
w0 = 0x1
if w1 == 0x672b goto LBB0_8
w0 = 0x2
LBB0_8:
exit
