# Benchmark 1: a plain counting loop, 3 instructions per iteration.
# r0 counts up by 3 while r1 counts 1,000,000 iterations down to zero.
mov %r0, 0
mov %r1, 1000000
loop:
add %r0, 3
sub %r1, 1
jne %r1, 0, loop
exit
