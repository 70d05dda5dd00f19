/** Runs a fixture through bpflab's verifier. */
import { PROGRAM_TYPES, verify, type VerifyResult } from '../../src/index';
import type { Fixture } from './fixture-file';
import { lsmFixtureProgramType } from '../fixtures/lsm/lsm-types';

/** Verifies a fixture at the given log level. */
export function verifyFixture(f: Fixture, logLevel: 0 | 1 | 2 = 0): VerifyResult {
  const pt = PROGRAM_TYPES[f.progType] ?? lsmFixtureProgramType(f.progType);
  if (pt === undefined) throw new Error(`${f.file}: unknown program type ${f.progType}`);
  const access = f.privileged === 'cap_bpf' ? { privileged: false, capabilities: { bpf: true, perfmon: false } } : { privileged: f.privileged };
  return verify({ insns: f.insns, sources: f.sources, license: f.license }, pt, { logLevel, maps: f.maps, btf: f.btf, ...access });
}
