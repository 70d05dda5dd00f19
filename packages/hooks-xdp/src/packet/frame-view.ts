/** A frame as observations show it: bytes, hex, and the decoded one-line summary. */
import { formatHex } from '../net/hex';
import { XdpError } from '../errors';
import { buildPacket } from './build';
import { decodeFrame } from './decode';
import type { PacketDescription } from './describe';

/** A frame, shown three ways (JSON-safe, for observations). */
export interface FrameView {
  readonly length: number;
  /** lowercase hex pairs separated by spaces */
  readonly hex: string;
  /** what `decodeFrame` says of it */
  readonly summary: string;
  /** whether every checksum in it verifies */
  readonly checksums_ok: boolean;
}

/** The view of a frame. */
export function viewFrame(bytes: Uint8Array): FrameView {
  const d = decodeFrame(bytes);
  return { length: bytes.length, hex: formatHex(bytes), summary: d.summary, checksums_ok: d.checksumsOk };
}

/** JSON Schema of a {@link FrameView}. */
export const FRAME_VIEW_SCHEMA = Object.freeze({
  type: 'object',
  properties: {
    length: { type: 'integer', minimum: 0 },
    hex: { type: 'string', pattern: '^([0-9a-f]{2}( [0-9a-f]{2})*)?$' },
    summary: { type: 'string' },
    checksums_ok: { type: 'boolean' },
  },
  required: ['length', 'hex', 'summary', 'checksums_ok'],
  additionalProperties: false,
});

/** A packet as callers give it: frame bytes, or a description. */
export type PacketInput = Uint8Array | PacketDescription;

/**
 * The bytes of a packet input (a copy for bytes; `buildPacket` for a
 * description, with `path` prefixed to the fields its errors name).
 */
export function packetBytes(input: PacketInput | unknown, path = ''): Uint8Array {
  if (input instanceof Uint8Array) return Uint8Array.from(input);
  if (input === undefined || input === null) throw new XdpError('bad-packet', `${path === '' ? 'packet' : path}: no packet given`, { field: path });
  return buildPacket(input, { path });
}
