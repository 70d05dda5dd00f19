// Relative paths mean the folder the user typed the command in, also
// under `pnpm bpflab`, which runs it from the repository's root.
import { userCwd } from '../src/io';

describe('userCwd', () => {
  it('takes INIT_CWD when pnpm runs the bpflab script', () => {
    expect(userCwd({ npm_lifecycle_event: 'bpflab', INIT_CWD: '/home/ada/ebpf' }, '/repo')).toBe('/home/ada/ebpf');
  });

  it("keeps the process's folder otherwise", () => {
    expect(userCwd({ INIT_CWD: '/home/ada/ebpf' }, '/repo')).toBe('/repo');
    expect(userCwd({ npm_lifecycle_event: 'test', INIT_CWD: '/home/ada' }, '/repo')).toBe('/repo');
    expect(userCwd({ npm_lifecycle_event: 'bpflab', INIT_CWD: '' }, '/repo')).toBe('/repo');
  });
});
