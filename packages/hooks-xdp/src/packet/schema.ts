/**
 * JSON Schemas (draft-07) of packet descriptions and network
 * configurations, for step schemas: scenario files are checked against
 * them before anything runs, so a misspelt field is reported with its
 * file:line:column. `buildPacket` and `createNetwork` check the same
 * things again for callers that skip the schema.
 */
import type { JsonSchema } from '@bpflab/kernel';

const u = (max: number, description?: string): JsonSchema => ({ type: 'integer', minimum: 0, maximum: max, ...(description === undefined ? {} : { description }) });
const NUMBER_OR_NAME = (max: number, description: string): JsonSchema => ({
  description,
  anyOf: [u(max), { type: 'string', minLength: 1 }],
});
const MAC: JsonSchema = { type: 'string', pattern: '^[0-9A-Fa-f]{1,2}([:-][0-9A-Fa-f]{1,2}){5}$', description: 'a MAC address: 02:00:00:00:00:01' };
const IPV4: JsonSchema = { type: 'string', pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$', description: 'an IPv4 address: 10.0.0.1' };
const IPV6: JsonSchema = { type: 'string', pattern: '^[0-9A-Fa-f:.]+$', description: 'an IPv6 address: fd00::1' };
const HEX: JsonSchema = { type: 'string', pattern: '^[\\s0-9A-Fa-fxX:,-]*$', description: 'hex bytes: "ff ff 00" or "ffff00"' };

const obj = (properties: Readonly<Record<string, JsonSchema>>, description: string, required: readonly string[] = []): JsonSchema => ({
  type: 'object',
  description,
  properties,
  ...(required.length === 0 ? {} : { required }),
  additionalProperties: false,
});

const VLAN_TAG = obj(
  { id: u(4095, 'VLAN id'), pcp: u(7, 'priority code point'), dei: { type: 'boolean' }, tpid: NUMBER_OR_NAME(0xffff, 'the tag protocol: vlan (0x8100), qinq (0x88a8) or a number') },
  'an 802.1Q tag',
  ['id'],
);

const ICMP = obj({ type: u(255), code: u(255), id: u(0xffff), seq: u(0xffff), checksum: u(0xffff, 'written instead of the right checksum') }, 'an ICMP header');

/** JSON Schema of a packet description (`buildPacket`'s input). */
export const PACKET_DESCRIPTION_SCHEMA: JsonSchema = Object.freeze({
  description: 'a frame: { raw: hex } or layers (eth, vlan, ipv4 | ipv6 | arp, udp | tcp | icmp | icmpv6, payload); omitted fields take defaults',
  oneOf: [
    obj({ raw: HEX }, 'the frame byte for byte, as hex', ['raw']),
    {
      type: 'object',
      description: 'a frame built from layers; Ethernet is implied',
      properties: {
        eth: obj({ src: MAC, dst: MAC, type: NUMBER_OR_NAME(0xffff, 'ipv4, ipv6, arp, vlan, qinq or a number; default from the next layer') }, 'the Ethernet header'),
        vlan: { anyOf: [VLAN_TAG, { type: 'array', minItems: 1, items: VLAN_TAG }], description: 'one 802.1Q tag, or a stack (outermost first)' },
        ipv4: obj(
          {
            src: IPV4,
            dst: IPV4,
            proto: NUMBER_OR_NAME(255, 'udp, tcp, icmp, ... or a number; default from the next layer'),
            ttl: u(255),
            tos: u(255),
            id: u(0xffff),
            df: { type: 'boolean' },
            mf: { type: 'boolean' },
            frag_offset: u(0x1fff, 'in 8-byte units'),
            options: HEX,
            checksum: u(0xffff, 'written instead of the right checksum'),
            total_length: u(0xffff, 'written instead of the real length'),
          },
          'an IPv4 header',
        ),
        ipv6: obj(
          {
            src: IPV6,
            dst: IPV6,
            next_header: NUMBER_OR_NAME(255, 'udp, tcp, icmpv6, ... or a number; default from the next layer'),
            hop_limit: u(255),
            traffic_class: u(255),
            flow_label: u(0xfffff),
            payload_length: u(0xffff, 'written instead of the real length'),
          },
          'an IPv6 header',
        ),
        arp: obj(
          {
            op: NUMBER_OR_NAME(0xffff, 'request, reply or a number'),
            sender_mac: MAC,
            sender_ip: IPV4,
            target_mac: MAC,
            target_ip: IPV4,
          },
          'an ARP packet (IPv4 over Ethernet)',
        ),
        udp: obj({ sport: u(0xffff), dport: u(0xffff), checksum: u(0xffff), length: u(0xffff) }, 'a UDP header'),
        tcp: obj(
          {
            sport: u(0xffff),
            dport: u(0xffff),
            flags: { anyOf: [{ type: 'string', pattern: '^[FSRPAUECfsrpauec]*$' }, { type: 'array', items: { enum: ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] } }] },
            seq: u(0xffffffff),
            ack: u(0xffffffff),
            window: u(0xffff),
            urgent: u(0xffff),
            options: HEX,
            checksum: u(0xffff),
          },
          'a TCP header',
        ),
        icmp: ICMP,
        icmpv6: ICMP,
        payload: {
          description: 'bytes after the headers: text, { hex }, or { size, fill }',
          anyOf: [{ type: 'string' }, obj({ hex: HEX }, 'hex bytes', ['hex']), obj({ size: u(65535), fill: u(255) }, 'size bytes of fill', ['size'])],
        },
      },
      additionalProperties: false,
    },
  ],
});

/** JSON Schema of a network configuration (`createNetwork`'s input). */
export const NETWORK_SPEC_SCHEMA: JsonSchema = Object.freeze(
  obj(
    {
      interfaces: {
        type: 'array',
        description: 'the interfaces besides lo (ifindex 1); the others count up from 2',
        items: obj(
          {
            name: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,15}$' },
            ifindex: { type: 'integer', minimum: 1 },
            mac: MAC,
            mtu: { type: 'integer', minimum: 68, maximum: 65536 },
            addresses: { type: 'array', items: { type: 'string', description: 'address/prefix: 10.0.0.1/24, fd00::1/64' } },
            rx_queues: { type: 'integer', minimum: 1, maximum: 4096 },
          },
          'an interface',
          ['name'],
        ),
      },
      routes: {
        type: 'array',
        items: obj(
          {
            dst: { type: 'string', description: 'a prefix (10.1.0.0/16) or default' },
            via: { type: 'string' },
            dev: { type: 'string' },
            type: { enum: ['unicast', 'blackhole', 'unreachable', 'prohibit'] },
            metric: { type: 'integer', minimum: 0 },
            mtu: { type: 'integer', minimum: 68, maximum: 65536 },
          },
          'a route',
          ['dst'],
        ),
      },
      neighbors: { type: 'array', items: obj({ ip: { type: 'string' }, mac: MAC, dev: { type: 'string' } }, 'a neighbour entry', ['ip', 'mac', 'dev']) },
      forwarding: { type: 'boolean', description: 'whether the host forwards (default true)' },
    },
    'the machine\'s interfaces, routes and neighbours',
  ),
);
