# A student's unbounded loop (tests/fixtures/compiled/_error_/loop-unbounded-pid.c)
# as clang 14 -O2 compiles it, for the verifier benchmark: the loop runs up to
# the pid, which the verifier cannot know, so it walks iteration after
# iteration until the 1,000,000-instruction limit and rejects the program
# ("BPF program is too large"), as Linux does. load/run/sim/test and the
# grader all verify, so this is how long a student waits for that message.
call 14
r1 = 0
r2 = 4294967296 ll
r3 = 0
if r2 > r0 goto LBB0_4
r0 >>= 32
r2 = 0
r4 = 0
LBB0_2:
r3 = r4
r3 *= 31
r4 = r2
r4 += r3
r2 += 1
if r0 > r2 goto LBB0_2
r3 += r2
r3 += -1
LBB0_4:
r2 = 1970039845
*(u32 *)(r10 - 8) = r2
*(u8 *)(r10 - 4) = r1
r1 = r10
r1 += -8
r2 = 5
call 6
r0 = 0
exit
