/**
 * What every transport gives the driver: a duplex of H4 bytes (packet indicator first) to and from
 * one controller. Chunks may split or join packets anywhere; the H4 framer in the core re-frames them.
 */
export interface Transport {
  /** One line naming the transport, e.g. `h4:unix:/tmp/bt-server-bredr`. */
  readonly description: string;
  /** True when the controller may send vendor/diagnostic H4 packets (indicator ≥ 0x07). */
  readonly vendorPackets: boolean;
  /** The largest ACL data length the transport can carry from the controller, when it is limited
   * (the HCI user-channel addon reads into 1024 bytes: 1019 data bytes). The host announces it with
   * Host Buffer Size. */
  readonly maxAclData?: number;
  /** Sends H4 bytes to the controller. */
  write(bytes: Uint8Array): void;
  /** Registers the receiver of H4 bytes from the controller (one receiver). */
  onData(handler: (bytes: Uint8Array) => void): void;
  /** Registers the handler for the transport closing, with the error when it failed. */
  onClose(handler: (error?: Error) => void): void;
  close(): Promise<void>;
}
