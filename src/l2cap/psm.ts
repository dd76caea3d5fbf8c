/**
 * Protocol/Service Multiplexers (Core v5.4 Vol 3 Part A §4.2). A valid PSM has an odd least
 * significant octet and an even most significant octet (bit 0 of the high octet = 0); for the
 * 16-bit PSMs of this stack that is `(psm & 0x0101) === 0x0001`. 0x0001–0x0eff are assigned by
 * the SIG (SDP 0x0001, RFCOMM 0x0003); 0x1001 and up are dynamic.
 *
 * The registry holds the PSMs this side accepts connections on, with the MTU it offers on them,
 * and the dynamic PSMs it handed out (reserved until unregistered).
 */
import { ArgumentError, InvalidStateError } from '../core/index.js';
import { DEFAULT_MTU, DYNAMIC_PSM_FIRST, MAX_MTU, MIN_MTU } from './wire/constants.js';

export function isValidPsm(psm: number): boolean {
  return Number.isInteger(psm) && psm > 0 && psm <= 0xffff && (psm & 0x0101) === 0x0001;
}

export function checkMtu(mtu: number, what: string): number {
  if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > MAX_MTU) {
    throw new ArgumentError(`${what} must be an integer ${MIN_MTU}..${MAX_MTU} (the BR/EDR minimum is ${MIN_MTU}), got ${mtu}`);
  }
  return mtu;
}

export interface PsmRegistration {
  readonly psm: number;
  readonly mtu: number;
}

export class PsmRegistry {
  private readonly registered = new Map<number, PsmRegistration>();
  private readonly reserved = new Set<number>();

  constructor(private readonly defaultMtu = DEFAULT_MTU) {}

  register(psm: number, opts: { mtu?: number } = {}): PsmRegistration {
    if (!isValidPsm(psm)) throw new ArgumentError(`0x${psm.toString(16)} is not a valid PSM (low octet odd, high octet even; e.g. 0x0003, 0x1001)`);
    if (this.registered.has(psm)) throw new InvalidStateError(`PSM 0x${psm.toString(16).padStart(4, '0')} is already registered: unregister it first`);
    const reg = { psm, mtu: checkMtu(opts.mtu ?? this.defaultMtu, 'the MTU of a PSM') };
    this.registered.set(psm, reg);
    return reg;
  }

  unregister(psm: number): boolean {
    this.reserved.delete(psm);
    return this.registered.delete(psm);
  }

  get(psm: number): PsmRegistration | undefined {
    return this.registered.get(psm);
  }

  /** The lowest valid dynamic PSM neither registered nor handed out before; reserved until unregistered. */
  allocate(): number {
    for (let psm = DYNAMIC_PSM_FIRST; psm <= 0xffff; psm += 2) {
      if (!isValidPsm(psm) || this.registered.has(psm) || this.reserved.has(psm)) continue;
      this.reserved.add(psm);
      return psm;
    }
    throw new InvalidStateError('every dynamic PSM is in use: unregister one first');
  }
}
