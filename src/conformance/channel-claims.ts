/**
 * What the tester owns on a link it shares with the stack beside it (`standAside: 'channels'`):
 * its own L2CAP channels (local CIDs), the PSMs whose Connection Requests it answers, and DLCIs
 * on an RFCOMM session the stack opened. `owner` says, for one whole L2CAP frame or one signaling
 * command from the device under test, whether it goes to the tester or to the stack.
 *
 * Signaling (Core v5.4 Vol 3 Part A §4): a response names its channel by the CID of the side that
 * receives it (Connection Response SCID, Configuration Response SCID, Disconnection Response
 * SCID); a request of the peer by the receiver's CID (Configuration and Disconnection Request
 * DCID) or, for a Connection Request, by its PSM. Echo and Information Responses and Command
 * Reject name nothing but the identifier of the request: the tester's own identifiers are noted
 * when it sends, and the identifiers the stack has outstanding are noted so that the tester never
 * picks one of them.
 *
 * RFCOMM (TS 07.10 §5.2.1, §5.4.6.3): a frame's DLCI is in its address octet; on DLCI 0 the
 * multiplexer commands PN, MSC, RPN and RLS name the DLCI they are about in their first value
 * octet (PN: the DLCI in its low 6 bits; MSC, RPN, RLS: an address octet). Test, FCon, FCoff and
 * NSC name none and stay with the stack.
 */
import { SIGNAL_CODE as SIG } from '../l2cap/decoding.js';

export type Owner = 'tester' | 'host';

const REQUESTS: ReadonlySet<number> = new Set([SIG.CONNECTION_REQUEST, SIG.CONFIGURATION_REQUEST, SIG.DISCONNECTION_REQUEST, SIG.ECHO_REQUEST, SIG.INFORMATION_REQUEST]);

/** MCC types (TS 07.10 §5.4.6.3) that name a DLCI, by the type octet with EA and C/R cleared. */
const MCC_PN = 0x80;
const MCC_WITH_ADDRESS: ReadonlySet<number> = new Set([0xe0 /* MSC */, 0x90 /* RPN */, 0xa0 /* RLS */]);

/** The most identifiers remembered per side (DESIGN.md rule 6): 255 are all there are. */
const MAX_IDENTIFIERS = 255;

const le16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);

export class ChannelClaims {
  private readonly cids = new Set<number>();
  private readonly psms = new Set<number>();
  /** Session CID (the stack's local CID of the RFCOMM session) → DLCIs the tester owns on it. */
  private readonly dlcis = new Map<number, Set<number>>();
  private readonly testerIds = new Set<number>();
  /** Identifiers of the stack's requests still waiting for their response. */
  readonly hostIds = new Set<number>();

  claimCid(cid: number): void {
    this.cids.add(cid);
  }
  releaseCid(cid: number): void {
    this.cids.delete(cid);
  }
  claimPsm(psm: number): void {
    this.psms.add(psm);
  }
  releasePsm(psm: number): void {
    this.psms.delete(psm);
  }
  claimDlci(sessionCid: number, dlci: number): void {
    let set = this.dlcis.get(sessionCid);
    if (!set) this.dlcis.set(sessionCid, (set = new Set()));
    set.add(dlci);
  }
  releaseDlci(sessionCid: number, dlci: number): void {
    this.dlcis.get(sessionCid)?.delete(dlci);
  }
  /** Whether frames on `cid` are RFCOMM frames of a stack session the tester has DLCIs on. */
  sharedSession(cid: number): boolean {
    return (this.dlcis.get(cid)?.size ?? 0) > 0;
  }
  clear(): void {
    this.cids.clear();
    this.psms.clear();
    this.dlcis.clear();
    this.testerIds.clear();
    this.hostIds.clear();
  }

  /** A signaling command the tester or the stack sends: its identifier is remembered when it is a request. */
  sent(by: Owner, command: Uint8Array): void {
    if (command.length < 2 || !REQUESTS.has(command[0]!)) return;
    const ids = by === 'tester' ? this.testerIds : this.hostIds;
    if (ids.size >= MAX_IDENTIFIERS) ids.clear();
    ids.add(command[1]!);
  }

  /** Who a signaling command from the device goes to. */
  ownerOfCommand(command: Uint8Array): Owner {
    const code = command[0];
    const id = command[1]!;
    const data = command.subarray(4);
    let owner: Owner;
    switch (code) {
      case SIG.CONNECTION_REQUEST:
        owner = this.psms.has(le16(data, 0)) ? 'tester' : 'host';
        break;
      case SIG.CONFIGURATION_REQUEST:
      case SIG.DISCONNECTION_REQUEST:
        owner = this.cids.has(le16(data, 0)) ? 'tester' : 'host';
        break;
      case SIG.CONNECTION_RESPONSE:
      case SIG.DISCONNECTION_RESPONSE:
        owner = this.cids.has(le16(data, 2)) ? 'tester' : 'host';
        break;
      case SIG.CONFIGURATION_RESPONSE:
        owner = this.cids.has(le16(data, 0)) ? 'tester' : 'host';
        break;
      case SIG.COMMAND_REJECT:
      case SIG.ECHO_RESPONSE:
      case SIG.INFORMATION_RESPONSE:
        owner = this.testerIds.has(id) && !this.hostIds.has(id) ? 'tester' : 'host';
        break;
      default:
        owner = 'host';
    }
    // A final answer settles its request (a Connection Response "pending" is not final).
    const pending = code === SIG.CONNECTION_RESPONSE && le16(data, 4) === 1;
    if (!REQUESTS.has(code ?? 0) && !pending) (owner === 'tester' ? this.testerIds : this.hostIds).delete(id);
    return owner;
  }

  /** Who an L2CAP frame (not signaling) on `cid` with `payload` goes to. */
  ownerOfFrame(cid: number, payload: Uint8Array): Owner {
    if (this.cids.has(cid)) return 'tester';
    const mine = this.dlcis.get(cid);
    if (!mine || mine.size === 0 || payload.length < 3) return 'host';
    const dlci = payload[0]! >>> 2;
    if (mine.has(dlci)) return 'tester';
    if (dlci !== 0 || (payload[1]! & 0xef) !== 0xef) return 'host';
    const info = (payload[2]! & 1) === 1 ? 3 : 4;
    const type = (payload[info] ?? 0) & 0xfc;
    const value = info + 1 + (((payload[info + 1] ?? 1) & 1) === 1 ? 1 : 2);
    if (value >= payload.length) return 'host';
    const named = type === MCC_PN ? payload[value]! & 0x3f : MCC_WITH_ADDRESS.has(type) ? payload[value]! >>> 2 : -1;
    return mine.has(named) ? 'tester' : 'host';
  }
}
