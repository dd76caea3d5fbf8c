/**
 * Pairing between two virtual controllers on one ACL link, as both hosts see it over HCI (Core v5.4
 * Vol 4 Part E §7.7.20–7.7.24, §7.7.40–7.7.49; association models: Vol 3 Part C §5.2.2.6; legacy
 * pairing: Vol 2 Part C §4.2.2). One session is shared by both controllers' connections; the
 * initiator is the side whose host sent Authentication Requested.
 *
 * | phase              | waits for                        | then                                             |
 * |--------------------|----------------------------------|--------------------------------------------------|
 * | link-key           | initiator Link Key (Neg) Reply   | key → responder Link Key Request; none → SSP (both hosts enabled SSP) or legacy PIN |
 * | link-key-responder | responder Link Key (Neg) Reply   | same key → Authentication Complete 0x00; other key 0x05; none 0x06 |
 * | io-initiator       | initiator IO Capability Reply    | responder: IO Capability Response, IO Capability Request |
 * | io-responder       | responder IO Capability Reply    | initiator: IO Capability Response; model from the IO table |
 * | confirm            | both User Confirmation Replies   | Numeric Comparison and Just Works: both get User Confirmation Request |
 * | passkey            | the inputting side(s)' Passkey   | the displaying side gets User Passkey Notification |
 * | pin-initiator      | initiator PIN Code Reply         | responder PIN Code Request                       |
 * | pin-responder      | responder PIN Code Reply         | equal PINs → combination key; else 0x05          |
 *
 * SSP success: Simple Pairing Complete 0x00 and Link Key Notification on both sides, then
 * Authentication Complete 0x00 on the initiator. SSP failure (negative reply, wrong passkey):
 * Simple Pairing Complete and Authentication Complete with Authentication Failure (0x05), or the
 * reason of an IO Capability Negative Reply. Legacy: a negative PIN reply gives PIN or Key Missing
 * (0x06), different PINs Authentication Failure (0x05), on the initiator only. Key types: P-256
 * when both hosts enabled Secure Connections, authenticated unless the model is Just Works.
 */
import type { BdAddr } from '../../core/index.js';
import { bytesEqual } from '../../core/index.js';
import { HCI_STATUS } from '../../hci/index.js';
import { associationModel, ioCapabilityName, LINK_KEY_TYPE, requiresMitm, type AssociationModel, type IoCapability } from '../../security/index.js';
import { EVT } from './constants.js';
import { addr, le32, pack } from './h4.js';
import type { Prng } from './prng.js';

export type PairingSide = 'initiator' | 'responder';

export interface PairingEnd {
  readonly address: BdAddr;
  readonly handle: number;
  readonly sspHost: boolean;
  readonly scHost: boolean;
  emit(code: number, params: Uint8Array): void;
}

export interface PairingResult {
  readonly status: number;
  readonly key?: Uint8Array;
  readonly keyType?: number;
}

export type PairingReply =
  | { readonly kind: 'link-key'; readonly key: Uint8Array | undefined }
  | { readonly kind: 'io-capability'; readonly io: number; readonly oob: number; readonly authReq: number }
  | { readonly kind: 'io-capability-negative'; readonly reason: number }
  | { readonly kind: 'confirmation'; readonly accept: boolean }
  | { readonly kind: 'passkey'; readonly passkey: number | undefined }
  | { readonly kind: 'pin'; readonly pin: Uint8Array | undefined };

type Phase = 'link-key' | 'link-key-responder' | 'io-initiator' | 'io-responder' | 'confirm' | 'passkey' | 'pin-initiator' | 'pin-responder' | 'done';

const EXPECTED: Record<Phase, readonly PairingReply['kind'][]> = {
  'link-key': ['link-key'],
  'link-key-responder': ['link-key'],
  'io-initiator': ['io-capability', 'io-capability-negative'],
  'io-responder': ['io-capability', 'io-capability-negative'],
  confirm: ['confirmation'],
  passkey: ['passkey'],
  'pin-initiator': ['pin'],
  'pin-responder': ['pin'],
  done: [],
};

export class PairingSession {
  private phase: Phase = 'link-key';
  private initiatorKey: Uint8Array | undefined;
  private initiatorPin: Uint8Array | undefined;
  private initiatorIo: IoCapability = 'NoInputNoOutput';
  private initiatorAuthReq = 0;
  private model: AssociationModel = associationModel('NoInputNoOutput', 'NoInputNoOutput', false);
  private passkey = 0;
  /** Sides still to answer in the confirm and passkey phases, with the passkeys entered. */
  private readonly waiting = new Set<PairingSide>();
  private readonly entered = new Map<PairingSide, number>();

  constructor(
    private readonly initiator: PairingEnd,
    private readonly responder: PairingEnd,
    private readonly prng: Prng,
    private readonly onDone: (result: PairingResult) => void,
  ) {}

  sideOf(address: BdAddr): PairingSide {
    return address === this.initiator.address ? 'initiator' : 'responder';
  }

  start(): void {
    this.to('initiator', EVT.LINK_KEY_REQUEST, pack(addr(this.responder.address)));
  }

  /** Whether the reply is the one this phase waits for from that side (else Command Disallowed). */
  accepts(side: PairingSide, kind: PairingReply['kind']): boolean {
    if (!EXPECTED[this.phase].includes(kind)) return false;
    switch (this.phase) {
      case 'link-key':
      case 'io-initiator':
      case 'pin-initiator':
        return side === 'initiator';
      case 'link-key-responder':
      case 'io-responder':
      case 'pin-responder':
        return side === 'responder';
      default:
        return this.waiting.has(side);
    }
  }

  /** Applies a host reply; call only when `accepts` said yes. */
  reply(side: PairingSide, r: PairingReply): void {
    if (!this.accepts(side, r.kind)) return;
    switch (r.kind) {
      case 'link-key':
        return this.onLinkKey(r.key);
      case 'io-capability':
        return this.onIoCapability(side, r.io, r.oob, r.authReq);
      case 'io-capability-negative':
        return this.failSsp(r.reason);
      case 'confirmation':
        if (!r.accept) return this.failSsp(HCI_STATUS.AUTHENTICATION_FAILURE);
        this.waiting.delete(side);
        if (this.waiting.size === 0) this.succeedSsp();
        return;
      case 'passkey':
        return this.onPasskey(side, r.passkey);
      case 'pin':
        return this.onPin(r.pin);
    }
  }

  private onLinkKey(key: Uint8Array | undefined): void {
    if (this.phase === 'link-key') {
      if (key) {
        this.initiatorKey = key;
        this.phase = 'link-key-responder';
        this.to('responder', EVT.LINK_KEY_REQUEST, pack(addr(this.initiator.address)));
      } else if (this.initiator.sspHost && this.responder.sspHost) {
        this.phase = 'io-initiator';
        this.to('initiator', EVT.IO_CAPABILITY_REQUEST, pack(addr(this.responder.address)));
      } else {
        this.phase = 'pin-initiator';
        this.to('initiator', EVT.PIN_CODE_REQUEST, pack(addr(this.responder.address)));
      }
      return;
    }
    if (!key) return this.finish(HCI_STATUS.PIN_OR_KEY_MISSING);
    if (!this.initiatorKey || !bytesEqual(key, this.initiatorKey)) return this.finish(HCI_STATUS.AUTHENTICATION_FAILURE);
    this.finish(HCI_STATUS.SUCCESS);
  }

  private onIoCapability(side: PairingSide, io: number, oob: number, authReq: number): void {
    const other: PairingSide = side === 'initiator' ? 'responder' : 'initiator';
    this.to(other, EVT.IO_CAPABILITY_RESPONSE, pack(addr(this.end(side).address), io, oob, authReq));
    if (side === 'initiator') {
      this.initiatorIo = ioCapabilityName(io);
      this.initiatorAuthReq = authReq;
      this.phase = 'io-responder';
      this.to('responder', EVT.IO_CAPABILITY_REQUEST, pack(addr(this.initiator.address)));
      return;
    }
    // Vol 3 Part C §5.2.2.6: table 5.7 when either side asks for MITM protection, else Just Works.
    this.model = associationModel(this.initiatorIo, ioCapabilityName(io), requiresMitm(this.initiatorAuthReq) || requiresMitm(authReq));
    if (this.model.model !== 'PasskeyEntry') {
      this.phase = 'confirm';
      const value = this.prng.below(1_000_000);
      this.waiting.add('initiator').add('responder');
      this.to('initiator', EVT.USER_CONFIRMATION_REQUEST, pack(addr(this.responder.address), le32(value)));
      this.to('responder', EVT.USER_CONFIRMATION_REQUEST, pack(addr(this.initiator.address), le32(value)));
      return;
    }
    this.phase = 'passkey';
    this.passkey = this.prng.below(1_000_000);
    const sides = ['initiator', 'responder'] as const;
    const inputs = sides.filter((s) => this.model.input === s || this.model.input === 'both');
    const peerOf = (s: PairingSide) => this.end(s === 'initiator' ? 'responder' : 'initiator').address;
    for (const s of sides) if (!inputs.includes(s)) this.to(s, EVT.USER_PASSKEY_NOTIFICATION, pack(addr(peerOf(s)), le32(this.passkey)));
    for (const s of inputs) {
      this.waiting.add(s);
      this.to(s, EVT.USER_PASSKEY_REQUEST, pack(addr(peerOf(s))));
    }
  }
  private onPasskey(side: PairingSide, passkey: number | undefined): void {
    if (passkey === undefined) return this.failSsp(HCI_STATUS.AUTHENTICATION_FAILURE);
    this.waiting.delete(side);
    this.entered.set(side, passkey);
    if (this.waiting.size > 0) return;
    const values = [...this.entered.values()];
    const expected = this.model.input === 'both' ? values[0] : this.passkey;
    if (values.every((v) => v === expected)) this.succeedSsp();
    else this.failSsp(HCI_STATUS.AUTHENTICATION_FAILURE);
  }

  private onPin(pin: Uint8Array | undefined): void {
    if (!pin) return this.finish(HCI_STATUS.PIN_OR_KEY_MISSING);
    if (this.phase === 'pin-initiator') {
      this.initiatorPin = pin;
      this.phase = 'pin-responder';
      this.to('responder', EVT.PIN_CODE_REQUEST, pack(addr(this.initiator.address)));
      return;
    }
    if (!this.initiatorPin || !bytesEqual(pin, this.initiatorPin)) return this.finish(HCI_STATUS.AUTHENTICATION_FAILURE);
    const key = this.prng.bytes(16);
    this.notifyKey(key, LINK_KEY_TYPE.COMBINATION_KEY);
    this.finish(HCI_STATUS.SUCCESS, key, LINK_KEY_TYPE.COMBINATION_KEY);
  }

  private succeedSsp(): void {
    const sc = this.initiator.scHost && this.responder.scHost;
    const authenticated = this.model.authenticated;
    const keyType = sc
      ? authenticated
        ? LINK_KEY_TYPE.AUTHENTICATED_COMBINATION_KEY_P256
        : LINK_KEY_TYPE.UNAUTHENTICATED_COMBINATION_KEY_P256
      : authenticated
        ? LINK_KEY_TYPE.AUTHENTICATED_COMBINATION_KEY_P192
        : LINK_KEY_TYPE.UNAUTHENTICATED_COMBINATION_KEY_P192;
    const key = this.prng.bytes(16);
    this.simplePairingComplete(HCI_STATUS.SUCCESS);
    this.notifyKey(key, keyType);
    this.finish(HCI_STATUS.SUCCESS, key, keyType);
  }

  private failSsp(status: number): void {
    this.simplePairingComplete(status);
    this.finish(status);
  }

  private simplePairingComplete(status: number): void {
    this.to('initiator', EVT.SIMPLE_PAIRING_COMPLETE, pack(status, addr(this.responder.address)));
    this.to('responder', EVT.SIMPLE_PAIRING_COMPLETE, pack(status, addr(this.initiator.address)));
  }

  private notifyKey(key: Uint8Array, keyType: number): void {
    this.to('initiator', EVT.LINK_KEY_NOTIFICATION, pack(addr(this.responder.address), key, keyType));
    this.to('responder', EVT.LINK_KEY_NOTIFICATION, pack(addr(this.initiator.address), key, keyType));
  }

  private finish(status: number, key?: Uint8Array, keyType?: number): void {
    this.phase = 'done';
    this.waiting.clear();
    if (status === HCI_STATUS.SUCCESS && !key && this.initiatorKey) key = this.initiatorKey;
    this.to('initiator', EVT.AUTHENTICATION_COMPLETE, pack(status, this.initiator.handle & 0xff, this.initiator.handle >> 8));
    this.onDone({ status, key, keyType });
  }

  private end(side: PairingSide): PairingEnd {
    return side === 'initiator' ? this.initiator : this.responder;
  }

  private to(side: PairingSide, code: number, params: Uint8Array): void {
    this.end(side).emit(code, params);
  }
}
