# A bounded loop for the verifier benchmark: sums 1..100, 4 instructions per
# iteration. r1 is a known constant on every pass, so the verifier walks
# every iteration (as Linux does) and processes about 4 x 100 instructions.
r0 = 0
r1 = 0
LBB0_1:
r0 += r1
r0 += 1
r1 += 1
if r1 < 100 goto LBB0_1
exit
