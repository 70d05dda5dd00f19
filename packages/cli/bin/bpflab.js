#!/usr/bin/env node
// The `bpflab` command. The kit is written in TypeScript and runs through tsx,
// so there is no build step between editing the source and running it.
import { register } from 'tsx/esm/api';

// `bpflab run x --trace | head` closes our stdout early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
