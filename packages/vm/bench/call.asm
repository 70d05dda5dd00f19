# Benchmark 3: one BPF-to-BPF call per iteration, 9 instructions per iteration
# (5 in the loop, 4 in the callee). r6-r9 survive the call; r1 is the argument.
mov %r6, 0
mov %r7, 300000
loop:
mov %r1, %r7
call local scramble
add %r6, %r0
sub %r7, 1
jne %r7, 0, loop
mov %r0, %r6
exit
scramble:
mov %r0, %r1
mul %r0, 3
xor %r0, 0x5a
exit
