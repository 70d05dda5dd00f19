// @bpflab/cli: the `bpflab` command, callable in-process for tests and tools.
export { buildProgram, main } from './main';
export { EXIT, CliError } from './errors';
export type { CliErrorCode } from './errors';
export type { Io } from './io';
