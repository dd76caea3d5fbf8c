/**
 * A transport over a binding's HCI socket (hci-socket-binding.ts): each 'data' event is one whole
 * H4 packet, indicator first, and each write is one. The user channel and the USB transport differ
 * only in how the socket is opened and how its errors read.
 */
import { InvalidStateError } from '../core/index.js';
import type { HciSocketLike } from './hci-socket-binding.js';
import type { Transport } from './transport.js';

export class HciSocketTransport implements Transport {
  readonly vendorPackets = true;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private closed = false;

  constructor(
    private readonly socket: HciSocketLike,
    readonly description: string,
    /** The npm package whose socket this is. */
    readonly binding: string,
    /** Turns an 'error' event of the socket into the error the transport closes with. */
    explain: (error: Error) => Error,
    readonly maxAclData?: number,
  ) {
    socket.on('error', (e: Error) => this.finish(explain(e)));
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new InvalidStateError(`${this.description} is closed`);
    this.socket.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** Registers the one receiver; a later call replaces it. */
  onData(handler: (bytes: Uint8Array) => void): void {
    const first = !this.dataHandler;
    this.dataHandler = handler;
    if (first) this.socket.on('data', (data: Buffer) => this.dataHandler?.(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  async close(): Promise<void> {
    this.finish(undefined);
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.stop();
    } finally {
      this.closeHandler?.(error);
    }
  }
}
