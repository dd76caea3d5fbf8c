/**
 * The host side of BR/EDR pairing and link security (Core v5.4 Vol 3 Part C §5.2.2 security
 * mode 4, Vol 2 Part F §4.2 Secure Simple Pairing, Vol 4 Part E §7.1.10–§7.1.34 and §7.7.6–§7.7.45
 * for the commands and events). Sans-I/O: security events from `HciHost` come in through
 * `handleEvent`, the replies and procedures go out through `pollCommand`, everything the
 * application must know or answer through `pollEvent`.
 *
 * Rules, by event:
 *   Link Key Request          → Link Key Request Reply with the stored key, or the Negative Reply
 *                               when there is none or it is unauthenticated and a pending
 *                               request asks for MITM protection (that forces a new pairing).
 *   IO Capability Request     → IO Capability Request Reply (our IO capability, no OOB data,
 *                               Authentication_Requirements from `bonding`/`mitm`), or the
 *                               Negative Reply 0x18 Pairing Not Allowed when not pairable.
 *   IO Capability Response    → remembered: the remote IO capability and requirements.
 *   User Confirmation Request → Just Works without MITM asked locally: the Reply at once;
 *                               otherwise a `confirm-request` prompt.
 *   User Passkey Request      → a `passkey-request` prompt.    PIN Code Request → a `pin-request` prompt.
 *   User Passkey Notification → a `passkey-display` event.     Remote OOB Data Request → Negative Reply.
 *   Simple Pairing Complete ≠ 0 / Authentication Complete ≠ 0 during pairing → `pairing-failed`;
 *                               the Authentication Complete after a failed pairing fails the
 *                               requests with the pairing's reason (the user said no, no answer).
 *   Link Key Notification     → `paired`; stored (`key-stored`) when bonding.
 *   The order of the pairing events is the pairing machine's table (pairing-state.ts): an event
 *   out of order becomes a `pairing-error` event, and a request for a confirmation, a passkey or a
 *   PIN out of order gets the negative reply; a link key notified with no pairing under way is
 *   not taken.
 *   Authentication Complete 0x05/0x06 after a stored key was offered → the key is deleted (`key-removed`).
 *   Encryption Change         → `encryption-changed`; a link encrypted is also authenticated.
 *                               Enabled: the key size is checked (KNOB, CVE-2019-9506, §7.5.7):
 *                               Read Encryption Key Size, when the controller lists it in
 *                               Supported_Commands (octet 20 bit 4, `setSupportedCommands`); until
 *                               the answer to the last read the link does not meet `encrypted` or
 *                               `mitm`. Key_Size ≥ `minEncryptionKeySize` → encrypted; smaller, or
 *                               the read failed → not encrypted (fail closed): requests that need
 *                               encryption fail with the reason, now and later, until the next
 *                               Encryption Change. Not listed → encrypted, key size unknown (as
 *                               BlueZ). Each outcome → `encryption-key-size`.
 * A prompt unanswered for `userTimeoutMs` gets the negative reply. A newer prompt for the same
 * address cancels the older one (`prompt-cancelled`), as does the link going down.
 *
 * `requestSecurity(handle, level)`: per link, while a request is unmet, Authentication Requested
 * when the link is not authenticated (or its key is unauthenticated and the level is `mitm`), then
 * Set Connection Encryption when encryption is needed; each step at most once per request. The
 * request completes with `security-complete` as soon as the link meets its level, fails when a
 * step fails, when the link goes down, or after `requestTimeoutMs`.
 *
 * Caps (DESIGN.md rule 6): command and event queues `maxQueued` (overflow drops and counts), open
 * prompts `maxPrompts` (beyond: negative reply at once), peers with pairing state 64 (the oldest
 * is forgotten), requests per link 32 (beyond: InvalidStateError). Key size reads in flight per
 * link: one per Encryption Change not yet answered, each ended by its Command Complete or the link
 * going down (a read the controller never answers keeps the link `checking`: requests that need
 * encryption then fail at `requestTimeoutMs`, closed).
 */
import { ArgumentError, type BdAddr, bdAddrToBytes, BoundedQueue, earliest, InvalidStateError, TimerSet, utf8 } from '../core/index.js';
import { commandReturns, type HciCommand, type HciEvent, isCommandSupported, statusName } from '../hci/index.js';
import { associationModel, authenticationRequirements, ioCapabilityName, IO_CAPABILITY, requiresBonding, requiresMitm } from './association-model.js';
import { type SecurityFailureInfo, keySizeFailure, keySizeReadFailure, type LocalCause, mitmFailure, pairingFailure, STATUS, statusFailure } from './failure-reasons.js';
import { type KeyStore, MemoryKeyStore, type StoredKey } from './key-store.js';
import { isAuthenticatedKeyType, LINK_KEY_TYPE } from './key-types.js';
import { newPairingMachine, PAIRING_EVENT, PAIRING_STATE, type PairingEvent, type PairingState } from './pairing-state.js';
import { checkSecurityLevel, type LinkSecurity, type SecurityEvent, type SecurityLevel, type SecurityManagerOptions, type SecurityStats } from './security-types.js';

/** Remote OOB Data Request Negative Reply (Vol 4 Part E §7.1.35), OGF 0x01 OCF 0x0033: not in the HCI command table, sent raw. */
export const REMOTE_OOB_DATA_REQUEST_NEGATIVE_REPLY = 0x0433;

const MAX_PEERS = 64;
const MAX_REQUESTS_PER_LINK = 32;
const MAX_PASSKEY = 999_999;
const MAX_PIN_LENGTH = 16;
/** Encryption key sizes in octets (Vol 2 Part H §4.1: 1 to 16); BlueZ's minimum is 7 (HCI_MIN_ENC_KEY_SIZE). */
const MAX_ENCRYPTION_KEY_SIZE = 16;
const DEFAULT_MIN_ENCRYPTION_KEY_SIZE = 7;

/** The octets of a PIN (a string as UTF-8): 1 to 16 of them (Vol 4 Part E §7.1.12 PIN Code Request Reply), else ArgumentError. */
export function pinOctets(pin: string | Uint8Array): Uint8Array {
  const bytes = typeof pin === 'string' ? utf8(pin) : pin;
  if (!(bytes instanceof Uint8Array) || bytes.length < 1 || bytes.length > MAX_PIN_LENGTH) {
    const got = bytes instanceof Uint8Array ? `${bytes.length}` : JSON.stringify(pin) ?? String(pin);
    throw new ArgumentError(`a PIN is 1 to ${MAX_PIN_LENGTH} octets (a string counts as UTF-8), got ${got}`);
  }
  return bytes;
}

interface Pairing {
  legacy: boolean;
  /** True when our IO Capability Request came before the peer's IO Capability Response. */
  initiator: boolean | undefined;
  localReplied: boolean;
  localAuthReq: number | undefined;
  remoteIo: number | undefined;
  remoteAuthReq: number | undefined;
  cause: LocalCause;
}

interface Peer {
  /** The peer's number in the pairing machine's history. */
  readonly id: number;
  /** Written only by the pairing machine; IDLE exactly when `pairing` is undefined. */
  state: PairingState;
  pairing: Pairing | undefined;
  /** Why the last pairing failed (Simple Pairing Complete ≠ 0), kept for the Authentication
   * Complete that follows it; cleared when a new authentication starts (Link Key Request). */
  failure: SecurityFailureInfo | undefined;
  /** The key the controller was given for this peer (stored key) or told us about (new key). */
  keyType: number | undefined;
  /** A stored key was offered since the last authentication outcome. */
  storedKeyOffered: boolean;
  promptId: number | undefined;
}

interface Request {
  readonly id: number;
  readonly level: SecurityLevel;
  authTried: boolean;
  encTried: boolean;
}

/**
 * Encryption of a link as requests see it: `off`; `checking`, on but its key size not yet read;
 * `on`, counts as encrypted; `refused`, on but the key is too short or its size unreadable.
 */
type Encryption = 'off' | 'checking' | 'on' | 'refused';

interface Link {
  readonly handle: number;
  readonly address: BdAddr;
  authenticated: boolean;
  encryption: Encryption;
  /** Key_Size of the answer to the last Read Encryption Key Size; undefined while unknown. */
  keySize: number | undefined;
  /** Read Encryption Key Size commands sent and not answered yet: the answer to the last one decides. */
  keySizeReads: number;
  /** Why the encryption does not count (`refused`). */
  refusal: SecurityFailureInfo | undefined;
  keyType: number | undefined;
  authInFlight: boolean;
  encInFlight: boolean;
  requests: Request[];
}

type PromptKind = 'confirm' | 'passkey' | 'pin';
interface Prompt {
  readonly id: number;
  readonly kind: PromptKind;
  readonly address: BdAddr;
}

export class SecurityManager {
  readonly stats: SecurityStats = { ignoredEvents: 0, droppedCommands: 0, droppedEvents: 0, promptTimeouts: 0, promptOverflows: 0 };
  readonly keyStore: KeyStore;
  private readonly userTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxPrompts: number;
  private readonly minKeySize: number;
  private supportedCommands: Uint8Array | undefined;
  private readonly commands: BoundedQueue<HciCommand>;
  private readonly events: BoundedQueue<SecurityEvent>;
  private readonly links = new Map<number, Link>();
  private readonly peers = new Map<BdAddr, Peer>();
  private readonly prompts = new Map<number, Prompt>();
  private readonly promptTimers = new TimerSet<number>();
  private readonly requestTimers = new TimerSet<number>();
  /** The pairing machine of every peer (pairing-state.ts): its table and their history. */
  readonly pairingMachine = newPairingMachine();
  private nextId = 1;
  private nextPeerId = 1;
  private now = 0;

  constructor(private readonly options: SecurityManagerOptions) {
    if (!(options.ioCapability in IO_CAPABILITY)) {
      throw new ArgumentError(`ioCapability must be one of ${Object.keys(IO_CAPABILITY).join(', ')}, got ${JSON.stringify(options.ioCapability)}`);
    }
    this.keyStore = options.keyStore ?? new MemoryKeyStore();
    this.userTimeoutMs = options.userTimeoutMs ?? 30_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.maxPrompts = options.maxPrompts ?? 16;
    this.minKeySize = options.minEncryptionKeySize ?? DEFAULT_MIN_ENCRYPTION_KEY_SIZE;
    if (!Number.isInteger(this.minKeySize) || this.minKeySize < 1 || this.minKeySize > MAX_ENCRYPTION_KEY_SIZE) {
      throw new ArgumentError(`minEncryptionKeySize must be an integer from 1 to ${MAX_ENCRYPTION_KEY_SIZE} octets, got ${this.minKeySize}`);
    }
    this.commands = new BoundedQueue(options.maxQueued ?? 256);
    this.events = new BoundedQueue(options.maxQueued ?? 256);
  }

  // ── inputs ────────────────────────────────────────────────────────────────────────────────

  /**
   * The controller's Supported_Commands (Read Local Supported Commands, `HciHost.supportedCommands`).
   * The key size is read only when it lists Read Encryption Key Size; until this is called, or
   * with undefined (the controller could not say), it is taken as not listed.
   */
  setSupportedCommands(supportedCommands: Uint8Array | undefined): void {
    this.supportedCommands = supportedCommands?.slice();
  }

  linkUp(handle: number, address: BdAddr): void {
    const peer = this.peers.get(address);
    this.links.set(handle, {
      handle,
      address,
      authenticated: false,
      encryption: 'off',
      keySize: undefined,
      keySizeReads: 0,
      refusal: undefined,
      keyType: peer?.keyType,
      authInFlight: false,
      encInFlight: false,
      requests: [],
    });
  }

  /** The ACL link is gone: its requests fail, and prompts and pairing for its peer end. */
  linkDown(handle: number, reason: number = STATUS.UNSPECIFIED_ERROR): void {
    const link = this.links.get(handle);
    if (!link) return;
    this.links.delete(handle);
    for (const req of link.requests) this.finish(link, req, false, { failure: 'link-down', reason: `the link went down (${statusName(reason)})`, status: reason });
    link.requests = [];
    if ([...this.links.values()].some((l) => l.address === link.address)) return;
    const peer = this.peers.get(link.address);
    if (!peer) return;
    this.cancelPrompt(peer, 'the link went down');
    if (peer.pairing && this.pairingStep(link.address, PAIRING_EVENT.LINK_DOWN)) this.pairingFailed(link.address, peer, reason, { failure: 'link-down', reason: `the link went down during pairing (${statusName(reason)})`, status: reason });
    this.peers.delete(link.address);
  }

  /** A security event from `HciHost` (`{ type: 'security', event }`). Never throws. */
  handleEvent(ev: HciEvent, now: number): void {
    this.now = now;
    switch (ev.name) {
      case 'Link Key Request':
        return this.onLinkKeyRequest(ev.bdaddr);
      case 'IO Capability Request':
        return this.onIoCapabilityRequest(ev.bdaddr);
      case 'IO Capability Response':
        return this.onIoCapabilityResponse(ev.bdaddr, ev.ioCapability, ev.authenticationRequirements);
      case 'User Confirmation Request':
        return this.onUserConfirmationRequest(ev.bdaddr, ev.numericValue, now);
      case 'User Passkey Request':
        if (!this.pairingStep(ev.bdaddr, PAIRING_EVENT.USER_PASSKEY_REQUEST)) return this.send({ name: 'User Passkey Request Negative Reply', bdaddr: ev.bdaddr });
        return this.openPrompt('passkey', ev.bdaddr, now);
      case 'User Passkey Notification':
        if (!this.pairingStep(ev.bdaddr, PAIRING_EVENT.USER_PASSKEY_NOTIFICATION)) return;
        return this.emit({ type: 'passkey-display', address: ev.bdaddr, passkey: ev.passkey });
      case 'PIN Code Request':
        return this.onPinCodeRequest(ev.bdaddr, now);
      case 'Remote OOB Data Request':
        this.pairingStep(ev.bdaddr, PAIRING_EVENT.REMOTE_OOB_DATA_REQUEST);
        return this.send({ name: 'Unknown Command', opcode: REMOTE_OOB_DATA_REQUEST_NEGATIVE_REPLY, params: bdAddrToBytes(ev.bdaddr) });
      case 'Simple Pairing Complete':
        return this.onSimplePairingComplete(ev.status, ev.bdaddr);
      case 'Link Key Notification':
        return this.onLinkKeyNotification(ev.bdaddr, ev.linkKey, ev.keyType);
      case 'Authentication Complete':
        return this.onAuthenticationComplete(ev.status, ev.handle, now);
      case 'Encryption Change':
        return this.onEncryptionChange(ev.status, ev.handle, ev.encryptionEnabled, now);
      default:
        this.stats.ignoredEvents++;
    }
  }

  /**
   * The controller's answer (Command Status or Command Complete `event`) to a command this manager
   * sent. A refused Authentication Requested or Set Connection Encryption fails the requests waiting
   * on it; the answer to Read Encryption Key Size (its Key_Size is read from `event`) decides whether
   * the link counts as encrypted.
   */
  handleCommandStatus(cmd: HciCommand, status: number, now: number, event?: HciEvent): void {
    if (cmd.name === 'Read Encryption Key Size') return this.onKeySize(cmd.handle, status, event, now);
    if (status === STATUS.SUCCESS) return;
    if (cmd.name !== 'Authentication Requested' && cmd.name !== 'Set Connection Encryption') return;
    const link = this.links.get(cmd.handle);
    if (!link) return;
    const auth = cmd.name === 'Authentication Requested';
    if (auth) link.authInFlight = false;
    else link.encInFlight = false;
    const what = auth ? 'Authentication Requested' : 'Set Connection Encryption';
    for (const req of [...link.requests]) {
      if (auth ? this.needsAuth(link, req) : this.needsEncryption(link, req)) this.finish(link, req, false, statusFailure('controller-refused', status, `the controller refused ${what}`));
    }
    this.advance(link, now);
  }

  // ── commands from above ───────────────────────────────────────────────────────────────────

  /** Brings link `handle` to `level`; the outcome comes as `security-complete` with the returned id. */
  requestSecurity(handle: number, level: SecurityLevel, now: number): number {
    checkSecurityLevel(level);
    const link = this.links.get(handle);
    if (!link) throw new InvalidStateError(`no ACL link with handle 0x${handle.toString(16).padStart(4, '0')}: connect first, then request security`);
    if (link.requests.length >= MAX_REQUESTS_PER_LINK) throw new InvalidStateError(`${MAX_REQUESTS_PER_LINK} security requests already wait on this link: wait for their security-complete`);
    const req: Request = { id: this.nextId++, level, authTried: false, encTried: false };
    link.requests.push(req);
    this.requestTimers.set(req.id, now + this.requestTimeoutMs);
    this.advance(link, now);
    return req.id;
  }

  /** Answers a `confirm-request`. Returns false when the prompt is no longer open (timed out, cancelled). */
  answerConfirm(id: number, accept: boolean, _now: number): boolean {
    const prompt = this.takePrompt(id, 'confirm');
    if (!prompt) return false;
    if (accept) this.send({ name: 'User Confirmation Request Reply', bdaddr: prompt.address });
    else this.reject(prompt, 'rejected-by-user');
    return true;
  }

  /** Answers a `passkey-request` with 0–999999, or null to refuse. */
  answerPasskey(id: number, passkey: number | null, _now: number): boolean {
    if (passkey !== null && (!Number.isInteger(passkey) || passkey < 0 || passkey > MAX_PASSKEY)) {
      throw new ArgumentError(`a passkey is an integer from 0 to ${MAX_PASSKEY}, got ${passkey}`);
    }
    const prompt = this.takePrompt(id, 'passkey');
    if (!prompt) return false;
    if (passkey !== null) this.send({ name: 'User Passkey Request Reply', bdaddr: prompt.address, numericValue: passkey });
    else this.reject(prompt, 'rejected-by-user');
    return true;
  }

  /** Answers a `pin-request` with 1–16 octets (a string is taken as UTF-8), or null to refuse. */
  answerPin(id: number, pin: string | Uint8Array | null, _now: number): boolean {
    const bytes = pin === null ? null : pinOctets(pin);
    const prompt = this.takePrompt(id, 'pin');
    if (!prompt) return false;
    if (bytes !== null) {
      const pinCode = new Uint8Array(MAX_PIN_LENGTH);
      pinCode.set(bytes);
      this.send({ name: 'PIN Code Request Reply', bdaddr: prompt.address, pinCodeLength: bytes.length, pinCode });
    } else this.reject(prompt, 'rejected-by-user');
    return true;
  }

  /** Forgets the stored key of `address` (unpairing). */
  removeKey(address: BdAddr): void {
    if (this.storeCall(address, () => this.keyStore.get(address)) === undefined) return;
    if (this.storeCall(address, () => (this.keyStore.delete(address), true))) this.emit({ type: 'key-removed', address, reason: 'removed by the application' });
  }

  linkSecurity(handle: number): LinkSecurity | undefined {
    const l = this.links.get(handle);
    if (!l) return undefined;
    const known = l.keySize === undefined ? {} : { encryptionKeySize: l.keySize };
    return { handle: l.handle, address: l.address, authenticated: l.authenticated, encrypted: l.encryption === 'on', keyType: l.keyType, ...known };
  }

  // ── outputs ───────────────────────────────────────────────────────────────────────────────

  pollCommand(): HciCommand | undefined {
    return this.commands.shift();
  }
  pollEvent(): SecurityEvent | undefined {
    return this.events.shift();
  }
  pollTimeout(): number | undefined {
    return earliest(this.promptTimers.next(), this.requestTimers.next());
  }
  handleTimeout(now: number): void {
    for (const id of this.promptTimers.expire(now)) {
      const prompt = this.prompts.get(id);
      if (!prompt) continue;
      this.prompts.delete(id);
      const peer = this.peers.get(prompt.address);
      if (peer?.promptId === id) peer.promptId = undefined;
      this.stats.promptTimeouts++;
      this.reject(prompt, 'user-timeout');
    }
    for (const id of this.requestTimers.expire(now)) {
      for (const link of this.links.values()) {
        const req = link.requests.find((r) => r.id === id);
        if (!req) continue;
        this.finish(link, req, false, { failure: 'timeout', reason: `timeout: the link did not reach '${req.level}' within ${this.requestTimeoutMs} ms` });
        if (link.requests.length === 0) {
          link.authInFlight = false;
          link.encInFlight = false;
        }
      }
    }
  }

  // ── event handlers ────────────────────────────────────────────────────────────────────────

  private onLinkKeyRequest(address: BdAddr): void {
    const peer = this.peer(address);
    peer.failure = undefined;
    const key = this.storeCall(address, () => this.keyStore.get(address));
    const mitmWanted = this.linksOf(address).some((l) => l.requests.some((r) => r.level === 'mitm'));
    if (key && !(mitmWanted && !isAuthenticatedKeyType(key.keyType))) {
      peer.keyType = key.keyType;
      peer.storedKeyOffered = true;
      this.send({ name: 'Link Key Request Reply', bdaddr: address, linkKey: key.linkKey });
    } else {
      peer.storedKeyOffered = false;
      this.send({ name: 'Link Key Request Negative Reply', bdaddr: address });
    }
  }

  private onIoCapabilityRequest(address: BdAddr): void {
    const peer = this.peer(address);
    if (!this.pairingStep(address, PAIRING_EVENT.IO_CAPABILITY_REQUEST)) return;
    if (peer.state === PAIRING_STATE.IO_CAP_LOCAL_DONE || !peer.pairing) peer.pairing = newPairing(false);
    const pairing = peer.pairing;
    pairing.initiator = pairing.remoteIo === undefined;
    pairing.localReplied = true;
    if (this.options.pairable === false) {
      pairing.cause = 'not-pairable';
      this.send({ name: 'IO Capability Request Negative Reply', bdaddr: address, reason: STATUS.PAIRING_NOT_ALLOWED });
      return;
    }
    const mitm = this.options.mitm || this.linksOf(address).some((l) => l.requests.some((r) => r.level === 'mitm'));
    pairing.localAuthReq = authenticationRequirements(this.options.bonding ? 'general' : 'none', mitm);
    this.send({
      name: 'IO Capability Request Reply',
      bdaddr: address,
      ioCapability: IO_CAPABILITY[this.options.ioCapability],
      oobDataPresent: 0x00,
      authenticationRequirements: pairing.localAuthReq,
    });
  }

  private onIoCapabilityResponse(address: BdAddr, ioCapability: number, authReq: number): void {
    const peer = this.peer(address);
    if (!this.pairingStep(address, PAIRING_EVENT.IO_CAPABILITY_RESPONSE)) return;
    if (peer.state === PAIRING_STATE.IO_CAP_REMOTE_DONE || !peer.pairing) peer.pairing = newPairing(false);
    peer.pairing.remoteIo = ioCapability;
    peer.pairing.remoteAuthReq = authReq;
  }

  private onUserConfirmationRequest(address: BdAddr, numericValue: number, now: number): void {
    const peer = this.peer(address);
    if (!this.pairingStep(address, PAIRING_EVENT.USER_CONFIRMATION_REQUEST) || !peer.pairing) {
      this.send({ name: 'User Confirmation Request Negative Reply', bdaddr: address });
      return;
    }
    const pairing = peer.pairing;
    const local = this.options.ioCapability;
    const remote = ioCapabilityName(pairing.remoteIo ?? IO_CAPABILITY.NoInputNoOutput);
    const initiator = pairing.initiator ?? true;
    const localMitm = requiresMitm(pairing.localAuthReq ?? 0) || this.options.mitm;
    const mitmRequired = localMitm || requiresMitm(pairing.remoteAuthReq ?? 0);
    const m = initiator ? associationModel(local, remote, mitmRequired) : associationModel(remote, local, mitmRequired);
    const justWorks = m.model === 'JustWorks';
    if (justWorks && !localMitm && !this.options.confirmJustWorks) {
      this.send({ name: 'User Confirmation Request Reply', bdaddr: address });
      return;
    }
    this.openPrompt('confirm', address, now, (id) => ({ type: 'confirm-request', id, address, numericValue, justWorks, model: m.model }));
  }

  private onPinCodeRequest(address: BdAddr, now: number): void {
    const peer = this.peer(address);
    if (!this.pairingStep(address, PAIRING_EVENT.PIN_CODE_REQUEST)) {
      this.send({ name: 'PIN Code Request Negative Reply', bdaddr: address });
      return;
    }
    if (!peer.pairing || !peer.pairing.legacy) peer.pairing = newPairing(true);
    if (this.options.pairable === false) {
      peer.pairing.cause = 'not-pairable';
      this.send({ name: 'PIN Code Request Negative Reply', bdaddr: address });
      return;
    }
    this.openPrompt('pin', address, now);
  }

  private onSimplePairingComplete(status: number, address: BdAddr): void {
    const peer = this.peers.get(address);
    if (!peer) {
      this.stats.ignoredEvents++;
      return;
    }
    if (!this.pairingStep(address, status === STATUS.SUCCESS ? PAIRING_EVENT.SIMPLE_PAIRING_COMPLETE : PAIRING_EVENT.SIMPLE_PAIRING_FAILED) || status === STATUS.SUCCESS) return;
    this.cancelPrompt(peer, 'pairing ended');
    peer.failure = this.pairingFailed(address, peer, status);
  }

  private onLinkKeyNotification(address: BdAddr, linkKey: Uint8Array, keyType: number): void {
    const peer = this.peer(address);
    if (!this.pairingStep(address, PAIRING_EVENT.LINK_KEY_NOTIFICATION)) return;
    const pairing = peer.pairing;
    peer.pairing = undefined;
    peer.keyType = keyType;
    peer.storedKeyOffered = false;
    this.emit({ type: 'paired', address, keyType });
    for (const link of this.linksOf(address)) {
      link.keyType = keyType;
      this.markAuthenticated(link);
    }
    const remoteBonds = pairing?.remoteAuthReq === undefined || requiresBonding(pairing.remoteAuthReq);
    if (!this.options.bonding || !remoteBonds || keyType === LINK_KEY_TYPE.DEBUG_COMBINATION_KEY) return;
    const key: StoredKey = { linkKey: linkKey.slice(), keyType };
    if (this.storeCall(address, () => (this.keyStore.set(address, key), true))) this.emit({ type: 'key-stored', address, keyType });
  }

  private onAuthenticationComplete(status: number, handle: number, now: number): void {
    const link = this.links.get(handle);
    if (!link) {
      this.stats.ignoredEvents++;
      return;
    }
    link.authInFlight = false;
    const peer = this.peer(link.address);
    const storedKey = peer.storedKeyOffered;
    const failure = peer.failure;
    peer.storedKeyOffered = false;
    peer.failure = undefined;
    if (status === STATUS.SUCCESS) {
      link.keyType = peer.keyType ?? link.keyType;
      this.markAuthenticated(link);
      this.advance(link, now);
      return;
    }
    const reason = failure ?? pairingFailure(status, { legacy: peer.pairing?.legacy, storedKey: storedKey && !peer.pairing, cause: peer.pairing?.cause });
    if (storedKey && (status === STATUS.AUTHENTICATION_FAILURE || status === STATUS.PIN_OR_KEY_MISSING)) {
      peer.keyType = undefined;
      if (this.storeCall(link.address, () => (this.keyStore.delete(link.address), true))) this.emit({ type: 'key-removed', address: link.address, reason: reason.reason });
    }
    if (peer.pairing && this.pairingStep(link.address, PAIRING_EVENT.AUTHENTICATION_FAILED)) {
      this.cancelPrompt(peer, 'pairing ended');
      this.pairingFailed(link.address, peer, status, reason);
    }
    for (const req of [...link.requests]) if (this.needsAuth(link, req)) this.finish(link, req, false, reason);
    this.advance(link, now);
  }

  private onEncryptionChange(status: number, handle: number, enabled: number, now: number): void {
    const link = this.links.get(handle);
    if (!link) {
      this.stats.ignoredEvents++;
      return;
    }
    link.encInFlight = false;
    const on = status === STATUS.SUCCESS && enabled !== 0;
    if (status === STATUS.SUCCESS) {
      link.encryption = on ? 'checking' : 'off';
      link.keySize = undefined;
      link.refusal = undefined;
      if (on) {
        link.keyType = this.peers.get(link.address)?.keyType ?? link.keyType;
        this.markAuthenticated(link);
      }
    }
    this.emit({ type: 'encryption-changed', handle, address: link.address, status, enabled: link.encryption !== 'off' });
    if (on) this.checkKeySize(link);
    if (status !== STATUS.SUCCESS) {
      const reason = statusFailure('encryption-failed', status, 'encryption failed');
      for (const req of [...link.requests]) if (this.needsEncryption(link, req)) this.finish(link, req, false, reason);
    }
    this.advance(link, now);
  }

  /** KNOB (CVE-2019-9506): asks for the key size the controllers negotiated, when the controller can tell it. */
  private checkKeySize(link: Link): void {
    if (this.supportedCommands && isCommandSupported(this.supportedCommands, 'Read Encryption Key Size')) {
      link.keySizeReads++;
      this.send({ name: 'Read Encryption Key Size', handle: link.handle });
      return;
    }
    link.encryption = 'on';
    this.emit({ type: 'encryption-key-size', handle: link.handle, address: link.address, keySize: undefined, ok: true });
  }

  private onKeySize(handle: number, status: number, event: HciEvent | undefined, now: number): void {
    const link = this.links.get(handle);
    if (!link) return;
    if (link.keySizeReads > 0) link.keySizeReads--;
    if (link.keySizeReads > 0 || link.encryption !== 'checking') return;
    const keySize = status === STATUS.SUCCESS && event ? commandReturns(event, 'Read Encryption Key Size')?.keySize : undefined;
    const refusal = keySize === undefined ? keySizeReadFailure(status) : keySize < this.minKeySize ? keySizeFailure(keySize, this.minKeySize) : undefined;
    link.keySize = keySize;
    link.refusal = refusal;
    link.encryption = refusal === undefined ? 'on' : 'refused';
    this.emit({ type: 'encryption-key-size', handle, address: link.address, keySize, ok: refusal === undefined, ...(refusal === undefined ? {} : { reason: refusal.reason }) });
    this.advance(link, now);
  }

  // ── requests ──────────────────────────────────────────────────────────────────────────────

  private satisfied(link: Link, level: SecurityLevel): boolean {
    switch (level) {
      case 'none':
        return true;
      case 'authenticated':
        return link.authenticated;
      case 'encrypted':
        return link.authenticated && link.encryption === 'on';
      case 'mitm':
        return link.authenticated && link.encryption === 'on' && isAuthenticatedKeyType(link.keyType);
    }
  }

  private needsAuth(link: Link, req: Request): boolean {
    if (req.level === 'none') return false;
    return !link.authenticated || (req.level === 'mitm' && !isAuthenticatedKeyType(link.keyType));
  }

  private needsEncryption(link: Link, req: Request): boolean {
    return (req.level === 'encrypted' || req.level === 'mitm') && link.encryption !== 'on';
  }

  /** Completes what is met, fails what cannot progress, and starts the next step of the rest. */
  private advance(link: Link, _now: number): void {
    for (const req of [...link.requests]) {
      if (this.satisfied(link, req.level)) {
        this.finish(link, req, true);
      } else if (this.needsAuth(link, req)) {
        if (link.authInFlight) continue;
        if (req.authTried) {
          this.finish(link, req, false, req.level === 'mitm' && link.authenticated ? mitmFailure(link.keyType) : { failure: 'not-authenticated', reason: 'authentication did not complete' });
          continue;
        }
        link.authInFlight = true;
        for (const r of link.requests) if (this.needsAuth(link, r)) r.authTried = true;
        this.send({ name: 'Authentication Requested', handle: link.handle });
      } else if (link.encryption === 'checking') {
        continue;
      } else if (link.encryption === 'refused') {
        this.finish(link, req, false, link.refusal);
      } else {
        if (link.encInFlight) continue;
        if (req.encTried) {
          this.finish(link, req, false, { failure: 'not-encrypted', reason: 'encryption was not enabled' });
          continue;
        }
        link.encInFlight = true;
        for (const r of link.requests) if (this.needsEncryption(link, r)) r.encTried = true;
        this.send({ name: 'Set Connection Encryption', handle: link.handle, encryptionEnable: 0x01 });
      }
    }
  }

  private finish(link: Link, req: Request, ok: boolean, failure?: SecurityFailureInfo): void {
    const i = link.requests.indexOf(req);
    if (i >= 0) link.requests.splice(i, 1);
    this.requestTimers.clear(req.id);
    this.emit({ type: 'security-complete', id: req.id, handle: link.handle, ok, level: req.level, ...(ok || !failure ? {} : failure) });
  }

  private markAuthenticated(link: Link): void {
    if (link.authenticated) return;
    link.authenticated = true;
    this.emit({ type: 'authenticated', handle: link.handle, address: link.address, keyType: link.keyType });
  }

  // ── prompts ───────────────────────────────────────────────────────────────────────────────

  private openPrompt(kind: PromptKind, address: BdAddr, now: number, make?: (id: number) => SecurityEvent): void {
    const peer = this.peer(address);
    this.cancelPrompt(peer, 'the controller asked again');
    const prompt: Prompt = { id: this.nextId++, kind, address };
    if (this.prompts.size >= this.maxPrompts) {
      this.stats.promptOverflows++;
      this.reject(prompt, 'rejected-by-user');
      return;
    }
    this.prompts.set(prompt.id, prompt);
    peer.promptId = prompt.id;
    this.promptTimers.set(prompt.id, now + this.userTimeoutMs);
    this.emit(make ? make(prompt.id) : { type: kind === 'pin' ? 'pin-request' : 'passkey-request', id: prompt.id, address });
  }

  private takePrompt(id: number, kind: PromptKind): Prompt | undefined {
    const prompt = this.prompts.get(id);
    if (!prompt) return undefined;
    if (prompt.kind !== kind) throw new ArgumentError(`prompt ${id} is a ${prompt.kind} request, not a ${kind} request`);
    this.prompts.delete(id);
    this.promptTimers.clear(id);
    const peer = this.peers.get(prompt.address);
    if (peer?.promptId === id) peer.promptId = undefined;
    return prompt;
  }

  private cancelPrompt(peer: Peer, reason: string): void {
    if (peer.promptId === undefined) return;
    const prompt = this.prompts.get(peer.promptId);
    peer.promptId = undefined;
    if (!prompt) return;
    this.prompts.delete(prompt.id);
    this.promptTimers.clear(prompt.id);
    this.emit({ type: 'prompt-cancelled', id: prompt.id, address: prompt.address, reason });
  }

  /** The negative reply for a prompt, remembering why for the failure reason. */
  private reject(prompt: Prompt, cause: LocalCause): void {
    const pairing = this.peers.get(prompt.address)?.pairing;
    if (pairing) pairing.cause = cause;
    const bdaddr = prompt.address;
    if (prompt.kind === 'confirm') this.send({ name: 'User Confirmation Request Negative Reply', bdaddr });
    else if (prompt.kind === 'passkey') this.send({ name: 'User Passkey Request Negative Reply', bdaddr });
    else this.send({ name: 'PIN Code Request Negative Reply', bdaddr });
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────

  /**
   * Moves the peer's pairing along `event` (pairing-state.ts). False when the table does not define
   * it in the peer's state: the state stays, and a `pairing-error` says what came out of order.
   */
  private pairingStep(address: BdAddr, event: PairingEvent): boolean {
    const peer = this.peer(address);
    const fault = this.pairingMachine.transition(peer, peer.id, event, this.now);
    if (fault) {
      this.emit({ type: 'pairing-error', address, state: fault.state, event, message: `${address}: ${event.replace(/_/g, ' ')} while the pairing is ${fault.state}: out of order (Core Vol 3 Part C §5.2.2)` });
      return false;
    }
    return true;
  }

  /** Ends the peer's pairing with `pairing-failed`; returns the failure given. */
  private pairingFailed(address: BdAddr, peer: Peer, status: number, given?: SecurityFailureInfo): SecurityFailureInfo {
    const pairing = peer.pairing;
    peer.pairing = undefined;
    const why = given ?? pairingFailure(status, { legacy: pairing?.legacy, cause: pairing?.cause });
    this.emit({ type: 'pairing-failed', address, status, reason: why.reason, failure: why.failure });
    return why;
  }

  private peer(address: BdAddr): Peer {
    let peer = this.peers.get(address);
    if (peer) return peer;
    if (this.peers.size >= MAX_PEERS) {
      const oldest = [...this.peers.entries()].find(([a]) => this.linksOf(a).length === 0) ?? this.peers.entries().next().value!;
      this.cancelPrompt(oldest[1], 'too many peers pairing at once');
      this.peers.delete(oldest[0]);
    }
    peer = { id: this.nextPeerId++, state: PAIRING_STATE.IDLE, pairing: undefined, failure: undefined, keyType: undefined, storedKeyOffered: false, promptId: undefined };
    this.peers.set(address, peer);
    return peer;
  }

  private linksOf(address: BdAddr): Link[] {
    return [...this.links.values()].filter((l) => l.address === address);
  }

  /** Runs a key store call; a store that throws (a disk error) becomes a `key-store-error` event. */
  private storeCall<T>(address: BdAddr, f: () => T): T | undefined {
    try {
      return f();
    } catch (error) {
      this.emit({ type: 'key-store-error', address, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  private send(cmd: HciCommand): void {
    if (!this.commands.push(cmd)) this.stats.droppedCommands++;
  }

  private emit(ev: SecurityEvent): void {
    if (!this.events.push(ev)) this.stats.droppedEvents++;
  }
}

function newPairing(legacy: boolean): Pairing {
  return { legacy, initiator: undefined, localReplied: false, localAuthReq: undefined, remoteIo: undefined, remoteAuthReq: undefined, cause: undefined };
}
