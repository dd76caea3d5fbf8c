/**
 * `BluetoothSocket`: the PyBluez socket surface (`connect`, `bind`, `listen`, `accept`, `send`,
 * `sendall`, `recv`, `close`, `settimeout`, `setblocking`, `getpeername`, `getsockname`) on a Node
 * `Duplex`, for RFCOMM and L2CAP.
 *
 * Backpressure (DESIGN.md rule 8): received bytes wait in the socket until the application takes
 * them with `recv` or the stream's reader; only then does the socket tell RFCOMM they were consumed,
 * and RFCOMM grants the peer new credits. A paused reader therefore stops the peer. `send` resolves
 * when the DLC has accepted every byte into its credit-bounded queue.
 *
 * `recv` and the stream side share one receive buffer: bytes the stream has buffered but nobody
 * read yet (after `pause()`) come first, so mixing the two loses and reorders nothing.
 *
 * Closing: a peer that disconnects (or a lost link) makes pending `send` calls and the first `recv`
 * that finds no data left fail with ECONNRESET, as a Linux RFCOMM socket reports its error once;
 * later `recv` calls return an empty buffer (EOF). The error's `reason` tells a peer's orderly
 * close ('disconnected') from link loss ('link-lost'). The stream side ends, or is destroyed with
 * ECONNRESET on link loss when it has an 'error' listener. `close()` resolves once the stack has
 * closed the channel, so the same channel can be opened again right away.
 */
import { Duplex } from 'node:stream';
import { ArgumentError, BDADDR_ANY, parseBdAddr, type BdAddr } from '../core/index.js';
import { closeDetailOf, type StackEvent } from '../stack/index.js';
import { checkSecurityLevel, type SecurityLevel } from '../security/index.js';
import type { Adapter } from './adapter.js';
import { errnoForClose, SocketError, type CloseReason } from './errors.js';
import { currentDefault, defaultAdapter } from './default-adapter.js';
import { DEFAULT_LOCAL_SIGNALS, localToV24, peerFromV24, type LocalSignals, type PeerSignals } from './modem-signals.js';

export const RFCOMM = 3;
export const L2CAP = 0;
export const PORT_ANY = 0;

export type Protocol = typeof RFCOMM | typeof L2CAP;

/** L2CAP Connection Response result 0x0002: connection refused, PSM not supported (Core v5.4 Vol 3 Part A §4.3). */
const L2CAP_PSM_NOT_SUPPORTED = 0x0002;
export type SocketAddress = [BdAddr, number];

export interface SocketOptions {
  /** The adapter to use; default: the process-wide adapter from `setDefaultAdapter` or a virtual one. */
  adapter?: Adapter;
  /** Receive buffer cap in bytes for the stream side (default 64 KiB). */
  highWaterMark?: number;
  /** Security this socket requires: for `connect`, before the channel opens; for `listen`, of every
   * incoming connection ('none', 'authenticated', 'encrypted' or 'mitm'; default 'none'). */
  security?: SecurityLevel;
  /** L2CAP only: received SDUs waiting for `recv` beyond this many bytes are dropped and counted
   * (basic-mode L2CAP has no flow control; default 4 MiB). RFCOMM needs no cap: credits bound it. */
  maxQueuedBytes?: number;
}

type State = 'new' | 'bound' | 'listening' | 'connecting' | 'connected' | 'closed';

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: Error): void;
}

/** Resolves and removes every waiter, first come first served (without the array `splice(0)` makes: this runs for each chunk received). */
function wakeAll(list: Waiter<void>[]): void {
  while (list.length > 0) list.shift()!.resolve();
}

export class BluetoothSocket extends Duplex {
  readonly proto: Protocol;
  private adapterRef: Adapter | undefined;
  private state: State = 'new';
  private id: number | undefined;
  private local: SocketAddress | undefined;
  private peer: SocketAddress | undefined;
  private timeoutMs: number | undefined;
  private blocking = true;
  private mtu = 0;
  /** Counts 'rfcomm-writable' events, so a sender can tell whether room came back during a write. */
  private writableEvents = 0;
  private readonly maxQueuedBytes: number;
  private readonly security: SecurityLevel;
  /** L2CAP SDUs dropped because the application did not read them in time. */
  droppedSdus = 0;
  /** Bytes the stack dropped on the way in, a gap in what this socket received (see 'dropped'): data the peer sent in
   * violation of RFCOMM flow control (or N1), and frames or SDUs lost on the way (their ACL fragments cut short). */
  droppedBytes = 0;
  /** RFCOMM: the peer's modem signals from its latest MSC (undefined before the first); see 'signals'. */
  peerSignals: PeerSignals | undefined;
  private localSignals: LocalSignals = { ...DEFAULT_LOCAL_SIGNALS };

  private rx: Uint8Array[] = [];
  private rxBytes = 0;
  /** Bytes read and not yet reported to RFCOMM (`consumed`). */
  private unreportedConsumed = 0;
  private readWanted = false;
  private eof = false;
  private closeError: SocketError | undefined;
  private errorReported = false;
  private readonly recvWaiters: Waiter<void>[] = [];
  private readonly writableWaiters: Waiter<void>[] = [];
  private openWaiter: Waiter<void> | undefined;
  private finalCallback: (() => void) | undefined;
  /** Resolves when the stack has closed the channel (or there never was one). */
  private readonly gone: Promise<void>;
  private channelGone!: () => void;

  private backlog = 0;
  private readonly pending: BluetoothSocket[] = [];
  private readonly acceptWaiters: Waiter<BluetoothSocket>[] = [];

  constructor(proto: Protocol = RFCOMM, options: SocketOptions = {}) {
    super({ allowHalfOpen: false, readableHighWaterMark: options.highWaterMark ?? 65536 });
    if (proto !== RFCOMM && proto !== L2CAP) throw new ArgumentError(`unknown protocol ${proto}: use RFCOMM or L2CAP`);
    this.proto = proto;
    this.adapterRef = options.adapter;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
    this.security = checkSecurityLevel(options.security ?? 'none');
    this.gone = new Promise<void>((resolve) => (this.channelGone = resolve));
  }

  // ------------------------------------------------------------ PyBluez surface

  /** Connects to `[address, channel]` (RFCOMM) or `[address, psm]` (L2CAP). */
  async connect(address: SocketAddress): Promise<void> {
    if (this.state === 'connected' || this.state === 'connecting') throw new SocketError('EISCONN', 'the socket is already connected');
    if (this.state === 'closed') throw new SocketError('EBADF', 'the socket is closed');
    const [addrText, port] = checkAddress(address, this.proto);
    const addr = parseBdAddr(addrText);
    const adapter = await this.adapter();
    adapter.ensureOpen(`connect to ${addr} ${this.portName(port)}`);
    this.state = 'connecting';
    const opened = new Promise<void>((resolve, reject) => (this.openWaiter = { resolve, reject }));
    this.peer = [addr, port];
    adapter.driver.runAttached(
      (now) =>
        this.proto === RFCOMM ? adapter.stack.connectRfcomm(addr, port, now, this.security) : adapter.stack.connectL2cap(addr, port, now, undefined, this.security),
      (id) => this.attach(adapter, id),
    );
    // As Linux's getsockname on a connected RFCOMM socket: the local address and the channel.
    this.local = [adapter.address, this.proto === RFCOMM ? port : (this.local?.[1] ?? 0)];
    await this.withTimeout(opened, `connecting to ${addr} ${this.portName(port)}`, () => this.abort());
  }

  /** Binds a server socket to `[address, channel|psm]`; 0 (`PORT_ANY`) picks a free one. */
  bind(address: SocketAddress): void {
    if (this.state !== 'new') throw new SocketError('EINVAL', `cannot bind a socket that is ${this.state}`);
    const [addrText, port] = checkAddress(address, this.proto, true);
    if (addrText !== '' && addrText !== BDADDR_ANY) parseBdAddr(addrText);
    this.local = [addrText, port];
    this.state = 'bound';
  }

  /** Starts accepting connections; at most `backlog` wait for `accept()`. */
  listen(backlog = 1): void {
    if (this.state !== 'bound') throw new SocketError('EINVAL', 'listen() needs bind() first');
    const adapter = this.adapterRef ?? currentDefault();
    if (!adapter) throw new SocketError('EINVAL', 'listen() on the default adapter needs `await openDefaultAdapter()` first, or pass { adapter }');
    adapter.ensureOpen('listen');
    this.adapterRef = adapter;
    this.backlog = Math.max(1, backlog);
    const requested = this.local![1];
    let port: number;
    try {
      port = this.proto === RFCOMM ? adapter.stack.listenRfcomm(requested, this.security) : adapter.stack.listenL2cap(requested, undefined, this.security);
    } catch (error) {
      throw new SocketError('EADDRINUSE', `cannot listen on ${this.proto === RFCOMM ? 'channel' : 'PSM'} ${requested}: ${(error as Error).message}`, { cause: error });
    }
    this.local = [adapter.address, port];
    const route = (e: StackEvent) => this.onIncoming(e);
    if (this.proto === RFCOMM) adapter.serveRfcomm(port, route);
    else adapter.serveL2cap(port, route);
    this.state = 'listening';
  }

  /** Waits for a connection: `[socket, [address, channel]]`. */
  async accept(): Promise<[BluetoothSocket, SocketAddress]> {
    if (this.state !== 'listening') throw new SocketError('EINVAL', 'accept() needs listen() first');
    const next = this.pending.shift();
    if (next) return [next, next.getpeername()];
    if (this.adapterRef?.isClosed) throw new SocketError('ENETDOWN', `no connection can come: ${this.adapterRef.closedReason()}`);
    if (!this.blocking) throw new SocketError('EAGAIN', 'no connection is waiting (non-blocking socket)');
    const sock = await this.wait(this.acceptWaiters, 'a connection');
    return [sock, sock.getpeername()];
  }

  /** Sends bytes (strings as UTF-8); resolves with the number sent once the channel accepted them.
   * Non-blocking, it sends what fits now and resolves with that count (EAGAIN when nothing fits). */
  async send(data: Uint8Array | string): Promise<number> {
    const bytes = toBytes(data);
    const sent = await this.transmit(bytes);
    if (sent === 0 && bytes.length > 0) throw new SocketError('EAGAIN', 'the channel has no room now (non-blocking socket)');
    return sent;
  }

  /** Sends every byte. Non-blocking, it fails with EAGAIN (and `bytesSent`) when not all of them fit now. */
  async sendall(data: Uint8Array | string): Promise<void> {
    const bytes = toBytes(data);
    const sent = await this.transmit(bytes);
    if (sent < bytes.length) {
      throw new SocketError(
        'EAGAIN',
        `sendall sent ${sent} of ${bytes.length} bytes, then the channel had no room (non-blocking socket): send the remaining ${bytes.length - sent} when it is writable again, or use a blocking socket`,
        { bytesSent: sent },
      );
    }
  }

  /**
   * Receives up to `bufsize` bytes (an L2CAP socket: one SDU, cut to `bufsize`). Bytes the stream
   * side buffered come first. After the peer closed or the link was lost: the data still buffered,
   * then one ECONNRESET (its `reason` says which), then empty buffers (EOF).
   */
  async recv(bufsize = 65536): Promise<Buffer> {
    if (!(bufsize > 0)) throw new SocketError('EINVAL', `recv(bufsize) needs a positive size, not ${bufsize}`);
    if (this.state === 'listening' || this.state === 'new' || this.state === 'bound') throw new SocketError('ENOTCONN', 'the socket is not connected');
    for (;;) {
      const streamed = this.takeStreamed(bufsize);
      if (streamed) return streamed;
      if (this.rxBytes > 0) return this.takeBytes(bufsize);
      // As a kernel socket reports sk_err once: the reset surfaces on one recv, then EOF.
      if (this.closeError && !this.errorReported) {
        this.errorReported = true;
        throw this.closeError;
      }
      if (this.eof || this.state === 'closed') return Buffer.alloc(0);
      if (!this.blocking) throw new SocketError('EAGAIN', 'no data is waiting (non-blocking socket)');
      await this.wait(this.recvWaiters, 'data');
    }
  }

  /**
   * Closes the channel (or stops listening). The socket is closed at once; the returned promise
   * (which never rejects) resolves when the stack has closed the channel too. Call it without
   * `await` as in Python, or `await sock.close()` before opening the same channel again.
   */
  close(): Promise<void> {
    if (this.state !== 'closed') {
      const was = this.state;
      this.finish(undefined);
      this.shutdownChannel(was);
      this.destroy();
    }
    return this.gone;
  }

  /** Seconds (null = blocking forever, 0 = non-blocking), as Python's `settimeout`. */
  settimeout(seconds: number | null): void {
    if (seconds === null) {
      this.timeoutMs = undefined;
      this.blocking = true;
    } else if (seconds === 0) {
      this.blocking = false;
    } else if (seconds > 0) {
      this.timeoutMs = seconds * 1000;
      this.blocking = true;
    } else throw new SocketError('EINVAL', `timeout must be null or ≥ 0, not ${seconds}`);
  }

  gettimeout(): number | null {
    if (!this.blocking) return 0;
    return this.timeoutMs === undefined ? null : this.timeoutMs / 1000;
  }

  setblocking(flag: boolean): void {
    this.blocking = flag;
    if (flag) this.timeoutMs = undefined;
  }

  getpeername(): SocketAddress {
    if (!this.peer) throw new SocketError('ENOTCONN', 'the socket is not connected');
    return [this.peer[0], this.peer[1]];
  }

  getsockname(): SocketAddress {
    const adapter = this.adapterRef;
    return [adapter?.address ?? BDADDR_ANY, this.local?.[1] ?? 0];
  }

  /** The adapter this socket runs on (once connected, bound to one, or listening). */
  get adapterInUse(): Adapter | undefined {
    return this.adapterRef;
  }

  /**
   * RFCOMM: asserts or drops modem signals (DTR, RTS, RI, DCD) toward the peer in an MSC command;
   * the ones not named keep their value (all but RI start asserted). The peer's arrive as 'signals'.
   */
  setSignals(signals: Partial<LocalSignals>): void {
    this.ensureRfcommChannel('setSignals');
    this.localSignals = { ...this.localSignals, ...pickSignals(signals) };
    this.sendSignals(undefined);
  }

  /** RFCOMM: sends a break of `ms` (200 ms units, 200 to 3000) in an MSC command, as a serial line break. */
  sendBreak(ms = 200): void {
    this.ensureRfcommChannel('sendBreak');
    if (!(ms >= 200 && ms <= 3000)) throw new SocketError('EINVAL', `a break lasts 200 to 3000 ms (RFCOMM sends it in 200 ms units), not ${ms}`);
    this.sendSignals(ms);
  }

  /** The negotiated size: RFCOMM N1 or the peer's L2CAP MTU. */
  get frameSize(): number {
    return this.mtu;
  }

  // ------------------------------------------------------------ Duplex

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(chunk).then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  /** `end()`: queued bytes go out, then the channel closes; 'finish' follows the peer's answer. */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.state !== 'connected') {
      callback();
      return;
    }
    this.finalCallback = () => callback();
    this.shutdownChannel(this.state);
  }

  override _read(): void {
    this.readWanted = true;
    this.pushBuffered();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // destroy() without close(): the channel goes down the same way.
    if (this.state !== 'closed') {
      const was = this.state;
      this.finish(undefined);
      this.shutdownChannel(was);
    }
    callback(error);
  }

  // ------------------------------------------------------------ internals

  private async adapter(): Promise<Adapter> {
    if (!this.adapterRef) this.adapterRef = await defaultAdapter();
    return this.adapterRef;
  }

  private attach(adapter: Adapter, id: number): void {
    this.adapterRef = adapter;
    this.id = id;
    adapter.own(
      id,
      (e) => this.onEvent(e),
      () => void this.close(),
    );
  }

  /** A server socket's accepted connection. */
  private static accepted(parent: BluetoothSocket, e: Extract<StackEvent, { type: 'rfcomm-open' | 'l2cap-open' }>): BluetoothSocket {
    const sock = new BluetoothSocket(parent.proto, { adapter: parent.adapterRef, maxQueuedBytes: parent.maxQueuedBytes });
    const adapter = parent.adapterRef!;
    sock.attach(adapter, e.id);
    sock.state = 'connected';
    sock.mtu = e.type === 'rfcomm-open' ? e.n1 : e.remoteMtu;
    sock.peer = [e.address, e.type === 'rfcomm-open' ? e.channel : e.psm];
    sock.local = [adapter.address, parent.local![1]];
    return sock;
  }

  private onIncoming(e: StackEvent): void {
    if (e.type === 'error' && e.fatal) {
      for (const w of this.acceptWaiters.splice(0)) w.reject(new SocketError('ENETDOWN', `no connection can come: ${e.error.message}`, { cause: e.error }));
      return;
    }
    if (e.type !== 'rfcomm-open' && e.type !== 'l2cap-open') return;
    const sock = BluetoothSocket.accepted(this, e);
    const waiter = this.acceptWaiters.shift();
    if (waiter) waiter.resolve(sock);
    else if (this.pending.length < this.backlog) this.pending.push(sock);
    else void sock.close();
  }

  private onEvent(e: StackEvent): void {
    if (e.type === 'rfcomm-closed' || e.type === 'l2cap-closed') {
      this.adapterRef?.disown(e.id);
      this.channelGone();
      // Closed here first (close, destroy, a connect timeout): everything is settled already.
      if (this.state !== 'closed') this.finish(new SocketError(errnoForClose(e.reason), this.closeMessage(e), { reason: e.reason, ...closeDetailOf(e), ...this.pinDetail(e.reason) }), e.reason);
      return;
    }
    // Until the stack confirms a local close, late data and open events have no reader left.
    if (this.state === 'closed') return;
    switch (e.type) {
      case 'rfcomm-open':
      case 'l2cap-open':
        this.state = 'connected';
        this.mtu = e.type === 'rfcomm-open' ? e.n1 : e.remoteMtu;
        this.openWaiter?.resolve();
        this.openWaiter = undefined;
        return;
      case 'rfcomm-data':
        this.receive(e.data);
        return;
      case 'l2cap-data':
        this.receive(e.sdu);
        return;
      case 'rfcomm-signals':
        this.peerSignals = peerFromV24(e.signals, e.breakMs);
        this.emit('signals', this.peerSignals);
        return;
      case 'rfcomm-dropped':
      case 'l2cap-dropped':
        this.droppedBytes += e.bytes;
        this.emit('dropped', { bytes: e.bytes, message: e.message });
        return;
      case 'rfcomm-writable':
      case 'l2cap-writable':
        this.writableEvents++;
        wakeAll(this.writableWaiters);
        return;
      default:
        return;
    }
  }

  /** What went wrong, for the error message; L2CAP refusals name the PSM (the stack's message does not). */
  /** Our adapter had no PIN for the peer's legacy PIN request: that, not a refusal by a user, failed the channel. */
  private pinDetail(reason: CloseReason): { securityFailure?: 'no-pin' } {
    return reason === 'security' && this.adapterRef?.refusedPin(this.peer?.[0] ?? '') ? { securityFailure: 'no-pin' } : {};
  }

  private closeMessage(e: StackEvent & { type: 'rfcomm-closed' | 'l2cap-closed' }): string {
    const { reason, message } = e;
    const [addr, port] = this.peer ?? ['', 0];
    const where = `${addr} ${this.portName(port)}`;
    // Without a level of its own the socket never paired: 'security' is the peer's L2CAP answer.
    if (this.proto === L2CAP && reason === 'security' && this.security === 'none') {
      return `${where}: the peer requires a secured link (L2CAP result 0x0003, security block): connect with { security: 'authenticated' } or higher`;
    }
    if (reason === 'security') return this.adapterRef?.securityFailure(addr, message) ?? message;
    if (this.proto === L2CAP && reason === 'refused') return `${where}: the peer ${message}${e.l2capResult === L2CAP_PSM_NOT_SUPPORTED ? ': is a server listening on that PSM?' : ''}`;
    return message;
  }

  private portName(port: number): string {
    return this.proto === RFCOMM ? `channel ${port}` : `PSM 0x${port.toString(16).padStart(4, '0')}`;
  }

  private receive(data: Uint8Array): void {
    if (this.proto === L2CAP && this.rxBytes + data.length > this.maxQueuedBytes) {
      this.droppedSdus++;
      return;
    }
    this.rx.push(data);
    this.rxBytes += data.length;
    wakeAll(this.recvWaiters);
    this.pushBuffered();
  }

  /** Moves buffered bytes into the stream while its reader wants them. */
  private pushBuffered(): void {
    while (this.readWanted && this.rx.length > 0) {
      const chunk = this.rx.shift()!;
      this.rxBytes -= chunk.length;
      this.consumed(chunk.length);
      // The one copy of received bytes: the stream's reader owns what it gets.
      this.readWanted = this.push(Buffer.from(chunk));
    }
    if (this.readWanted && this.rx.length === 0 && (this.eof || this.state === 'closed')) {
      this.readWanted = false;
      this.push(null);
    }
  }

  private takeBytes(bufsize: number): Buffer {
    if (this.proto === L2CAP) {
      const sdu = this.rx.shift()!;
      this.rxBytes -= sdu.length;
      return Buffer.from(sdu.subarray(0, bufsize));
    }
    const first = this.rx[0];
    if (this.rx.length === 1 && first.length <= bufsize) {
      // The common case, one chunk that fits: copied without a list of parts.
      this.rx.pop();
      this.rxBytes -= first.length;
      this.consumed(first.length);
      return Buffer.from(first);
    }
    const parts: Uint8Array[] = [];
    let n = 0;
    while (n < bufsize && this.rx.length > 0) {
      const head = this.rx[0];
      const want = bufsize - n;
      if (head.length <= want) {
        parts.push(this.rx.shift()!);
        n += head.length;
      } else {
        parts.push(head.subarray(0, want));
        this.rx[0] = head.subarray(want);
        n += want;
      }
    }
    this.rxBytes -= n;
    this.consumed(n);
    return Buffer.concat(parts);
  }

  /**
   * Tells RFCOMM that `n` received bytes were read, so that it grants credits. Reads happen inside
   * the driver's event dispatch too (a flowing stream reads as 'rfcomm-data' arrives): the driver
   * then reports them after the dispatch (`runAfterDispatch`), in one call per socket.
   */
  private consumed(n: number): void {
    if (this.proto !== RFCOMM || this.id === undefined || this.state !== 'connected') return;
    this.unreportedConsumed += n;
    if (this.unreportedConsumed > n) return;
    const adapter = this.adapterRef!;
    const id = this.id;
    adapter.driver.runAfterDispatch((now) => {
      const read = this.unreportedConsumed;
      this.unreportedConsumed = 0;
      if (this.state === 'connected') adapter.stack.consumeRfcomm(id, read, now);
    });
  }

  /** Bytes the stream side buffered (pushed, not yet read), up to `bufsize`; undefined when none. */
  private takeStreamed(bufsize: number): Buffer | undefined {
    if (this.destroyed || this.readableLength === 0) return undefined;
    return (this.read(Math.min(bufsize, this.readableLength)) as Buffer | null) ?? undefined;
  }

  /** Sends what it may: every byte when blocking, what fits in the credit window now when not. */
  private async transmit(bytes: Uint8Array): Promise<number> {
    this.ensureConnected();
    if (this.proto === L2CAP) return this.transmitSdu(bytes);
    let sent = 0;
    while (sent < bytes.length) {
      const seen = this.writableEvents;
      sent += this.writeSome(bytes.subarray(sent));
      if (sent < bytes.length) {
        if (!this.blocking) return sent;
        await this.waitWritable(seen);
      }
    }
    return sent;
  }

  /** An L2CAP SDU goes whole: at once, or once the link's queue toward the controller has room. */
  private async transmitSdu(sdu: Uint8Array): Promise<number> {
    if (sdu.length > this.mtu) throw new SocketError('EMSGSIZE', `an L2CAP SDU of ${sdu.length} bytes is over the peer's MTU of ${this.mtu}`);
    const adapter = this.adapterRef!;
    for (;;) {
      const seen = this.writableEvents;
      if (adapter.driver.run((now) => adapter.stack.sendL2cap(this.id!, sdu, now))) return sdu.length;
      if (!this.blocking) throw new SocketError('EAGAIN', 'the link to the controller is full now (non-blocking socket): send again when it is writable');
      await this.waitWritable(seen);
    }
  }

  /** Waits for room to send, unless room came back since `seen` (events are dispatched synchronously). */
  private async waitWritable(seen: number): Promise<void> {
    if (this.writableEvents !== seen) return;
    if (this.closeError) throw this.closeError;
    await this.wait(this.writableWaiters, 'room to send');
  }

  private writeSome(bytes: Uint8Array): number {
    const adapter = this.adapterRef!;
    return adapter.driver.run((now) => adapter.stack.writeRfcomm(this.id!, bytes, now));
  }

  private sendSignals(breakMs: number | undefined): void {
    const adapter = this.adapterRef!;
    const bits = localToV24(this.localSignals);
    adapter.driver.run((now) => adapter.stack.setRfcommSignals(this.id!, bits, now, breakMs));
  }

  private ensureRfcommChannel(what: string): void {
    if (this.proto !== RFCOMM) throw new SocketError('EINVAL', `${what} needs an RFCOMM socket: L2CAP carries no modem signals`);
    this.ensureConnected();
  }

  private ensureConnected(): void {
    if (this.closeError) throw this.closeError;
    if (this.state !== 'connected') throw new SocketError('ENOTCONN', `the socket is ${this.state === 'closed' ? 'closed' : 'not connected'}`);
  }

  /** Waits in `list` until an event settles the waiter, bounded by the socket timeout; a waiter
   * that timed out leaves the list, so that the next event goes to the next caller. */
  private wait<T>(list: Waiter<T>[], what: string): Promise<T> {
    let waiter!: Waiter<T>;
    const settled = new Promise<T>((resolve, reject) => list.push((waiter = { resolve, reject })));
    if (this.timeoutMs === undefined) return settled;
    return this.withTimeout(settled, what, () => {
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
    });
  }

  /** Waits for `p`, bounded by the socket timeout; on timeout runs `onTimeout` and rejects ETIMEDOUT. */
  private withTimeout<T>(p: Promise<T>, what: string, onTimeout: () => void): Promise<T> {
    if (this.timeoutMs === undefined) return p;
    const ms = this.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        onTimeout();
        reject(new SocketError('ETIMEDOUT', `timed out after ${ms / 1000} s waiting for ${what}`));
      }, ms);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  /** A connect that timed out: the attempt is abandoned. */
  private abort(): void {
    const was = this.state;
    this.finish(new SocketError('ETIMEDOUT', 'the connection attempt timed out'));
    this.shutdownChannel(was);
  }

  /** Tells the stack to close the channel (or stop listening) the socket had in state `was`;
   * `gone` resolves when it has. */
  private shutdownChannel(was: State): void {
    const adapter = this.adapterRef;
    const open = this.id !== undefined && (was === 'connected' || was === 'connecting');
    if (!adapter || adapter.isClosed || !open) {
      if (adapter && this.id !== undefined) adapter.disown(this.id);
      this.channelGone();
    }
    if (!adapter || adapter.isClosed) return;
    if (was === 'listening') {
      const port = this.local![1];
      if (this.proto === RFCOMM) {
        adapter.unserveRfcomm(port);
        adapter.stack.unlistenRfcomm(port);
      } else {
        adapter.unserveL2cap(port);
        adapter.stack.unlistenL2cap(port);
      }
      for (const s of this.pending.splice(0)) void s.close();
      for (const w of this.acceptWaiters.splice(0)) w.reject(new SocketError('EBADF', 'the listening socket was closed'));
      return;
    }
    if (open) {
      const id = this.id!;
      adapter.driver.run((now) => (this.proto === RFCOMM ? adapter.stack.closeRfcomm(id, now) : adapter.stack.closeL2cap(id, now)));
    }
  }

  /** The channel is gone: settle everything that waits on it. */
  private finish(error: SocketError | undefined, reason?: CloseReason): void {
    if (this.state === 'closed' && this.eof) return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.finalCallback?.();
    this.finalCallback = undefined;
    this.eof = true;
    if (error) this.closeError = error;
    const pendingError = error ?? new SocketError('ECONNRESET', 'the socket was closed');
    this.openWaiter?.reject(error ?? new SocketError('ECONNRESET', 'the socket was closed while connecting'));
    this.openWaiter = undefined;
    const pendingReads = this.recvWaiters.splice(0);
    if (pendingReads.length > 0) this.errorReported = true;
    for (const w of pendingReads) w.reject(pendingError);
    for (const w of this.writableWaiters.splice(0)) w.reject(pendingError);
    // Link loss is an error for the stream side when someone listens for errors; recv/send report
    // it in any case (as ECONNRESET), and an unobserved stream simply ends.
    if (wasConnected && reason === 'link-lost' && this.listenerCount('error') > 0) {
      this.destroy(error);
      return;
    }
    this.pushBuffered();
    if (this.readWanted || this.rx.length === 0) this.push(null);
  }
}

function checkAddress(address: SocketAddress, proto: Protocol, server = false): SocketAddress {
  if (!Array.isArray(address) || address.length !== 2 || typeof address[0] !== 'string' || !Number.isInteger(address[1])) {
    throw new SocketError('EINVAL', `expected [address, ${proto === RFCOMM ? 'channel' : 'psm'}], e.g. ['00:1A:7D:DA:71:13', 1]`);
  }
  const port = address[1];
  if (proto === RFCOMM && (port < (server ? 0 : 1) || port > 30)) {
    throw new SocketError('EINVAL', `RFCOMM channel ${port} is outside 1–30${server ? ' (0 = PORT_ANY)' : ''}`);
  }
  if (proto === L2CAP && (port < 0 || port > 0xffff || (port !== 0 && (port & 0x0101) !== 0x0001))) {
    throw new SocketError('EINVAL', `L2CAP PSM 0x${port.toString(16)} is not valid (odd, with the least significant bit of the upper octet 0)`);
  }
  return [address[0], port];
}

/**
 * The bytes to send, owned by the socket: the stack keeps what it is given by reference until it
 * leaves (src/stack/stack.ts `writeRfcomm`), so the caller's buffer is copied once here and may be
 * reused as soon as `send` returns, as in Python.
 */
function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data);
  throw new SocketError('EINVAL', 'send() takes a string or bytes');
}

/** The known signal names of `s` with boolean values; anything else is an EINVAL. */
function pickSignals(s: Partial<LocalSignals>): Partial<LocalSignals> {
  const out: Partial<LocalSignals> = {};
  for (const [name, value] of Object.entries(s ?? {})) {
    if (!(name in DEFAULT_LOCAL_SIGNALS)) throw new SocketError('EINVAL', `unknown modem signal '${name}': use dtr, rts, ri or dcd`);
    if (typeof value !== 'boolean') throw new SocketError('EINVAL', `modem signal ${name} must be true or false, not ${String(value)}`);
    out[name as keyof LocalSignals] = value;
  }
  return out;
}
