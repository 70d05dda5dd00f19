# The sum of the squares of 1..10, in the syntax llvm-objdump prints.
# One BPF-to-BPF call per iteration; the running sum also goes through the stack.
# Run it:  bpflab run examples/sum-squares.s        (r0 = 385)
#          bpflab run examples/sum-squares.s --trace
sum_squares:
	r6 = 1
	r7 = 0
LBB0_1:
	r1 = r6
	call square
	r7 += r0
	*(u64 *)(r10 - 8) = r7
	r6 += 1
	if r6 <= 10 goto LBB0_1
	r0 = *(u64 *)(r10 - 8)
	exit

square:
	r0 = r1
	r0 *= r1
	exit
