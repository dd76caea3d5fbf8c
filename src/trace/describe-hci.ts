/**
 * What the trace decoder adds to the HCI layer: LE Meta events (Core v5.4 Vol 4 Part E §7.7.65)
 * named by their subevent with their fields, and vendor-specific commands (OGF 0x3F, §5.4.1) and
 * events (code 0xFF, §5.4.4) named as such with their parameters raw, since only the vendor knows
 * their layout.
 *
 * LE Meta event parameters: Subevent_Code (1) then the subevent's parameters. Fixed-layout
 * subevents are table-driven on the HCI field engine; LE Advertising Report (§7.7.65.2) is read by
 * hand: Num_Reports, then each report whole (Event_Type, Address_Type, Address, Data_Length, Data,
 * RSSI), the layout controllers send and Wireshark and btmon read (src/hci/wire/fields.ts says the
 * same of every repeated HCI parameter; a capture here has a two-report event laid out so). A
 * subevent not in the table, or whose bytes do not match it, keeps its parameters raw.
 */
import { ByteReader, bdAddrFromBytes, DecodeError, hex } from '../core/index.js';
import { hciFields, type HciCommand, type HciEvent, type HciPacket } from '../hci/decoding.js';

type Field = hciFields.Field;
const { BDADDR, bytes, decodeAll, describeFields, field, STATUS, U16, U16X, U8, U8X } = hciFields;

export const LE_META_EVENT_CODE = 0x3e;
export const VENDOR_EVENT_CODE = 0xff;
export const VENDOR_OGF = 0x3f;

const status = field('status', STATUS);
const handle = field('handle', U16X);
const connection = [
  field('connectionInterval', U16),
  field('peripheralLatency', U16),
  field('supervisionTimeout', U16),
] as const;

/** Subevents with a fixed layout (§7.7.65.1, .3, .4, .5, .7, .10). */
const LE_SUBEVENTS: Readonly<Record<number, { name: string; fields: readonly Field[] }>> = {
  0x01: {
    name: 'LE Connection Complete',
    fields: [status, handle, field('role', U8), field('peerAddressType', U8), field('peerAddress', BDADDR), ...connection, field('centralClockAccuracy', U8X)],
  },
  0x03: { name: 'LE Connection Update Complete', fields: [status, handle, ...connection] },
  0x04: { name: 'LE Read Remote Features Complete', fields: [status, handle, field('leFeatures', bytes(8))] },
  0x05: { name: 'LE Long Term Key Request', fields: [handle, field('randomNumber', bytes(8)), field('encryptedDiversifier', U16X)] },
  0x07: {
    name: 'LE Data Length Change',
    fields: [handle, field('maxTxOctets', U16), field('maxTxTime', U16), field('maxRxOctets', U16), field('maxRxTime', U16)],
  },
  0x0a: {
    name: 'LE Enhanced Connection Complete',
    fields: [
      status,
      handle,
      field('role', U8),
      field('peerAddressType', U8),
      field('peerAddress', BDADDR),
      field('localResolvablePrivateAddress', BDADDR),
      field('peerResolvablePrivateAddress', BDADDR),
      ...connection,
      field('centralClockAccuracy', U8X),
    ],
  },
};
const ADVERTISING_REPORT = 0x02;

export interface AdvertisingReport {
  eventType: number;
  addressType: number;
  address: string;
  data: Uint8Array;
  rssi: number;
}

/** An LE Meta event: its subevent (-1 when the event has no parameters at all), its name, and its fields or its raw parameters. */
export type LeMetaEvent =
  | { subevent: number; name: string; fields: Record<string, unknown> }
  | { subevent: 0x02; name: 'LE Advertising Report'; reports: AdvertisingReport[] }
  | { subevent: number; name: string; params: Uint8Array };

/** The LE Meta event in an HCI packet, or undefined when it is not one. */
export function leMetaEvent(packet: HciPacket): LeMetaEvent | undefined {
  if (packet.type !== 'event' || packet.event.name !== 'Unknown Event' || packet.event.code !== LE_META_EVENT_CODE) return undefined;
  return decodeLeMeta(packet.event.params);
}

/** Decodes LE Meta event parameters (after the event header); total for any bytes. */
export function decodeLeMeta(params: Uint8Array): LeMetaEvent {
  if (params.length === 0) return { subevent: -1, name: 'LE Meta (malformed: no subevent code)', params };
  const subevent = params[0];
  const body = params.subarray(1);
  try {
    if (subevent === ADVERTISING_REPORT) return { subevent, name: 'LE Advertising Report', reports: decodeAdvertisingReports(body) };
    const spec = LE_SUBEVENTS[subevent];
    if (spec) return { subevent, name: spec.name, fields: decodeAll(spec.fields, body, spec.name) };
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return { subevent, name: `${LE_SUBEVENTS[subevent]?.name ?? 'LE Advertising Report'} (malformed)`, params: body };
  }
  return { subevent, name: `LE subevent 0x${subevent.toString(16).padStart(2, '0')}`, params: body };
}

function decodeAdvertisingReports(body: Uint8Array): AdvertisingReport[] {
  const r = new ByteReader(body, 'hci', 'LE Advertising Report');
  const reports = Array.from({ length: r.u8('Num_Reports') }, () => ({
    eventType: r.u8('Event_Type'),
    addressType: r.u8('Address_Type'),
    address: bdAddrFromBytes(r.bytesN(6, 'Address')),
    data: r.bytesN(r.u8('Data_Length'), 'Data'),
    rssi: (r.u8('RSSI') << 24) >> 24,
  }));
  r.done();
  return reports;
}

export function describeLeMeta(e: LeMetaEvent): string {
  if ('fields' in e) return `${e.name} ${describeFields(LE_SUBEVENTS[e.subevent].fields, e.fields)}`;
  if ('reports' in e) {
    const reports = e.reports.map(
      (a) => `eventType=${a.eventType} addressType=${a.addressType} address=${a.address} rssi=${a.rssi} data=${hex(a.data, ' ') || '-'}`,
    );
    return `${e.name} reports=${e.reports.length}${reports.map((r) => ` [${r}]`).join('')}`;
  }
  return `${e.name} params=${hex(e.params, ' ') || '-'}`;
}

/** The one-line description of a vendor command, its Command Complete or a vendor event; undefined for anything else. */
export function describeVendor(packet: HciPacket): string | undefined {
  if (packet.type === 'command') return vendorCommand(packet.command);
  if (packet.type === 'event') return vendorEvent(packet.event);
  return undefined;
}

function isVendor(opcode: number): boolean {
  return opcode >>> 10 === VENDOR_OGF;
}

function ocf(opcode: number): string {
  return `ocf=0x${(opcode & 0x3ff).toString(16).padStart(4, '0')}`;
}

function vendorCommand(c: HciCommand): string | undefined {
  if (c.name !== 'Unknown Command' || !isVendor(c.opcode)) return undefined;
  return `Vendor Command ${ocf(c.opcode)} params=${hex(c.params, ' ') || '-'}`;
}

function vendorEvent(e: HciEvent): string | undefined {
  if (e.name === 'Command Complete' && isVendor(e.opcode)) {
    return `Command Complete Vendor Command ${ocf(e.opcode)} ncmd=${e.numHciCommandPackets}${e.returnParams.length ? ` return=${hex(e.returnParams, ' ')}` : ''}`;
  }
  if (e.name === 'Command Status' && isVendor(e.opcode)) {
    return `Command Status Vendor Command ${ocf(e.opcode)} ${describeFields([status], e)} ncmd=${e.numHciCommandPackets}`;
  }
  if (e.name === 'Unknown Event' && e.code === VENDOR_EVENT_CODE) return `Vendor Event params=${hex(e.params, ' ') || '-'}`;
  return undefined;
}

