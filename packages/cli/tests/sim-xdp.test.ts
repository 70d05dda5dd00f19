// The seed's XDP firewall through `bpflab sim`: UDP to 11111 dropped; UDP to
// 53, TCP to 11111, ARP, IPv6 and a truncated 20-byte frame passed; the frames
// that passed written with --pcap-out and read back by tshark when it is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const PROGRAM = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures', 'programs', 'xdp_firewall.bpf.c');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-sim-xdp-'));

function has(cmd: string, arg: string): boolean {
  try {
    execFileSync(cmd, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = has(process.env.CLANG ?? 'clang', '--version');
const tshark = has('tshark', '--version');
if (!clang) console.warn('bpflab sim XDP tests skipped: clang not found (apt-get install clang)');
if (clang && !tshark) console.warn('bpflab sim pcap check with tshark skipped: tshark not found (apt-get install tshark)');

const SCENARIO = `attach: { xdp_firewall: eth0 }
steps:
  - packet: { eth: {}, ipv4: { src: 10.0.0.2, dst: 10.0.0.1 }, udp: { dport: 11111 } }
  - packet: { eth: {}, ipv4: { src: 10.0.0.2, dst: 10.0.0.1 }, udp: { dport: 53 } }
  - packet: { eth: {}, ipv4: { src: 10.0.0.2, dst: 10.0.0.1 }, tcp: { dport: 11111 } }
  - packet: { arp: { op: request, target_ip: 10.0.0.1 } }
  - packet: { ipv6: { src: "fe80::1", dst: "fe80::2" }, udp: { dport: 11111 } }
  - packet: { raw: "ff ff ff ff ff ff 00 11 22 33 44 55 08 00 45 00 00 14 00 00" }
`;

async function sim(...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  writeFileSync(join(tmp, 'fw.yaml'), SCENARIO);
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  const code = await main(['node', 'bpflab', 'sim', PROGRAM, 'fw.yaml', ...extra], io);
  return { code, out, err };
}

(clang ? describe : describe.skip)('the XDP firewall through bpflab sim', () => {
  it('drops UDP to 11111 and passes everything else', async () => {
    const r = await sim('--json');
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const report = JSON.parse(r.out) as { steps: { kind: string; observation?: { action: string | null } }[] };
    const actions = report.steps.filter((s) => s.kind === 'packet').map((s) => s.observation!.action);
    expect(actions).toEqual(['XDP_DROP', 'XDP_PASS', 'XDP_PASS', 'XDP_PASS', 'XDP_PASS', 'XDP_PASS']);
  });

  (tshark ? it : it.skip)('writes the passed frames as a pcap that tshark reads', async () => {
    const r = await sim('--pcap-out', 'out.pcap');
    expect(r.code).toBe(0);
    const lines = execFileSync('tshark', ['-r', join(tmp, 'out.pcap'), '-T', 'fields', '-e', 'frame.protocols'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('udp');
    expect(lines[1]).toContain('tcp');
    expect(lines[2]).toContain('arp');
    expect(lines[3]).toContain('ipv6');
  });

  it('plays a capture through the hook with --pcap-in', async () => {
    expect((await sim('--pcap-out', 'in.pcap')).code).toBe(0);
    writeFileSync(join(tmp, 'none.yaml'), 'attach: { xdp_firewall: eth0 }\nsteps: []\n');
    let out = '';
    const io: Io = { out: (t) => void (out += t), err: () => undefined, cwd: tmp };
    const code = await main(['node', 'bpflab', 'sim', PROGRAM, 'none.yaml', '--pcap-in', 'in.pcap', '--json'], io);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { steps: { kind: string; name?: string; observation?: { action: string | null } }[] };
    expect(report.steps.map((s) => [s.kind, s.observation?.action])).toEqual(Array.from({ length: 5 }, () => ['packet', 'XDP_PASS']));
    expect(report.steps[0]!.name).toBe('in.pcap frame 1');
  });

  it('refuses a file that is not a pcap capture, naming it', async () => {
    writeFileSync(join(tmp, 'bad.pcap'), 'not a capture at all');
    let err = '';
    const io: Io = { out: () => undefined, err: (t) => void (err += t), cwd: tmp };
    writeFileSync(join(tmp, 'none.yaml'), 'attach: { xdp_firewall: eth0 }\nsteps: []\n');
    const code = await main(['node', 'bpflab', 'sim', PROGRAM, 'none.yaml', '--pcap-in', 'bad.pcap'], io);
    expect(code).toBe(2);
    expect(err).toMatch(/^bpflab: bad\.pcap: /);
  });
});
