/**
 * What every transport gives the driver: a duplex of H4 bytes (packet indicator first) to and from
 * one controller. Chunks may split or join packets anywhere; the H4 framer in the core re-frames them.
 */
export interface Transport {
  /** One line naming the transport, e.g. `h4:unix:/tmp/bt-server-bredr`. */
  readonly description: string;
  /** True when the controller may send vendor/diagnostic H4 packets (indicator ≥ 0x07). */
  readonly vendorPackets: boolean;
  /**
   * True when the transport is a plain byte stream (a unix socket, TCP, a UART), where lost or
   * changed bytes desynchronise the H4 framing: the host then checks each packet against the one
   * after it (`HciHostOptions.byteStream`). False or absent for transports that keep packet
   * boundaries (the virtual controller, the HCI user channel).
   */
  readonly byteStream?: boolean;
  /**
   * What this transport is known to need from RFCOMM: a receive window (octets a peer may send
   * ahead of the reader) small enough that the controller's side never has to drop what the host
   * has not read yet (btvirt writes to its clients without blocking). Undefined: the default.
   */
  readonly rxWindowHint?: number;
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
  /**
   * Node's ref/unref for what the transport waits on (sockets, timers): `unref()` lets the process
   * end while the transport is open, `ref()` keeps it alive again. The adapter holds its transport
   * only while a socket, server or operation uses it. Absent where the handle cannot be unref'd
   * (the HCI user-channel addon, serialport's poller): that transport keeps the process alive until
   * it is closed. A new transport is held.
   */
  ref?(): void;
  unref?(): void;
}
