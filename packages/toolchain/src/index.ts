// @bpflab/toolchain: finding clang, compiling BPF C programs with the kit's
// generated headers (vmlinux.h, bpf_helpers.h and friends), and clang's
// diagnostics as data and as text for students.

export { ToolchainError } from './errors';
export type { ToolchainErrorCode } from './errors';

export { CLANG_CANDIDATES, CLANG_INSTALL_HINT, DEFAULT_FIND_CLANG_OPTIONS, findClang, MIN_CLANG_MAJOR } from './find-clang';
export type { ClangInfo, Exec, ExecResult, FindClangOptions } from './find-clang';

export { autoSystemIncludeDirs, compile, DEBUG_INCLUDE_DIR, DEFAULT_COMPILE_OPTIONS } from './compile';
export type { BpfCpu, CompileInput, CompileOptions, CompileResult, CompileSource } from './compile';

export { DEFAULT_FORMAT_DIAGNOSTICS_OPTIONS, formatDiagnostics, hintFor, parseDiagnostics } from './diagnostics';
export type { Diagnostic, FormatDiagnosticsOptions, IncludeSite, Severity } from './diagnostics';

export { includeDir } from './include-dir';
export { DO_NOT_EDIT, generateHeaders, generateVmlinuxH, VMLINUX_DO_NOT_EDIT } from './headers/index';
export type { GeneratedHeader } from './headers/index';
