/**
 * The XDP package's one error class.
 *
 * What a student's program does (an action, a helper's errno, a redirect
 * that fails) is an observation, never an exception. `XdpError` is thrown
 * for inputs that cannot be turned into packets (a malformed packet
 * description, bad hex, a pcap file that is not one), for a network
 * configuration that does not hold together, and for misuse of the API.
 */

/** Stable codes of the package's errors. */
export type XdpErrorCode =
  /** a packet description is malformed; `field` names the field (`ipv4.src`) */
  | 'bad-packet'
  /** hex text that is not hex; `field` names where it came from */
  | 'bad-hex'
  /** a capture file that is not a classic pcap file, or is truncated */
  | 'bad-pcap'
  /** an interface, route or neighbour of the network configuration is malformed or clashes with another */
  | 'bad-network'
  /** the API was used wrongly (a frame too large for one XDP buffer, a program of another type) */
  | 'bad-call';

/** Extra fields of an `XdpError`. */
export interface XdpErrorDetails {
  /** the field of the description concerned, as a path (`ipv4.options`, `steps[2].udp.dport`) */
  readonly field?: string;
  /** for `bad-pcap`: the byte offset in the file */
  readonly offset?: number;
  /** the underlying error */
  readonly cause?: unknown;
}

/** The XDP package's error. `code` is stable; `message` says what is wrong and where. */
export class XdpError extends Error {
  override readonly name = 'XdpError';
  readonly field: string | undefined;
  readonly offset: number | undefined;

  constructor(
    readonly code: XdpErrorCode,
    message: string,
    details: XdpErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.field = details.field;
    this.offset = details.offset;
  }
}
