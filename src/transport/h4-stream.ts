/**
 * H4 over a byte stream (Core v5.4 Vol 4 Part A §2: one packet-indicator octet, then the HCI
 * packet; no framing beyond that, so the core's H4 framer re-frames the chunks):
 * - `h4:unix:/path`: a unix socket, e.g. BlueZ `btvirt -s -l0` serving /tmp/bt-server-bredr, where
 *   every client gets its own emulated BR/EDR controller;
 * - `h4:tcp:host:port`: TCP, e.g. Android RootCanal (HCI port 6402) or BlueZ btproxy;
 * - `serial:/dev/ttyUSB0[,baud][,rtscts]`: a UART controller through the optional dependency
 *   `serialport`, loaded only when asked for.
 * Connection failures become one `TransportError` that says what to start or install.
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ArgumentError, InvalidStateError, TransportError } from '../core/index.js';
import { errnoOf, messageOf, tcpConnectError, unixConnectError } from './errors.js';
import type { Transport } from './transport.js';

export interface H4StreamOptions {
  /** The controller may send vendor packets (indicator ≥ 0x07). */
  vendorPackets?: boolean;
}

/**
 * The RFCOMM receive window over a unix socket (btvirt). btvirt writes to its clients without
 * blocking and drops what the socket cannot take: a unix stream socket holds about 167 packets of
 * 197 octets before its sender gets EAGAIN (measured here: the default 208 KiB of socket memory,
 * charged per packet). 16 KiB of RFCOMM data in flight is about 86 such packets, half of that, so
 * a reader that falls behind holds the sender back before btvirt drops anything; over btvirt it
 * is as fast as larger windows (docs/performance.md). 64 KiB (the default elsewhere) lost data.
 */
export const UNIX_SOCKET_RX_WINDOW = 16 * 1024;

export class H4StreamTransport implements Transport {
  readonly vendorPackets: boolean;
  readonly byteStream = true;
  readonly rxWindowHint: number | undefined;
  private dataHandler: ((bytes: Uint8Array) => void) | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  private failure: Error | undefined;
  private closed = false;
  private readonly whenClosed: Promise<void>;

  constructor(
    private readonly stream: Duplex,
    readonly description: string,
    options: H4StreamOptions & { rxWindowHint?: number } = {},
  ) {
    this.vendorPackets = options.vendorPackets ?? false;
    this.rxWindowHint = options.rxWindowHint;
    stream.on('error', (e: Error) => {
      this.failure ??= new TransportError(`${description} failed: ${messageOf(e)}`, { cause: e });
    });
    this.whenClosed = new Promise((resolve) => {
      stream.once('close', () => {
        this.closed = true;
        this.closeHandler?.(this.failure);
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): void {
    if (this.closed || this.stream.destroyed) throw new InvalidStateError(`${this.description} is closed`);
    this.stream.write(bytes);
  }

  /** Registers the one receiver; a later call replaces it. The stream flows from the first call. */
  onData(handler: (bytes: Uint8Array) => void): void {
    const first = !this.dataHandler;
    this.dataHandler = handler;
    if (first) this.stream.on('data', (chunk: Buffer) => this.dataHandler?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  async close(): Promise<void> {
    if (!this.closed) this.stream.destroy();
    await this.whenClosed;
  }

  /** A net.Socket (unix, TCP) can be unref'd; a serial port cannot (its poller has no unref). */
  ref(): void {
    (this.stream as Duplex & { ref?: () => void }).ref?.();
  }

  unref(): void {
    (this.stream as Duplex & { unref?: () => void }).unref?.();
  }
}

function connectSocket(socket: Socket, fail: (e: unknown) => TransportError, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(fail(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(fail(e));
    });
  });
}

export async function openUnixH4(path: string, options: H4StreamOptions & { connectTimeoutMs?: number } = {}): Promise<H4StreamTransport> {
  const socket = await connectSocket(connect(path), (e) => unixConnectError(path, e), options.connectTimeoutMs ?? 5000);
  socket.setNoDelay?.(true);
  return new H4StreamTransport(socket, `h4:unix:${path}`, { ...options, rxWindowHint: UNIX_SOCKET_RX_WINDOW });
}

export async function openTcpH4(host: string, port: number, options: H4StreamOptions & { connectTimeoutMs?: number } = {}): Promise<H4StreamTransport> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ArgumentError(`TCP port ${port} is outside 1..65535`);
  const socket = await connectSocket(connect({ host, port }), (e) => tcpConnectError(host, port, e), options.connectTimeoutMs ?? 5000);
  socket.setNoDelay(true);
  return new H4StreamTransport(socket, `h4:tcp:${host}:${port}`, options);
}

/** The part of the `serialport` package (v10+) this transport uses. */
interface SerialPortModule {
  SerialPort: new (options: { path: string; baudRate: number; rtscts?: boolean; autoOpen?: boolean }) => Duplex & {
    open(callback: (error: Error | null) => void): void;
  };
}

export interface SerialOptions extends H4StreamOptions {
  baudRate?: number;
  rtscts?: boolean;
  /** Loads the `serialport` module (tests replace it). */
  load?: () => Promise<unknown>;
}

const SERIALPORT = 'serialport';

export async function openSerialH4(path: string, options: SerialOptions = {}): Promise<H4StreamTransport> {
  const baudRate = options.baudRate ?? 115200;
  let mod: SerialPortModule;
  try {
    mod = (await (options.load ?? (() => import(SERIALPORT)))()) as SerialPortModule;
  } catch (e) {
    throw new TransportError(`the serial transport needs the optional dependency serialport: npm install serialport (${messageOf(e)})`, { cause: e });
  }
  if (typeof mod?.SerialPort !== 'function') throw new TransportError('the installed serialport has no SerialPort class: npm install serialport@latest');
  const port = new mod.SerialPort({ path, baudRate, rtscts: options.rtscts ?? false, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => {
      if (!error) return resolve();
      const code = errnoOf(error);
      const hint =
        code === 'EACCES' || /permission/i.test(error.message)
          ? `: add yourself to the dialout group (sudo usermod -aG dialout $USER) or check the device's mode`
          : code === 'ENOENT' || /no such file/i.test(error.message)
            ? ': check the device path (ls /dev/ttyUSB* /dev/ttyACM*)'
            : '';
      reject(new TransportError(`cannot open serial port ${path}: ${error.message}${hint}`, { cause: error }));
    }),
  );
  return new H4StreamTransport(port, `serial:${path},${baudRate}${options.rtscts ? ',rtscts' : ''}`, options);
}
