/**
 * Inquiry (Core v5.4 Vol 4 Part E §7.1.1, §7.1.2; events §7.7.1, §7.7.2, §7.7.33, §7.7.38). After
 * Command Status, every other controller on the link that inquiry-scans answers once, a tenth of the
 * inquiry length after the start, in the Inquiry_Mode the host wrote:
 * - standard: Inquiry Result (BD_ADDR, Page_Scan_Repetition_Mode, 2 reserved, Class_Of_Device, Clock_Offset);
 * - RSSI: Inquiry Result with RSSI (…, 1 reserved, …, RSSI);
 * - extended: Extended Inquiry Result (…, RSSI, 240-octet EIR: the peer's written EIR, or its
 *   Complete Local Name, AD type 0x09, shortened to 0x08 when it does not fit).
 * Inquiry Complete follows after Inquiry_Length × 1.28 s × timeScale, or as soon as Num_Responses
 * (non-zero) answers arrived. Inquiry Cancel stops it without an Inquiry Complete (§7.1.2).
 */
import { HCI_STATUS, SCAN_ENABLE } from '../../hci/index.js';
import { EVT, INQUIRY_MODE, INQUIRY_UNIT_MS } from './constants.js';
import type { VirtualController } from './controller.js';
import { addr, le16, le24, pack, padded } from './h4.js';

/** Page_Scan_Repetition_Mode R1 and a fixed Clock_Offset in the results. */
const PSRM_R1 = 0x01;
const CLOCK_OFFSET = 0x0000;
const EIR_COMPLETE_LOCAL_NAME = 0x09;
const EIR_SHORTENED_LOCAL_NAME = 0x08;

export class InquiryProcedure {
  private timers: number[] = [];
  private active = false;

  constructor(private readonly c: VirtualController) {}

  start(op: number, length: number, maxResponses: number, now: number): void {
    if (this.active) return this.c.status(HCI_STATUS.COMMAND_DISALLOWED, op);
    if (length < 0x01 || length > 0x30) return this.c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, op);
    this.c.status(HCI_STATUS.SUCCESS, op);
    this.active = true;
    const duration = this.c.scaled(length * INQUIRY_UNIT_MS);
    this.timers = [
      this.c.schedule(now + duration / 10, () => this.respond(maxResponses)),
      this.c.schedule(now + duration, () => this.finish()),
    ];
  }

  cancel(op: number): void {
    if (!this.active) return this.c.complete(op, HCI_STATUS.COMMAND_DISALLOWED);
    this.abort();
    this.c.complete(op, HCI_STATUS.SUCCESS);
  }

  abort(): void {
    for (const t of this.timers) this.c.scheduler.cancel(t);
    this.timers = [];
    this.active = false;
  }

  private respond(maxResponses: number): void {
    let n = 0;
    for (const peer of this.c.link.all()) {
      if (peer === this.c || !(peer.settings.scanEnable & SCAN_ENABLE.INQUIRY)) continue;
      this.report(peer);
      n++;
      if (maxResponses !== 0 && n >= maxResponses) return this.finish();
    }
  }

  private report(peer: VirtualController): void {
    const cod = le24(peer.settings.classOfDevice);
    const rssi = this.c.rssi & 0xff;
    switch (this.c.settings.inquiryMode) {
      case INQUIRY_MODE.RSSI:
        return this.c.event(EVT.INQUIRY_RESULT_WITH_RSSI, pack(1, addr(peer.address), PSRM_R1, 0, cod, le16(CLOCK_OFFSET), rssi));
      case INQUIRY_MODE.EXTENDED:
        return this.c.event(EVT.EXTENDED_INQUIRY_RESULT, pack(1, addr(peer.address), PSRM_R1, 0, cod, le16(CLOCK_OFFSET), rssi, eirOf(peer)));
      default:
        return this.c.event(EVT.INQUIRY_RESULT, pack(1, addr(peer.address), PSRM_R1, 0, 0, cod, le16(CLOCK_OFFSET)));
    }
  }

  private finish(): void {
    if (!this.active) return;
    this.abort();
    this.c.event(EVT.INQUIRY_COMPLETE, pack(HCI_STATUS.SUCCESS));
  }
}

/** The 240-octet EIR a peer answers with. */
export function eirOf(peer: VirtualController): Uint8Array {
  if (peer.settings.eir && peer.settings.eir.some((b) => b !== 0)) return padded(peer.settings.eir, 240);
  const name = peer.settings.name;
  const end = name.indexOf(0);
  const full = end < 0 ? name : name.subarray(0, end);
  const room = 240 - 2;
  const type = full.length > room ? EIR_SHORTENED_LOCAL_NAME : EIR_COMPLETE_LOCAL_NAME;
  const value = full.subarray(0, room);
  return padded(pack(value.length + 1, type, value), 240);
}
