/**
 * Every codec of every layer against the one codec contract (src/core/codec.ts): round trip,
 * totality, every strict prefix rejected, a poisoned output buffer left alone outside the written
 * range, length equal to the octets written. One `checkCodecContract` per codec, with the
 * arbitraries each layer's own tests use.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  type AclPacket,
  aclCodec,
  COMMAND_LIST,
  commandCodec,
  type EirStructure,
  eirCodec,
  EVENT_LIST,
  eventCodec,
  type HciCommand,
  type HciEvent,
  type HciPacket,
  hciPacketCodec,
  type IsoPacket,
  isoCodec,
  type ScoPacket,
  scoCodec,
} from '../../src/hci/index.js';
import { type BasicFrame, basicFrameCodec, configOptionCodec, signalCodec } from '../../src/l2cap/index.js';
import { mccCodec, type RfcommFrame, rfcommFrameCodec, rfcommFrameWithoutCreditsCodec } from '../../src/rfcomm/index.js';
import { dataElementCodec, sdpPduCodec } from '../../src/sdp/index.js';
import { commandArb, commandCompleteArb, eventArb } from '../hci/arbitraries.js';
import { configOptionArb, signalArb } from '../l2cap/support/arbitraries.js';
import { arbFrame, arbMcc, boundaryLength, bytesOf } from '../rfcomm/support/arbitraries.js';
import { dataElementArb, sdpPduArb } from '../sdp/support/arbitraries.js';
import { checkCodecContract } from './support/codec-contract.js';

const handle = fc.integer({ min: 0, max: 0x0fff });
const nibble = fc.integer({ min: 0, max: 3 });

const aclArb: fc.Arbitrary<AclPacket> = fc.record({ handle, pb: nibble, bc: nibble, data: bytesOf(boundaryLength(1021)) });
const scoArb: fc.Arbitrary<ScoPacket> = fc.record({ handle, flags: fc.integer({ min: 0, max: 15 }), data: fc.uint8Array({ maxLength: 255 }) });
const isoArb: fc.Arbitrary<IsoPacket> = fc.record({ handle, flags: fc.integer({ min: 0, max: 15 }), lengthRfu: nibble, data: fc.uint8Array({ maxLength: 300 }) });
const anyCommandArb: fc.Arbitrary<HciCommand> = fc.oneof(
  ...COMMAND_LIST.map(commandArb),
  fc.record({ name: fc.constant('Unknown Command' as const), opcode: fc.integer({ min: 0xfc00, max: 0xffff }), params: fc.uint8Array({ maxLength: 255 }) }),
);
const anyEventArb: fc.Arbitrary<HciEvent> = fc.oneof(
  ...EVENT_LIST.map(eventArb),
  ...COMMAND_LIST.map(commandCompleteArb),
  fc.record({ name: fc.constant('Unknown Event' as const), code: fc.constantFrom(0x3d, 0x3e, 0xff), params: fc.uint8Array({ maxLength: 255 }) }),
);
const packetArb: fc.Arbitrary<HciPacket> = fc.oneof(
  anyCommandArb.map((command): HciPacket => ({ type: 'command', command })),
  anyEventArb.map((event): HciPacket => ({ type: 'event', event })),
  aclArb.map((acl): HciPacket => ({ type: 'acl', acl })),
  scoArb.map((sco): HciPacket => ({ type: 'sco', sco })),
  isoArb.map((iso): HciPacket => ({ type: 'iso', iso })),
  fc.record({ type: fc.constant('vendor' as const), indicator: fc.integer({ min: 0x06, max: 0xff }), data: fc.uint8Array({ maxLength: 64 }) }),
);
const eirArb: fc.Arbitrary<EirStructure[]> = fc
  .array(fc.record({ type: fc.integer({ min: 0, max: 0xff }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 8 })
  .filter((list) => list.reduce((n, s) => n + 2 + s.data.length, 0) <= 240);

const basicFrameArb: fc.Arbitrary<BasicFrame> = fc.record({ cid: fc.integer({ min: 0, max: 0xffff }), payload: bytesOf(boundaryLength(1019)) });
const frameWithoutCreditsArb: fc.Arbitrary<RfcommFrame> = arbFrame.map((f) => (f.credits === undefined ? f : { ...f, credits: undefined }));

describe('the codec contract holds for every codec', () => {
  it('HCI command packet', () => checkCodecContract(commandCodec, anyCommandArb));
  it('HCI event packet', () => checkCodecContract(eventCodec, anyEventArb));
  it('HCI ACL data packet', () => checkCodecContract(aclCodec, aclArb));
  it('HCI synchronous data packet', () => checkCodecContract(scoCodec, scoArb));
  it('HCI ISO data packet', () => checkCodecContract(isoCodec, isoArb));
  it('H4 packet (a vendor packet has no length: its prefixes are vendor packets too)', () =>
    checkCodecContract(hciPacketCodec, packetArb, { prefixMayDecode: (p) => (p as HciPacket).type === 'vendor' }));
  it('extended inquiry response', () => checkCodecContract(eirCodec, eirArb));
  it('L2CAP basic frame', () => checkCodecContract(basicFrameCodec, basicFrameArb));
  it('L2CAP signaling command', () => checkCodecContract(signalCodec, signalArb));
  it('L2CAP configuration option', () => checkCodecContract(configOptionCodec, configOptionArb));
  it('RFCOMM frame (credit-based flow control)', () => checkCodecContract(rfcommFrameCodec, arbFrame, { numRuns: 60 }));
  it('RFCOMM frame (no credit-based flow control)', () => checkCodecContract(rfcommFrameWithoutCreditsCodec, frameWithoutCreditsArb, { numRuns: 60 }));
  it('RFCOMM multiplexer control command', () => checkCodecContract(mccCodec, arbMcc, { numRuns: 60 }));
  it('SDP data element', () => checkCodecContract(dataElementCodec, dataElementArb));
  it('SDP PDU', () => checkCodecContract(sdpPduCodec, sdpPduArb));
});
