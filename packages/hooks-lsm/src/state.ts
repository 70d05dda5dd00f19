/**
 * The LSM plugin's world in one kernel: the simulated filesystem, the
 * files each process holds open, and the tallies the end-of-scenario
 * summary reports.
 */
import type { Kernel } from '@bpflab/kernel';
import type { Region } from '@bpflab/vm';
import { SimFilesystem, type FilesystemOptions, type FsNode } from './filesystem';
import type { FileAccess } from './steps';

/** A file a process holds open. */
export interface OpenFile {
  /** the file descriptor `open` returned */
  readonly fd: number;
  /** the path it was opened by */
  readonly path: string;
  readonly node: FsNode;
  /** its `struct file` */
  readonly region: Region;
  readonly access: FileAccess;
}

/** What happened to one kind of operation. */
export interface OpTally {
  allowed: number;
  denied: number;
}

/** The plugin's state in one kernel. */
export class LsmState {
  readonly fs: SimFilesystem;
  /** operations by kind (`open`, `exec`...) */
  readonly tally = new Map<string, OpTally>();
  /** denials by the program that decided them */
  readonly deniedBy = new Map<string, number>();
  private readonly files = new Map<number, Map<string, OpenFile>>();
  private readonly nextFd = new Map<number, number>();

  constructor(
    readonly kernel: Kernel,
    options: FilesystemOptions = {},
  ) {
    this.fs = new SimFilesystem(kernel.memory, options);
  }

  /** The file process `tgid` holds open for `path`, if any. */
  openFile(tgid: number, path: string): OpenFile | undefined {
    return this.files.get(tgid)?.get(path);
  }

  /** Every file process `tgid` holds open, by fd. */
  openFiles(tgid: number): readonly OpenFile[] {
    return [...(this.files.get(tgid)?.values() ?? [])].sort((a, b) => a.fd - b.fd);
  }

  /**
   * Records a file the process opened and gives its fd (the lowest above
   * 2 it has not used). A process holds one open file per path: opening
   * the path again closes the earlier one.
   */
  addOpenFile(tgid: number, file: Omit<OpenFile, 'fd'>): OpenFile {
    const table = this.files.get(tgid) ?? new Map<string, OpenFile>();
    this.files.set(tgid, table);
    const earlier = table.get(file.path);
    if (earlier !== undefined) this.closeFile(tgid, file.path);
    const fd = this.nextFd.get(tgid) ?? 3;
    this.nextFd.set(tgid, fd + 1);
    const open: OpenFile = { ...file, fd };
    table.set(file.path, open);
    return open;
  }

  /** Closes the process's file for `path` (its `struct file` goes away); false when it has none. */
  closeFile(tgid: number, path: string): boolean {
    const open = this.files.get(tgid)?.get(path);
    if (open === undefined) return false;
    this.files.get(tgid)!.delete(path);
    this.kernel.memory.free(open.region);
    return true;
  }

  /** Counts one operation and, for a denial by a program, the program. */
  count(op: string, denied: boolean, program: string | undefined): void {
    const t = this.tally.get(op) ?? { allowed: 0, denied: 0 };
    this.tally.set(op, t);
    if (denied) t.denied++;
    else t.allowed++;
    if (program !== undefined) this.deniedBy.set(program, (this.deniedBy.get(program) ?? 0) + 1);
  }
}
