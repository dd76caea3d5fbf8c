/**
 * A stand-in for the native binding's HCI socket (the interface of @stoprocent/bluetooth-hci-socket
 * and @abandonware/bluetooth-hci-socket: bindUser, start, stop, write, 'data' and 'error' events)
 * whose controller is a btvirt at a unix socket instead of a kernel adapter. It plays the kernel's
 * part: btvirt's H4 byte stream is cut into whole packets, one 'data' event each, and a packet
 * longer than the bindings' 1024-byte read buffer is an error (the real binding would cut it).
 * Everything above the binding (the user-channel transport, the host, the Adapter) runs as is.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';

/** The bindings' read buffer (src/transport/user-channel.ts: USER_CHANNEL_MAX_ACL_DATA). */
const READ_BUFFER = 1024;

/** Header length and where its payload length sits, per H4 indicator (Core v5.4 Vol 4 Part A §2). */
const HEADERS: Record<number, { header: number; at: number; size: 1 | 2 }> = {
  0x01: { header: 3, at: 2, size: 1 },
  0x02: { header: 4, at: 2, size: 2 },
  0x03: { header: 3, at: 2, size: 1 },
  0x04: { header: 2, at: 1, size: 1 },
};

/** Cuts H4 bytes into whole packets (indicator included). */
export function* h4Packets(buffer: { bytes: Buffer }): Generator<Buffer> {
  for (;;) {
    const b = buffer.bytes;
    if (b.length < 1) return;
    const format = HEADERS[b[0]];
    if (!format) throw new Error(`btvirt sent H4 indicator 0x${b[0].toString(16)}`);
    if (b.length < 1 + format.header) return;
    const length = format.size === 1 ? b[1 + format.at] : b.readUInt16LE(1 + format.at);
    const total = 1 + format.header + length;
    if (b.length < total) return;
    buffer.bytes = b.subarray(total);
    yield b.subarray(0, total);
  }
}

export class StandInHciSocket extends EventEmitter {
  /** The unix socket of the btvirt the next bound socket talks to. */
  static btvirtPath = '';
  /** Every stand-in made, for the test to look at. */
  static readonly made: StandInHciSocket[] = [];
  boundTo: number | undefined;
  /** Every packet the transport wrote, as written. */
  readonly written: Buffer[] = [];
  private link: Socket | undefined;
  private started = false;
  private readonly pending = { bytes: Buffer.alloc(0) };

  constructor() {
    super();
    StandInHciSocket.made.push(this);
  }

  bindUser(devId: number): number {
    if (!StandInHciSocket.btvirtPath) throw new Error('StandInHciSocket.btvirtPath is not set');
    this.boundTo = devId;
    this.link = connect(StandInHciSocket.btvirtPath);
    this.link.on('data', (chunk: Buffer) => {
      this.pending.bytes = Buffer.concat([this.pending.bytes, chunk]);
      if (this.started) this.deliver();
    });
    this.link.on('error', (e) => this.emit('error', e));
    return devId;
  }

  start(): void {
    this.started = true;
    this.deliver();
  }

  stop(): void {
    this.started = false;
    this.link?.destroy();
  }

  write(data: Buffer): void {
    this.written.push(Buffer.from(data));
    this.link!.write(Buffer.from(data));
  }

  private deliver(): void {
    try {
      for (const packet of h4Packets(this.pending)) {
        if (packet.length > READ_BUFFER) throw new Error(`a ${packet.length}-byte packet does not fit the binding's ${READ_BUFFER}-byte read buffer`);
        this.emit('data', Buffer.from(packet));
      }
    } catch (e) {
      this.emit('error', e);
    }
  }
}
