/**
 * Command dispatch of the virtual controller (Core v5.4 Vol 4 Part E §7.1–7.5, §4.5). One table row
 * per implemented opcode: the exact parameter length (or a minimum), whether the command answers
 * with Command Complete or Command Status, and what it does. An opcode not in the table gets Command
 * Complete with Unknown HCI Command (0x01); a wrong length Invalid HCI Command Parameters (0x12) in
 * the command's own kind of answer. Host Number Of Completed Packets answers nothing (§7.3.40).
 */
import { bdAddrFromBytes, u16le, u32le } from '../../core/index.js';
import { HCI_STATUS } from '../../hci/index.js';
import { INQUIRY_MODE, OP } from './constants.js';
import type { VirtualController } from './controller.js';
import { addr, le16, le24 } from './h4.js';
import { FEATURES_PAGE_0, featurePage, MAX_FEATURE_PAGE, supportedCommands, VERSION } from './local-info.js';
import type { PairingReply } from './pairing.js';
import { readRemoteExtendedFeatures, readRemoteFeatures, readRemoteVersion, changePacketType } from './remote-info.js';

type Run = (c: VirtualController, p: Uint8Array, op: number, now: number) => void;

interface CommandSpec {
  /** Exact parameter length, or `[minimum]`. */
  readonly length: number | readonly [number];
  readonly reply: 'complete' | 'status' | 'none';
  readonly run: Run;
}

const handleOf = (p: Uint8Array, off = 0): number => u16le(p, off) & 0x0fff;
const addrOf = (p: Uint8Array, off = 0): string => bdAddrFromBytes(p, off);

function complete(length: CommandSpec['length'], run: Run): CommandSpec {
  return { length, reply: 'complete', run };
}
function status(length: CommandSpec['length'], run: Run): CommandSpec {
  return { length, reply: 'status', run };
}
/** A setting write: `valid` checks the parameters, `apply` stores them; answers Command Complete. */
function write(length: number, valid: (p: Uint8Array) => boolean, apply: (c: VirtualController, p: Uint8Array) => void): CommandSpec {
  return complete(length, (c, p, op) => {
    if (!valid(p)) return c.complete(op, HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS);
    apply(c, p);
    c.complete(op, HCI_STATUS.SUCCESS);
  });
}
/** A setting that has no effect on the emulation: stored as given, for its read command. */
const stored = (length: CommandSpec['length']): CommandSpec =>
  complete(length, (c, p, op) => {
    c.settings.stored.set(op, p.slice());
    c.complete(op, HCI_STATUS.SUCCESS);
  });
/** Reads back what `writeOp` stored, or the default after Reset. */
const readBack = (writeOp: number, initial: Uint8Array): CommandSpec =>
  complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.stored.get(writeOp) ?? initial));
const any = (): boolean => true;
const atMost = (max: number) => (p: Uint8Array) => p[0] <= max;

/** A reply to a pairing request: Command Complete (Status, BD_ADDR), then the pairing goes on. */
function pairingReply(c: VirtualController, op: number, p: Uint8Array, reply: PairingReply): void {
  const peer = addrOf(p);
  if (!c.connections.connectionTo(peer)) return c.complete(op, HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, addr(peer));
  const pairing = c.connections.pairingWith(peer);
  if (!pairing || !pairing.session.accepts(pairing.side, reply.kind)) return c.complete(op, HCI_STATUS.COMMAND_DISALLOWED, addr(peer));
  c.complete(op, HCI_STATUS.SUCCESS, addr(peer));
  pairing.session.reply(pairing.side, reply);
}
function invalidReply(c: VirtualController, op: number, p: Uint8Array): void {
  c.complete(op, HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, addr(addrOf(p)));
}

/** Command Complete (Status, Connection_Handle, …) for a per-connection query or setting. */
function perConnection(length: number, extra: (c: VirtualController, handle: number) => (number | Uint8Array)[]): CommandSpec {
  return complete(length, (c, p, op) => {
    const handle = handleOf(p);
    const conn = c.connections.get(handle);
    if (!conn) return c.complete(op, HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, le16(handle));
    c.complete(op, HCI_STATUS.SUCCESS, le16(handle), ...extra(c, handle));
  });
}

const COMMANDS = new Map<number, CommandSpec>([
  // Link Control
  [OP.INQUIRY, status(5, (c, p, op, now) => c.inquiry.start(op, p[3], p[4], now))],
  [OP.INQUIRY_CANCEL, complete(0, (c, _p, op) => c.inquiry.cancel(op))],
  [OP.CREATE_CONNECTION, status(13, (c, p, op, now) => c.connections.createConnection(op, addrOf(p), now))],
  [OP.DISCONNECT, status(3, (c, p, op, now) => c.connections.disconnect(op, handleOf(p), p[2], now))],
  [OP.CREATE_CONNECTION_CANCEL, complete(6, (c, p, op, now) => c.connections.cancelCreateConnection(op, addrOf(p), now))],
  [OP.ACCEPT_CONNECTION_REQUEST, status(7, (c, p, op, now) => c.connections.acceptConnection(op, addrOf(p), now))],
  [OP.REJECT_CONNECTION_REQUEST, status(7, (c, p, op, now) => c.connections.rejectConnection(op, addrOf(p), p[6], now))],
  [OP.LINK_KEY_REQUEST_REPLY, complete(22, (c, p, op) => pairingReply(c, op, p, { kind: 'link-key', key: p.slice(6, 22) }))],
  [OP.LINK_KEY_REQUEST_NEGATIVE_REPLY, complete(6, (c, p, op) => pairingReply(c, op, p, { kind: 'link-key', key: undefined }))],
  [
    OP.PIN_CODE_REQUEST_REPLY,
    complete(23, (c, p, op) => {
      const length = p[6];
      if (length < 1 || length > 16) return invalidReply(c, op, p);
      pairingReply(c, op, p, { kind: 'pin', pin: p.slice(7, 7 + length) });
    }),
  ],
  [OP.PIN_CODE_REQUEST_NEGATIVE_REPLY, complete(6, (c, p, op) => pairingReply(c, op, p, { kind: 'pin', pin: undefined }))],
  [OP.CHANGE_CONNECTION_PACKET_TYPE, status(4, (c, p, op) => changePacketType(c, op, handleOf(p), u16le(p, 2)))],
  [OP.AUTHENTICATION_REQUESTED, status(2, (c, p, op, now) => c.connections.authenticate(op, handleOf(p), now))],
  [OP.SET_CONNECTION_ENCRYPTION, status(3, (c, p, op, now) => c.connections.setEncryption(op, handleOf(p), p[2], now))],
  [OP.REMOTE_NAME_REQUEST, status(10, (c, p, op, now) => c.remoteName.request(op, addrOf(p), now))],
  [OP.REMOTE_NAME_REQUEST_CANCEL, complete(6, (c, p, op) => c.remoteName.cancel(op, addrOf(p)))],
  [OP.READ_REMOTE_SUPPORTED_FEATURES, status(2, (c, p, op) => readRemoteFeatures(c, op, handleOf(p)))],
  [OP.READ_REMOTE_EXTENDED_FEATURES, status(3, (c, p, op) => readRemoteExtendedFeatures(c, op, handleOf(p), p[2]))],
  [OP.READ_REMOTE_VERSION_INFORMATION, status(2, (c, p, op) => readRemoteVersion(c, op, handleOf(p)))],
  [
    OP.IO_CAPABILITY_REQUEST_REPLY,
    complete(9, (c, p, op) => {
      if (p[6] > 3 || p[7] > 1 || p[8] > 5) return invalidReply(c, op, p);
      pairingReply(c, op, p, { kind: 'io-capability', io: p[6], oob: p[7], authReq: p[8] });
    }),
  ],
  [OP.USER_CONFIRMATION_REQUEST_REPLY, complete(6, (c, p, op) => pairingReply(c, op, p, { kind: 'confirmation', accept: true }))],
  [OP.USER_CONFIRMATION_REQUEST_NEGATIVE_REPLY, complete(6, (c, p, op) => pairingReply(c, op, p, { kind: 'confirmation', accept: false }))],
  [
    OP.USER_PASSKEY_REQUEST_REPLY,
    complete(10, (c, p, op) => {
      const passkey = u32le(p, 6);
      if (passkey > 999_999) return invalidReply(c, op, p);
      pairingReply(c, op, p, { kind: 'passkey', passkey });
    }),
  ],
  [OP.USER_PASSKEY_REQUEST_NEGATIVE_REPLY, complete(6, (c, p, op) => pairingReply(c, op, p, { kind: 'passkey', passkey: undefined }))],
  [OP.IO_CAPABILITY_REQUEST_NEGATIVE_REPLY, complete(7, (c, p, op) => pairingReply(c, op, p, { kind: 'io-capability-negative', reason: p[6] }))],
  // Link Policy
  [OP.ROLE_DISCOVERY, perConnection(2, (c, h) => [c.connections.get(h)!.initiator ? 0x00 : 0x01])],
  [OP.WRITE_LINK_POLICY_SETTINGS, perConnection(4, () => [])],
  [OP.READ_DEFAULT_LINK_POLICY_SETTINGS, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le16(c.settings.defaultLinkPolicy)))],
  [OP.WRITE_DEFAULT_LINK_POLICY_SETTINGS, write(2, any, (c, p) => (c.settings.defaultLinkPolicy = u16le(p, 0)))],
  // Controller & Baseband
  [OP.SET_EVENT_MASK, write(8, any, (c, p) => (c.settings.eventMask = p.slice()))],
  [
    OP.RESET,
    complete(0, (c, _p, op, now) => {
      c.reset(now);
      c.complete(op, HCI_STATUS.SUCCESS);
    }),
  ],
  [OP.SET_EVENT_FILTER, complete([1], (c, p, op) => setEventFilter(c, p, op))],
  [OP.WRITE_PIN_TYPE, write(1, atMost(1), () => undefined)],
  [OP.READ_STORED_LINK_KEY, complete(7, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le16(0), le16(0)))],
  [OP.DELETE_STORED_LINK_KEY, complete(7, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le16(0)))],
  [OP.WRITE_LOCAL_NAME, write(248, any, (c, p) => (c.settings.name = p.slice()))],
  [OP.READ_LOCAL_NAME, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.name))],
  [OP.READ_CONNECTION_ACCEPT_TIMEOUT, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le16(c.settings.acceptTimeoutSlots)))],
  [OP.WRITE_CONNECTION_ACCEPT_TIMEOUT, write(2, (p) => u16le(p, 0) >= 1 && u16le(p, 0) <= 0xb540, (c, p) => (c.settings.acceptTimeoutSlots = u16le(p, 0)))],
  [OP.READ_PAGE_TIMEOUT, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le16(c.settings.pageTimeoutSlots)))],
  [OP.WRITE_PAGE_TIMEOUT, write(2, (p) => u16le(p, 0) >= 1, (c, p) => (c.settings.pageTimeoutSlots = u16le(p, 0)))],
  [OP.READ_SCAN_ENABLE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.scanEnable))],
  [OP.WRITE_SCAN_ENABLE, write(1, atMost(3), (c, p) => (c.settings.scanEnable = p[0]))],
  [OP.READ_PAGE_SCAN_ACTIVITY, readBack(OP.WRITE_PAGE_SCAN_ACTIVITY, Uint8Array.of(0x00, 0x08, 0x12, 0x00))],
  [OP.WRITE_PAGE_SCAN_ACTIVITY, stored(4)],
  [OP.READ_INQUIRY_SCAN_ACTIVITY, readBack(OP.WRITE_INQUIRY_SCAN_ACTIVITY, Uint8Array.of(0x00, 0x10, 0x12, 0x00))],
  [OP.WRITE_INQUIRY_SCAN_ACTIVITY, stored(4)],
  [OP.READ_AUTHENTICATION_ENABLE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.authenticationEnable))],
  [OP.WRITE_AUTHENTICATION_ENABLE, write(1, atMost(1), (c, p) => (c.settings.authenticationEnable = p[0]))],
  [OP.READ_CLASS_OF_DEVICE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le24(c.settings.classOfDevice)))],
  [OP.WRITE_CLASS_OF_DEVICE, write(3, any, (c, p) => (c.settings.classOfDevice = p[0] | (p[1] << 8) | (p[2] << 16)))],
  [OP.READ_VOICE_SETTING, readBack(OP.WRITE_VOICE_SETTING, le16(0x0060))],
  [OP.WRITE_VOICE_SETTING, stored(2)],
  [OP.SET_CONTROLLER_TO_HOST_FLOW_CONTROL, write(1, atMost(3), () => undefined)],
  [OP.HOST_BUFFER_SIZE, write(7, (p) => u16le(p, 0) >= 1, (c, p) => (c.settings.hostAclLength = u16le(p, 0)))],
  [OP.HOST_NUMBER_OF_COMPLETED_PACKETS, { length: [1], reply: 'none', run: () => undefined }],
  [OP.WRITE_LINK_SUPERVISION_TIMEOUT, perConnection(4, () => [])],
  [OP.READ_NUMBER_OF_SUPPORTED_IAC, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, 1))],
  [OP.READ_CURRENT_IAC_LAP, readBack(OP.WRITE_CURRENT_IAC_LAP, Uint8Array.of(1, 0x33, 0x8b, 0x9e))],
  [OP.WRITE_CURRENT_IAC_LAP, stored([1])],
  [OP.READ_INQUIRY_SCAN_TYPE, readBack(OP.WRITE_INQUIRY_SCAN_TYPE, Uint8Array.of(0))],
  [OP.WRITE_INQUIRY_SCAN_TYPE, stored(1)],
  [OP.READ_INQUIRY_MODE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.inquiryMode))],
  [OP.WRITE_INQUIRY_MODE, write(1, atMost(INQUIRY_MODE.EXTENDED), (c, p) => (c.settings.inquiryMode = p[0]))],
  [OP.READ_PAGE_SCAN_TYPE, readBack(OP.WRITE_PAGE_SCAN_TYPE, Uint8Array.of(0))],
  [OP.WRITE_PAGE_SCAN_TYPE, stored(1)],
  [OP.READ_EXTENDED_INQUIRY_RESPONSE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, 0, c.settings.eir ?? new Uint8Array(240)))],
  [OP.WRITE_EXTENDED_INQUIRY_RESPONSE, write(241, atMost(1), (c, p) => (c.settings.eir = p.slice(1)))],
  [OP.READ_SIMPLE_PAIRING_MODE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.sspMode ? 1 : 0))],
  [OP.WRITE_SIMPLE_PAIRING_MODE, write(1, atMost(1), (c, p) => (c.settings.sspMode = p[0] === 1))],
  [OP.READ_INQUIRY_RESPONSE_TRANSMIT_POWER_LEVEL, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, 0))],
  [OP.WRITE_INQUIRY_TRANSMIT_POWER_LEVEL, stored(1)],
  [OP.WRITE_DEFAULT_ERRONEOUS_DATA_REPORTING, write(1, atMost(1), () => undefined)],
  [OP.SET_EVENT_MASK_PAGE_2, stored(8)],
  [OP.READ_LE_HOST_SUPPORT, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.leHost ? 1 : 0, 0))],
  [OP.WRITE_LE_HOST_SUPPORT, write(2, atMost(1), (c, p) => (c.settings.leHost = p[0] === 1))],
  [OP.READ_SECURE_CONNECTIONS_HOST_SUPPORT, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, c.settings.scHost ? 1 : 0))],
  [OP.WRITE_SECURE_CONNECTIONS_HOST_SUPPORT, write(1, atMost(1), (c, p) => (c.settings.scHost = p[0] === 1))],
  // Informational
  [
    OP.READ_LOCAL_VERSION_INFORMATION,
    complete(0, (c, _p, op) =>
      c.complete(op, HCI_STATUS.SUCCESS, VERSION.hciVersion, le16(VERSION.hciRevision), VERSION.lmpVersion, le16(VERSION.manufacturer), le16(VERSION.lmpSubversion)),
    ),
  ],
  [OP.READ_LOCAL_SUPPORTED_COMMANDS, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, supportedCommands()))],
  [OP.READ_LOCAL_SUPPORTED_FEATURES, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, FEATURES_PAGE_0))],
  [
    OP.READ_LOCAL_EXTENDED_FEATURES,
    complete(1, (c, p, op) => {
      const page = p[0];
      if (page > MAX_FEATURE_PAGE) return c.complete(op, HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, page, MAX_FEATURE_PAGE, new Uint8Array(8));
      c.complete(op, HCI_STATUS.SUCCESS, page, MAX_FEATURE_PAGE, featurePage(c.settings, page));
    }),
  ],
  [OP.READ_BUFFER_SIZE, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, le16(c.aclSize), 0, le16(c.aclCount), le16(0)))],
  [OP.READ_BD_ADDR, complete(0, (c, _p, op) => c.complete(op, HCI_STATUS.SUCCESS, addr(c.address)))],
  // Status
  [OP.READ_RSSI, perConnection(2, (c) => [c.rssi & 0xff])],
  [OP.READ_ENCRYPTION_KEY_SIZE, perConnection(2, (c) => [c.encryptionKeySize])],
]);

/** Filter_Type 0x00 clears filters; 0x02 Connection Setup, all devices, Auto_Accept_Flag 0x02/0x03 auto-accepts. */
function setEventFilter(c: VirtualController, p: Uint8Array, op: number): void {
  if (p[0] === 0x00) c.settings.autoAccept = false;
  else if (p[0] === 0x02 && p.length >= 3 && p[1] === 0x00) c.settings.autoAccept = p[2] >= 0x02;
  c.complete(op, HCI_STATUS.SUCCESS);
}

/** The parameter length a command takes (exact, or `[minimum]`), when it is implemented. */
export function parameterLength(opcode: number): number | readonly [number] | undefined {
  return COMMANDS.get(opcode)?.length;
}

/** The opcodes the controller implements. */
export function implementedOpcodes(): number[] {
  return [...COMMANDS.keys()];
}

export function handleCommand(c: VirtualController, opcode: number, params: Uint8Array, now: number): void {
  const spec = COMMANDS.get(opcode);
  if (!spec) {
    c.stats.unknownCommands++;
    return c.complete(opcode, HCI_STATUS.UNKNOWN_HCI_COMMAND);
  }
  const ok = typeof spec.length === 'number' ? params.length === spec.length : params.length >= spec.length[0];
  if (!ok) {
    if (spec.reply === 'status') return c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, opcode);
    return c.complete(opcode, HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS);
  }
  spec.run(c, params, opcode, now);
}
