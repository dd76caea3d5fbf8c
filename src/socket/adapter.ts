/**
 * An `Adapter` is one controller with a running stack: it opens the transport named by a spec
 * (`virtual`, `h4:unix:/path`, `h4:tcp:host:port`, `hci0`, `serial:/dev/tty…[,baud]`), runs the
 * HCI init sequence, and routes stack events to the sockets that own them. It is the promise-based
 * face of one `Stack` + `Driver`.
 */
import { ArgumentError, parseBdAddr, TimeoutError, TransportError, type BdAddr, type BluetoothError } from '../core/index.js';
import { hciStatusError, type HciCommand } from '../hci/index.js';
import { closeDetailOf, Stack, type StackOptions } from '../stack/index.js';
import { Driver, type PacketSink } from '../node/index.js';
import type { StackEvent } from '../stack/index.js';
import { IO_CAPABILITIES, pinOctets, type SecurityLevel } from '../security/index.js';
import { openTransport, TRANSPORT_FORMS } from '../transport/index.js';
import type { Transport } from '../transport/index.js';
import { BtsnoopFileRecorder, PcapngFileRecorder, type CaptureFileRecorder } from '../node/index.js';
import { SocketError } from './errors.js';
import { answerPrompt, NO_PIN, refusesPins, securityOptions, type PairingOptions } from './pairing-hooks.js';

export interface AdapterOptions {
  /** Local name written to the controller (default `btc`). */
  name?: string;
  /** Class of Device (default 0x001f00: uncategorised). */
  classOfDevice?: number;
  /** Inquiry scan on (others can discover us); default true. */
  discoverable?: boolean;
  /** Page scan on (others can connect to us); default true. */
  connectable?: boolean;
  /** Record every HCI packet to this btsnoop file (opens in Wireshark and `btmon -r`). */
  btsnoop?: string;
  /** Record every HCI packet to this pcapng file (LINKTYPE 201, with direction; Wireshark, tshark). */
  pcapng?: string;
  /** RFCOMM receive window per channel in bytes: how much a peer may send ahead of the reader
   * (credits granted ≤ window ÷ N1). Default 64 KiB; 16 KiB over a unix socket (btvirt, which drops
   * what a late reader's socket cannot take: see UNIX_SOCKET_RX_WINDOW in transport/h4-stream.ts). */
  rxWindow?: number;
  /** Pairing: IO capability, bonding, MITM, the key store and the prompt hooks. */
  pairing?: PairingOptions;
  /** Options for the layers. */
  stack?: StackOptions;
  /** How long the controller may take to initialise (default 10 s). */
  initTimeoutMs?: number;
}

/** The RFCOMM receive window: the one asked for, else the transport's (btvirt), else RFCOMM's default. */
function windowFor(bytes: number | undefined): { maxRxBytes?: number } {
  return bytes ? { maxRxBytes: bytes } : {};
}

/** What `Adapter.open` accepts, checked before a transport opens (a raw TypeError later says nothing). */
function checkOpenArguments(spec: unknown, options: unknown): void {
  const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : v === null || typeof v !== 'object' ? String(v) : Array.isArray(v) ? 'an array' : 'an object');
  if (typeof spec !== 'string') throw new ArgumentError(`Adapter.open takes a transport spec string (${TRANSPORT_FORMS.join(', ')}), got ${shown(spec)}`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`Adapter.open takes an options object as its second argument (e.g. { name: 'btc' }), got ${shown(options)}`);
  }
  const pairing = (options as AdapterOptions).pairing;
  if (pairing === undefined) return;
  if (typeof pairing !== 'object' || pairing === null) throw new ArgumentError(`options.pairing is an object (e.g. { pin: '1234' }), got ${shown(pairing)}`);
  if (pairing.ioCapability !== undefined && !IO_CAPABILITIES.includes(pairing.ioCapability)) {
    throw new ArgumentError(`options.pairing.ioCapability must be one of ${IO_CAPABILITIES.join(', ')}, got ${shown(pairing.ioCapability)}`);
  }
  if (pairing.pin !== undefined) {
    try {
      pinOctets(pairing.pin);
    } catch (error) {
      throw new ArgumentError(`options.pairing.pin: ${(error as Error).message}`);
    }
  }
}

/** Receives the stack events that belong to one socket or server. */
export interface EventRoute {
  (event: StackEvent): void;
}

/**
 * Open adapters. When the program has nothing left to do (Node's 'beforeExit': no socket, server or
 * operation holds an adapter, see `Adapter.busy`), each is closed gracefully, so that its peers see
 * their channels and links end instead of a controller that vanished; then the process exits.
 */
const openAdapters = new Set<Adapter>();
const closeIdleAdapters = (): void => {
  for (const adapter of openAdapters) if (!adapter.busy) void adapter.close().catch(() => undefined);
};

export class Adapter {
  readonly stack: Stack;
  readonly driver: Driver;
  private readonly routes = new Map<number, EventRoute>();
  /** How to close the socket that owns a channel id (`closeChannels`). */
  private readonly closers = new Map<number, () => void>();
  private closing: Promise<void> | undefined;
  private readonly rfcommServers = new Map<number, EventRoute>();
  private readonly l2capServers = new Map<number, EventRoute>();
  private readonly watchers = new Set<(e: StackEvent) => void>();
  private readonly recorders: CaptureFileRecorder[] = [];
  private readonly pairing: PairingOptions;
  /** Peers whose PIN request got the negative reply for want of a PIN, until their link goes down. */
  private readonly pinRefused = new Set<BdAddr>();
  private closed = false;
  /** Operations waiting for a stack event (`waitFor`): initialisation, commands, queries, close. */
  private pendingOps = 0;
  /** Local name, Class of Device and scan settings as last written (the setters change them). */
  private readonly settings: { name: string; classOfDevice: number; discoverable: boolean; connectable: boolean };

  private constructor(
    readonly spec: string,
    transport: Transport,
    options: AdapterOptions,
  ) {
    this.settings = {
      name: options.name ?? 'btc',
      classOfDevice: options.classOfDevice ?? 0x001f00,
      discoverable: options.discoverable ?? true,
      connectable: options.connectable ?? true,
    };
    const stackOptions = options.stack ?? {};
    this.stack = new Stack({
      ...stackOptions,
      rfcomm: { ...windowFor(options.rxWindow ?? transport.rxWindowHint), ...stackOptions.rfcomm },
      security: { ...securityOptions(options.pairing ?? {}), ...stackOptions.security },
      hci: {
        localName: this.settings.name,
        classOfDevice: this.settings.classOfDevice,
        scanEnable: (this.settings.discoverable ? 1 : 0) | (this.settings.connectable ? 2 : 0),
        vendorPackets: transport.vendorPackets,
        byteStream: transport.byteStream ?? false,
        ...(transport.maxAclData ? { hostAclMtu: transport.maxAclData } : {}),
        ...stackOptions.hci,
      },
    });
    this.driver = new Driver(this.stack, transport);
    this.pairing = options.pairing ?? {};
    this.driver.on((e) => this.route(e));
    if (openAdapters.size === 0) process.on('beforeExit', closeIdleAdapters);
    openAdapters.add(this);
    this.holdIfBusy();
  }

  /**
   * Opens and initialises the controller named by `spec` (default: a virtual controller). Arguments
   * that cannot work (a spec that is not a string, options that are not an object, a PIN that is
   * not 1–16 octets, an unknown IO capability) throw ArgumentError before anything opens; options
   * the stack refuses (a key file it will not read) close the transport again.
   */
  static async open(spec = 'virtual', options: AdapterOptions = {}): Promise<Adapter> {
    checkOpenArguments(spec, options);
    const transport = await openTransport(spec);
    let adapter: Adapter;
    try {
      adapter = new Adapter(spec, transport, options);
    } catch (error) {
      await transport.close();
      throw error;
    }
    if (options.btsnoop) adapter.recorders.push(await BtsnoopFileRecorder.create(options.btsnoop));
    if (options.pcapng) adapter.recorders.push(await PcapngFileRecorder.create(options.pcapng));
    for (const recorder of adapter.recorders) adapter.driver.addSink(recorder as PacketSink);
    const ready = adapter.waitFor((e) => (e.type === 'ready' ? e : e.type === 'error' ? Promise.reject(e.error) : undefined), options.initTimeoutMs ?? 10_000, 'controller initialisation');
    adapter.driver.start();
    try {
      await ready;
    } catch (error) {
      await adapter.close();
      throw error;
    }
    return adapter;
  }

  get name(): string {
    return this.settings.name;
  }
  get classOfDevice(): number {
    return this.settings.classOfDevice;
  }
  get discoverable(): boolean {
    return this.settings.discoverable;
  }
  get connectable(): boolean {
    return this.settings.connectable;
  }

  /** Sends an HCI command and resolves when the controller completes it (rejects on a failure status). */
  async command(cmd: HciCommand, timeoutMs = 10_000): Promise<void> {
    this.ensureOpen(`send ${cmd.name}`);
    let token = -1;
    const done = this.waitFor((e) => (e.type === 'command-complete' && e.token === token ? e : undefined), timeoutMs, `${cmd.name} to complete`);
    token = this.driver.run((now) => this.stack.command(cmd, now));
    const { status, opcode, timedOut } = await done;
    if (timedOut) throw new TimeoutError(`${cmd.name} to complete`, `the controller never answered ${cmd.name} (opcode 0x${opcode.toString(16).padStart(4, '0')}): no Command Complete/Status within the HCI command timeout; check the transport, or reset the controller`);
    if (status !== 0) throw hciStatusError(status, `${cmd.name} (opcode 0x${opcode.toString(16).padStart(4, '0')})`);
  }

  /** Changes the name others see in inquiries and name requests. */
  async setName(name: string): Promise<void> {
    await this.command({ name: 'Write Local Name', localName: name });
    this.settings.name = name;
  }

  /** Changes the Class of Device (e.g. 0x001f00 uncategorised, 0x000100 computer). */
  async setClassOfDevice(classOfDevice: number): Promise<void> {
    await this.command({ name: 'Write Class of Device', classOfDevice });
    this.settings.classOfDevice = classOfDevice;
  }

  /** Inquiry scan on or off: whether others find this adapter when they scan. */
  async setDiscoverable(discoverable: boolean): Promise<void> {
    await this.command({ name: 'Write Scan Enable', scanEnable: (discoverable ? 1 : 0) | (this.settings.connectable ? 2 : 0) });
    this.settings.discoverable = discoverable;
  }

  /** Page scan on or off: whether others can connect to this adapter. */
  async setConnectable(connectable: boolean): Promise<void> {
    await this.command({ name: 'Write Scan Enable', scanEnable: (this.settings.discoverable ? 1 : 0) | (connectable ? 2 : 0) });
    this.settings.connectable = connectable;
  }

  /** The controller's BD_ADDR. */
  get address(): BdAddr {
    return this.stack.address;
  }

  /** Description of the transport, e.g. `h4:unix:/tmp/bt-server-bredr`. */
  get transport(): string {
    return this.driver.transport.description;
  }

  /** Closed by `close()`, or its transport went away (then `lastError` says why). */
  get isClosed(): boolean {
    return this.closed || this.driver.isClosed;
  }

  /** Why the adapter can take no more work, for messages ("closed", or the transport's error). */
  closedReason(): string {
    const why = this.lastError && this.driver.isClosed && !this.closed ? `: ${this.lastError.message}` : '';
    return `the adapter on ${this.transport} is closed${why}`;
  }

  /** Throws ENETDOWN, saying what could not be done and why, once the adapter is closed. */
  ensureOpen(what: string): void {
    if (this.isClosed) throw new SocketError('ENETDOWN', `cannot ${what}: ${this.closedReason()}`);
  }

  /**
   * Closes every socket that has a channel on this adapter, as its own `close()` would: the peer
   * sees an RFCOMM DISC (an L2CAP Disconnection Request). Listening sockets stay. What Ctrl-C does
   * in the CLI before `close()`, so that peers see channels closed rather than lost.
   */
  closeChannels(): void {
    for (const close of [...this.closers.values()]) close();
  }

  /**
   * Closes the adapter gracefully: channels still closing get up to `graceMs` to finish (queued
   * data sent, DISC answered, idle links dropped), then remaining links are disconnected, then
   * the transport closes; operations still waiting for a stack event fail with a TransportError
   * saying the adapter is closed. A second call resolves with the first.
   */
  close(graceMs = 3000): Promise<void> {
    this.closing ??= this.closeGracefully(graceMs);
    return this.closing;
  }

  private async closeGracefully(graceMs: number): Promise<void> {
    this.closed = true;
    openAdapters.delete(this);
    if (openAdapters.size === 0) process.off('beforeExit', closeIdleAdapters);
    const allDown = (ms: number) => this.waitFor((e) => (e.type === 'link-down' && this.stack.linkCount === 0 ? true : undefined), ms, 'links to close');
    try {
      if (!this.driver.isClosed && this.stack.linkCount > 0) {
        const idle = allDown(graceMs).catch(() => undefined);
        this.driver.run((now) => this.stack.shutdown(now));
        if (this.stack.linkCount > 0) await idle;
      }
      if (!this.driver.isClosed && this.stack.linkCount > 0) {
        const down = allDown(1000).catch(() => undefined);
        this.driver.run((now) => this.stack.disconnectAll(now));
        await down;
      }
    } finally {
      await this.driver.close();
      for (const recorder of this.recorders) await recorder.close();
      const gone: StackEvent = { type: 'error', error: new TransportError(this.closedReason()), fatal: true };
      for (const w of [...this.watchers]) w(gone);
      this.tellServers(gone);
    }
  }

  /**
   * True while a socket has a channel (open or closing), a server listens, or an operation waits
   * for the stack. Only then does the adapter keep the process alive (Node's ref/unref on its
   * timer and transport): a program whose sockets are closed ends by itself, as in Python.
   */
  get busy(): boolean {
    return this.routes.size + this.rfcommServers.size + this.l2capServers.size + this.pendingOps > 0;
  }

  private holdIfBusy(): void {
    this.driver.keepAlive(this.busy);
  }

  /** Listening sockets hear that no connection can come any more. */
  private tellServers(e: StackEvent): void {
    for (const server of [...this.rfcommServers.values(), ...this.l2capServers.values()]) server(e);
  }

  // ------------------------------------------------------------ routing for sockets

  /** Registers the owner of a stack id (socket, query); a socket gives its `close` for `closeChannels`. */
  own(id: number, route: EventRoute, close?: () => void): void {
    this.routes.set(id, route);
    if (close) this.closers.set(id, close);
    this.holdIfBusy();
  }

  disown(id: number): void {
    this.routes.delete(id);
    this.closers.delete(id);
    this.holdIfBusy();
  }

  serveRfcomm(channel: number, route: EventRoute): void {
    this.rfcommServers.set(channel, route);
    this.holdIfBusy();
  }

  unserveRfcomm(channel: number): void {
    this.rfcommServers.delete(channel);
    this.holdIfBusy();
  }

  serveL2cap(psm: number, route: EventRoute): void {
    this.l2capServers.set(psm, route);
    this.holdIfBusy();
  }

  unserveL2cap(psm: number): void {
    this.l2capServers.delete(psm);
    this.holdIfBusy();
  }

  /** The reason to report for a failed pairing with `address`: `message`, unless this adapter
   * itself refused the peer's PIN request because it had no PIN to give. */
  securityFailure(address: BdAddr, message: string): string {
    return this.refusedPin(address) ? `${address} asked for a legacy PIN: ${NO_PIN}` : message;
  }

  /** True when this adapter refused `address`'s legacy PIN request for want of a PIN (`pin`, `onPinRequest`). */
  refusedPin(address: BdAddr): boolean {
    return this.pinRefused.has(address);
  }

  /**
   * Pairs and bonds with `address` without opening a channel (as `bluetoothctl pair`): pages it and
   * asks for `security` (default 'authenticated'; Core v5.4 Vol 3 Part C §5.2.2), answering prompts
   * with the `pairing` options; a new link key goes to `pairing.keys`. With a key already stored the
   * device authenticates with it. Resolves with the key type of a new pairing (none when the stored
   * key served); rejects with EACCES when the page or the pairing fails, TimeoutError after
   * `timeoutMs` (default 60 s). The link, unused, drops after the stack's idle time or at close().
   */
  pair(address: BdAddr, options: { security?: SecurityLevel; timeoutMs?: number } = {}): Promise<{ keyType?: number }> {
    this.ensureOpen('pair');
    const peer = parseBdAddr(address);
    const timeoutMs = options.timeoutMs ?? 60_000;
    let keyType: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const unwatch = this.watch((e) => {
      if (e.type === 'security' && e.event.type === 'paired' && e.event.address === peer) keyType = e.event.keyType;
    });
    this.pendingOps++;
    this.holdIfBusy();
    return new Promise<{ keyType?: number }>((resolve, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`pairing with ${peer}`, `${peer} did not complete pairing within ${timeoutMs} ms`)), timeoutMs);
      this.driver.run((now) =>
        this.stack.requestSecurity(peer, options.security ?? 'authenticated', now, (outcome) => {
          if (outcome.ok) resolve(keyType === undefined ? {} : { keyType });
          else reject(new SocketError('EACCES', `pairing with ${peer} failed: ${this.securityFailure(peer, outcome.reason)}`, { ...closeDetailOf(outcome), ...(this.refusedPin(peer) ? { securityFailure: 'no-pin' } : {}) }));
        }),
      );
    }).finally(() => {
      clearTimeout(timer);
      unwatch();
      this.pendingOps--;
      this.holdIfBusy();
    });
  }

  /** Calls `watch` with every stack event until the returned function is called. */
  watch(watch: (e: StackEvent) => void): () => void {
    this.watchers.add(watch);
    return () => this.watchers.delete(watch);
  }

  /**
   * Resolves with the first non-undefined value `match` returns for a stack event (a returned
   * rejected promise rejects), or rejects with `TimeoutError` after `timeoutMs`.
   */
  waitFor<T>(match: (e: StackEvent) => T | Promise<T> | undefined, timeoutMs: number | undefined, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let waiting = true;
      this.pendingOps++;
      this.holdIfBusy();
      const stop = () => {
        if (!waiting) return;
        waiting = false;
        unwatch();
        this.pendingOps--;
        this.holdIfBusy();
      };
      const unwatch = this.watch((e) => {
        let v: T | Promise<T> | undefined;
        try {
          v = match(e);
        } catch (error) {
          v = Promise.reject(error);
        }
        // The transport is gone: nothing awaited can come any more.
        if (v === undefined && e.type === 'error' && e.fatal) v = Promise.reject(e.error);
        if (v === undefined) return;
        stop();
        if (timer) clearTimeout(timer);
        Promise.resolve(v).then(resolve, reject);
      });
      if (timeoutMs !== undefined && timeoutMs !== Infinity) {
        timer = setTimeout(() => {
          stop();
          reject(new TimeoutError(what, `timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
      }
    });
  }

  private route(e: StackEvent): void {
    for (const w of this.watchers) w(e);
    switch (e.type) {
      case 'rfcomm-open':
        this.routeOpen(e, this.rfcommServers.get(e.channel), (now) => this.stack.closeRfcomm(e.id, now));
        return;
      case 'l2cap-open':
        this.routeOpen(e, this.l2capServers.get(e.psm), (now) => this.stack.closeL2cap(e.id, now));
        return;
      case 'rfcomm-data':
      case 'rfcomm-signals':
      case 'rfcomm-writable':
      case 'rfcomm-closed':
      case 'l2cap-data':
      case 'l2cap-dropped':
      case 'l2cap-writable':
      case 'l2cap-closed':
      case 'sdp-result':
      case 'sdp-failed':
        this.routes.get(e.id)?.(e);
        return;
      case 'error':
        this.lastError = e.error;
        if (e.fatal) this.tellServers(e);
        return;
      case 'security':
        if (e.event.type === 'pin-request' && refusesPins(this.pairing)) this.pinRefused.add(e.event.address);
        answerPrompt(e.event, this.pairing, this.stack, this.driver);
        return;
      case 'link-down':
        this.pinRefused.delete(e.address);
        return;
      default:
        return;
    }
  }

  /** An opened channel goes to its owner; an incoming one nobody owns yet goes to the server
   * listening on its channel or PSM, and is closed when there is none. */
  private routeOpen(e: StackEvent & { id: number; incoming: boolean }, server: EventRoute | undefined, close: (now: number) => void): void {
    const owner = this.routes.get(e.id);
    if (owner || !e.incoming) owner?.(e);
    else if (server) server(e);
    else this.driver.run(close);
  }

  /** The most recent asynchronous error the stack reported (transport failure, command timeout…). */
  lastError: BluetoothError | undefined;
}
