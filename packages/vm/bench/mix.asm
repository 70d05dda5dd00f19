# Benchmark 2: ALU, 64-bit multiply and stack loads/stores, 13 instructions per
# iteration: a linear congruential generator whose bits are folded into r1
# through the stack.
mov %r0, 1
mov %r1, 0
mov %r6, 250000
loop:
mul %r0, 0x5851f42d
add %r0, 12345
stxdw [%r10-8], %r0
ldxdw %r2, [%r10-8]
rsh %r2, 33
xor %r1, %r2
stxw [%r10-16], %r1
ldxw %r3, [%r10-16]
add %r1, %r3
and32 %r1, 0xffffff
sub %r6, 1
jne %r6, 0, loop
mov %r0, %r1
exit
