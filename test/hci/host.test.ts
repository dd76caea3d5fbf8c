/** HciHost scripted against a lower tester with a manual clock. */
import { describe, expect, it } from 'vitest';
import { BluetoothError, concat, fromHex, HciStatusError, TimeoutError, utf8 } from '../../src/core/index.js';
import { buildEir, EIR_TYPE, HciHost, type HciEvent } from '../../src/hci/index.js';
import { aclBytes, CONTROLLER_ADDRESS, h4Event, ScriptedController } from './scripted-controller.js';

const PEER = '00:11:22:33:44:55';

function connected(host = new HciHost(), handle = 0x0b): ScriptedController {
  const c = ScriptedController.ready(host);
  c.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0x5a020c, linkType: 1 });
  c.pump();
  c.sendEvent({ name: 'Connection Complete', status: 0, handle, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
  c.clear();
  return c;
}

describe('HciHost init', () => {
  it('runs the init sequence in order, one command at a time, then raises ready', () => {
    const host = new HciHost({ hostAclMtu: 1019, tracePackets: true });
    expect(host.supportedCommands).toBeUndefined();
    host.start(0);
    const first = host.pollTransmit();
    expect(first).toEqual(fromHex('01 03 0c 00'));
    expect(host.pollTransmit()).toBeUndefined();
    const c = new ScriptedController(host);
    c.commands.push({ name: 'Reset' });
    c.sendEvent({ name: 'Command Complete', numHciCommandPackets: 1, opcode: 0x0c03, returnParams: Uint8Array.of(0) });
    c.pump();
    expect(c.commands.map((x) => x.name)).toEqual([
      'Reset',
      'Read Local Version Information',
      'Read Local Supported Features',
      'Read Local Supported Commands',
      'Read BD_ADDR',
      'Read Buffer Size',
      'Host Buffer Size',
      'Set Event Mask',
      'Write Simple Pairing Mode',
      'Write Inquiry Mode',
      'Write Class of Device',
      'Write Local Name',
      'Write Scan Enable',
      'Write Default Link Policy Settings',
    ]);
    expect(c.commands[6]).toMatchObject({ hostAclDataPacketLength: 1019 });
    expect(c.commands[12]).toMatchObject({ scanEnable: 3 });
    expect(c.commands[13]).toMatchObject({ defaultLinkPolicySettings: 0x0005 });
    expect(c.of('ready')).toEqual([{ type: 'ready', address: CONTROLLER_ADDRESS }]);
    expect(host.address).toBe(CONTROLLER_ADDRESS);
    expect(host.aclMtu).toBe(27);
    expect(host.aclCount).toBe(4);
    expect(host.supportedCommands).toEqual(new Uint8Array(64).fill(0xff));
    expect(c.of('packet').filter((p) => p.direction === 'tx')).toHaveLength(14);
    expect(c.of('packet').filter((p) => p.direction === 'rx')).toHaveLength(14);
  });

  it('sends no Host Buffer Size without hostAclMtu', () => {
    const c = ScriptedController.ready(new HciHost());
    expect(c.commands.map((x) => x.name)).not.toContain('Host Buffer Size');
  });

  it('a failing init command raises an HciStatusError and init goes on', () => {
    const host = new HciHost();
    const c = new ScriptedController(host);
    c.silent.add('Write Inquiry Mode');
    host.start(0);
    c.pump();
    c.sendEvent({ name: 'Command Complete', numHciCommandPackets: 1, opcode: 0x0c45, returnParams: Uint8Array.of(0x01) });
    c.pump();
    const err = c.of('error')[0].error;
    expect(err).toBeInstanceOf(HciStatusError);
    expect(err).toMatchObject({ status: 0x01, statusName: 'Unknown HCI Command', operation: 'HCI init command Write Inquiry Mode' });
    expect(c.of('ready')).toHaveLength(1);
  });
});

describe('HciHost command flow', () => {
  it('command timeout raises a TimeoutError and the queue moves on', () => {
    const host = new HciHost({ commandTimeoutMs: 1000 });
    const c = ScriptedController.ready(host);
    c.clear();
    c.silent.add('Write Page Timeout');
    c.now = 50;
    const t1 = host.sendCommand({ name: 'Write Page Timeout', pageTimeout: 0x2000 }, 50);
    const t2 = host.sendCommand({ name: 'Write Authentication Enable', authenticationEnable: 0 }, 50);
    c.pump();
    expect(c.commands.map((x) => x.name)).toEqual(['Write Page Timeout']);
    expect(host.pollTimeout()).toBe(1050);
    host.handleTimeout(1049);
    c.drainEvents();
    expect(c.of('error')).toHaveLength(0);
    c.now = 1050;
    host.handleTimeout(1050);
    c.pump();
    const err = c.of('error')[0].error;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ timer: 'HCI command Write Page Timeout' });
    expect(c.commands.map((x) => x.name)).toEqual(['Write Page Timeout', 'Write Authentication Enable']);
    // The timed-out command's token completes too: Unspecified Error (0x1f), no event from the controller.
    expect(c.of('command-complete').map((e) => [e.token, e.status, e.event?.name])).toEqual([
      [t1, 0x1f, undefined],
      [t2, 0, 'Command Complete'],
    ]);
    expect(host.pollTimeout()).toBeUndefined();
  });

  it('respects Num_HCI_Command_Packets: two commands go out when the controller allows two', () => {
    const host = new HciHost();
    const c = ScriptedController.ready(host);
    c.clear();
    c.silent.add('Write Page Timeout');
    host.sendCommand({ name: 'Write Page Timeout', pageTimeout: 1 }, 0);
    host.sendCommand({ name: 'Write Page Timeout', pageTimeout: 2 }, 0);
    host.sendCommand({ name: 'Write Page Timeout', pageTimeout: 3 }, 0);
    c.pump();
    expect(c.commands).toHaveLength(1);
    c.sendEvent({ name: 'Command Complete', numHciCommandPackets: 2, opcode: 0x0c18, returnParams: Uint8Array.of(0) });
    c.pump();
    expect(c.commands).toHaveLength(3);
  });

  it('reports the user command completion with its token and status', () => {
    const host = new HciHost();
    const c = ScriptedController.ready(host);
    c.clear();
    const token = host.sendCommand({ name: 'Read Local Name' }, 0);
    c.pump();
    const done = c.of('command-complete')[0];
    expect(done).toMatchObject({ token, opcode: 0x0c14, status: 0 });
    expect(done.event?.name === 'Command Complete' && done.event.returns).toEqual({ status: 0, localName: 'scripted' });
  });
});

describe('HciHost connections', () => {
  it('outgoing: Create Connection → Command Status → Connection Complete (initiator)', () => {
    const host = new HciHost();
    const c = ScriptedController.ready(host);
    c.clear();
    host.createConnection(PEER.toLowerCase(), 0);
    c.pump();
    expect(c.commands[0]).toMatchObject({ name: 'Create Connection', bdaddr: PEER, packetType: 0xcc18, allowRoleSwitch: 1 });
    c.sendEvent({ name: 'Connection Complete', status: 0, handle: 0x0c, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
    expect(c.of('connection-complete')).toEqual([{ type: 'connection-complete', status: 0, handle: 0x0c, address: PEER, initiator: true }]);
    expect(host.connections().get(0x0c)).toEqual({ address: PEER, initiator: true });
  });

  it('outgoing failure in Command Status reports connection-complete with that status', () => {
    const host = new HciHost();
    const c = ScriptedController.ready(host);
    c.clear();
    c.silent.add('Create Connection');
    host.createConnection(PEER, 0);
    c.pump();
    c.sendEvent({ name: 'Command Status', status: 0x0b, numHciCommandPackets: 1, opcode: 0x0405 });
    expect(c.of('connection-complete')).toEqual([{ type: 'connection-complete', status: 0x0b, handle: 0, address: PEER, initiator: true }]);
  });

  it('page timeout arrives as Connection Complete with status 0x04', () => {
    const c = ScriptedController.ready(new HciHost());
    c.host.createConnection(PEER, 0);
    c.pump();
    c.clear();
    c.sendEvent({ name: 'Connection Complete', status: 0x04, handle: 0, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
    expect(c.of('connection-complete')[0]).toMatchObject({ status: 4, initiator: true });
    expect(c.host.connections().size).toBe(0);
  });

  it('incoming: auto-accepted as peripheral', () => {
    const host = new HciHost();
    const c = ScriptedController.ready(host);
    c.clear();
    c.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0x5a020c, linkType: 1 });
    c.pump();
    expect(c.commands).toEqual([{ name: 'Accept Connection Request', bdaddr: PEER, role: 1 }]);
    c.sendEvent({ name: 'Connection Complete', status: 0, handle: 0x0b, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
    expect(c.of('connection-complete')[0]).toMatchObject({ handle: 0x0b, initiator: false });
    expect(c.of('connection-request')).toEqual([]);
  });

  it('incoming with acceptPolicy manual asks the application; reject policy rejects', () => {
    const manual = ScriptedController.ready(new HciHost({ acceptPolicy: 'manual' }));
    manual.clear();
    manual.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0x240404, linkType: 1 });
    manual.pump();
    expect(manual.commands).toEqual([]);
    expect(manual.of('connection-request')).toEqual([{ type: 'connection-request', address: PEER, classOfDevice: 0x240404 }]);
    manual.host.acceptConnection(PEER, 0);
    manual.pump();
    expect(manual.commands[0].name).toBe('Accept Connection Request');

    const reject = ScriptedController.ready(new HciHost({ acceptPolicy: 'reject' }));
    reject.clear();
    reject.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0, linkType: 1 });
    reject.pump();
    expect(reject.commands).toEqual([{ name: 'Reject Connection Request', bdaddr: PEER, reason: 0x0d }]);
  });

  it('SCO connection requests are rejected', () => {
    const c = ScriptedController.ready(new HciHost());
    c.clear();
    c.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0, linkType: 0 });
    c.pump();
    expect(c.commands[0].name).toBe('Reject Connection Request');
  });

  it('disconnect and link loss (reason 0x08) raise disconnected and drop the link', () => {
    const c = connected();
    c.host.disconnect(0x0b, 0x13, 0);
    c.pump();
    expect(c.commands).toEqual([{ name: 'Disconnect', handle: 0x0b, reason: 0x13 }]);
    c.sendEvent({ name: 'Disconnection Complete', status: 0, handle: 0x0b, reason: 0x16 });
    expect(c.of('disconnected')).toEqual([{ type: 'disconnected', handle: 0x0b, reason: 0x16 }]);
    expect(() => c.host.disconnect(0x0b, 0x13, 0)).toThrow(/no ACL link/);

    const lost = connected();
    lost.sendEvent({ name: 'Disconnection Complete', status: 0, handle: 0x0b, reason: 0x08 });
    expect(lost.of('disconnected')).toEqual([{ type: 'disconnected', handle: 0x0b, reason: 0x08 }]);
    expect(lost.host.sendL2cap(0x0b, new Uint8Array(4))).toBe(false);
  });
});

describe('HciHost ACL', () => {
  it('reassembles incoming fragments into an l2cap-pdu', () => {
    const c = connected();
    c.send(concat(aclBytes(0x0b, 2, fromHex('06 00 40 00 01 02')), aclBytes(0x0b, 1, fromHex('03 04 05 06'))));
    expect(c.of('l2cap-pdu')).toEqual([{ type: 'l2cap-pdu', handle: 0x0b, pdu: fromHex('06 00 40 00 01 02 03 04 05 06') }]);
  });

  it('H4 ACL for an unknown handle is dropped and counted', () => {
    const c = connected();
    c.send(fromHex('02 99 20 08 00 04 00 40 00 de ad be ef'));
    expect(c.of('l2cap-pdu')).toEqual([]);
    expect(c.host.stats.aclUnknownHandle).toBe(1);
  });

  it('H1 orphan continuation is dropped; the link keeps working', () => {
    const c = connected();
    c.send(fromHex('02 0b 10 04 00 de ad be ef'));
    c.send(aclBytes(0x0b, 2, fromHex('01 00 40 00 aa')));
    expect(c.of('l2cap-pdu')).toEqual([{ type: 'l2cap-pdu', handle: 0x0b, pdu: fromHex('01 00 40 00 aa') }]);
  });

  it('outgoing PDUs are fragmented to the controller ACL size and sent only with free buffers', () => {
    const c = connected();
    const pdu = concat(fromHex('78 00 40 00'), new Uint8Array(120).fill(7));
    expect(c.host.sendL2cap(0x0b, pdu)).toBe(true);
    const sent = c.pump();
    expect(sent).toHaveLength(4);
    expect(sent.every((p) => p.length <= 1 + 4 + 27)).toBe(true);
    c.sendEvent({ name: 'Number Of Completed Packets', handles: [{ handle: 0x0b, numCompletedPackets: 2 }] });
    const more = c.pump();
    expect(more).toHaveLength(1);
    expect(concat(...[...sent, ...more].map((p) => p.subarray(5)))).toEqual(pdu);
  });

  it('H5 an unknown event and a malformed known event are ignored; the host stays in sync', () => {
    const c = connected();
    c.send(fromHex('04 ff 02 aa bb'));
    c.send(fromHex('04 03 02 00 0b'));
    c.send(aclBytes(0x0b, 2, fromHex('00 00 40 00')));
    expect(c.of('l2cap-pdu')).toHaveLength(1);
    expect(c.host.stats.ignoredEvents).toBe(2);
    expect(c.of('error')).toEqual([]);
  });

  it('vendorPackets: a 0x07 vendor packet (63 octets) is reported as a packet and the next packet is processed; without the option it is one framing error', () => {
    const vendor = concat(Uint8Array.of(0x07), new Uint8Array(63).fill(0xa5));
    const next = aclBytes(0x0b, 2, fromHex('01 00 40 00 aa'));
    const on = connected(new HciHost({ vendorPackets: true, tracePackets: true }));
    on.send(concat(vendor, next));
    expect(on.of('packet')).toEqual([
      { type: 'packet', direction: 'rx', bytes: vendor },
      { type: 'packet', direction: 'rx', bytes: next },
    ]);
    expect(on.of('l2cap-pdu')).toEqual([{ type: 'l2cap-pdu', handle: 0x0b, pdu: fromHex('01 00 40 00 aa') }]);
    expect(on.of('error')).toEqual([]);

    const off = connected(new HciHost({ tracePackets: true }));
    off.send(concat(vendor, next));
    expect(off.of('error')).toHaveLength(1);
    expect(off.of('error')[0].error.message).toMatch(/unknown packet indicator 0x07 .*vendorPackets/);
    expect(off.of('packet')).toEqual([]);
    expect(off.of('l2cap-pdu')).toEqual([]);
  });

  it('a framing error raises one error event', () => {
    const c = connected();
    c.send(fromHex('09 00 00'));
    expect(c.of('error')).toHaveLength(1);
    expect(c.of('error')[0].error).toBeInstanceOf(BluetoothError);
  });
});

describe('HciHost inquiry and names', () => {
  it('reports results of all three kinds, with EIR names, then inquiry-complete', () => {
    const c = ScriptedController.ready(new HciHost());
    c.clear();
    c.host.startInquiry({ durationUnits: 4 }, 0);
    c.pump();
    expect(c.commands[0]).toEqual({ name: 'Inquiry', lap: 0x9e8b33, inquiryLength: 4, numResponses: 0 });
    c.sendEvent({ name: 'Inquiry Result', responses: [{ bdaddr: '00:00:00:00:00:01', pageScanRepetitionMode: 1, reserved: new Uint8Array(2), classOfDevice: 0x1f00, clockOffset: 0x1234 }] });
    c.sendEvent({ name: 'Inquiry Result with RSSI', responses: [{ bdaddr: '00:00:00:00:00:02', pageScanRepetitionMode: 1, reserved: 0, classOfDevice: 0x0104, clockOffset: 0, rssi: -70 }] });
    const eir = buildEir([{ type: EIR_TYPE.FLAGS, data: Uint8Array.of(6) }, { type: EIR_TYPE.COMPLETE_LOCAL_NAME, data: utf8('OBDII') }]);
    c.sendEvent({ name: 'Extended Inquiry Result', numResponses: 1, bdaddr: '00:00:00:00:00:03', pageScanRepetitionMode: 1, reserved: 0, classOfDevice: 0x1f00, clockOffset: 0, rssi: -40, extendedInquiryResponse: eir });
    c.sendEvent({ name: 'Inquiry Complete', status: 0 });
    expect(c.of('inquiry-result')).toEqual([
      { type: 'inquiry-result', address: '00:00:00:00:00:01', classOfDevice: 0x1f00 },
      { type: 'inquiry-result', address: '00:00:00:00:00:02', classOfDevice: 0x0104, rssi: -70 },
      { type: 'inquiry-result', address: '00:00:00:00:00:03', classOfDevice: 0x1f00, rssi: -40, name: 'OBDII' },
    ]);
    expect(c.of('inquiry-complete')).toEqual([{ type: 'inquiry-complete', status: 0 }]);
    c.clear();
    c.host.createConnection('00:00:00:00:00:01', 0);
    c.pump();
    expect(c.commands[0]).toMatchObject({ pageScanRepetitionMode: 1, clockOffset: 0x9234 });
  });

  it('cancelling an inquiry reports inquiry-complete', () => {
    const c = ScriptedController.ready(new HciHost());
    c.host.startInquiry({}, 0);
    c.host.cancelInquiry(0);
    c.pump();
    expect(c.of('inquiry-complete')).toEqual([{ type: 'inquiry-complete', status: 0 }]);
  });

  it('remote name request → remote-name; a failed request reports its status', () => {
    const c = ScriptedController.ready(new HciHost());
    c.clear();
    c.host.remoteNameRequest(PEER, 0);
    c.pump();
    expect(c.commands[0]).toMatchObject({ name: 'Remote Name Request', bdaddr: PEER });
    c.sendEvent({ name: 'Remote Name Request Complete', status: 0, bdaddr: PEER, remoteName: 'Dongle' });
    c.sendEvent({ name: 'Remote Name Request Complete', status: 0x04, bdaddr: PEER, remoteName: '' });
    expect(c.of('remote-name')).toEqual([
      { type: 'remote-name', address: PEER, status: 0, name: 'Dongle' },
      { type: 'remote-name', address: PEER, status: 4, name: '' },
    ]);
    const raw = new Uint8Array(248);
    raw.set(utf8('ok'));
    raw[3] = 0xff;
    c.send(concat(fromHex('04 07 ff 00 55 44 33 22 11 00'), raw));
    expect(c.of('remote-name')[2]).toMatchObject({ address: PEER, name: 'ok' });
  });
});

describe('HciHost security helpers and events', () => {
  it('passes pairing events up and sends the replies', () => {
    const c = connected();
    const events: HciEvent[] = [
      { name: 'IO Capability Request', bdaddr: PEER },
      { name: 'User Confirmation Request', bdaddr: PEER, numericValue: 123456 },
      { name: 'Link Key Notification', bdaddr: PEER, linkKey: new Uint8Array(16).fill(1), keyType: 4 },
      { name: 'Simple Pairing Complete', status: 0, bdaddr: PEER },
    ];
    for (const e of events) c.sendEvent(e);
    expect(c.of('security').map((e) => e.event)).toEqual(events);
    c.host.ioCapabilityReply(PEER, { ioCapability: 3, authenticationRequirements: 0x04 }, 0);
    c.host.userConfirmationReply(PEER, true, 0);
    c.host.replyLinkKey(PEER, new Uint8Array(16), 0);
    c.host.negativeLinkKey(PEER, 0);
    c.host.pinCodeReply(PEER, '0000', 0);
    c.host.userPasskeyReply(PEER, 999999, 0);
    c.host.authenticationRequested(0x0b, 0);
    c.host.setConnectionEncryption(0x0b, true, 0);
    c.pump();
    expect(c.commands.map((x) => x.name)).toEqual([
      'IO Capability Request Reply',
      'User Confirmation Request Reply',
      'Link Key Request Reply',
      'Link Key Request Negative Reply',
      'PIN Code Request Reply',
      'User Passkey Request Reply',
      'Authentication Requested',
      'Set Connection Encryption',
    ]);
    expect(c.commands[4]).toMatchObject({ pinCodeLength: 4 });
    expect(() => c.host.userPasskeyReply(PEER, 1_000_000, 0)).toThrow(/passkey/);
  });

  it('hardware error raises an error event', () => {
    const c = ScriptedController.ready(new HciHost());
    c.clear();
    c.send(h4Event({ name: 'Hardware Error', hardwareCode: 0x12 }));
    expect(c.of('error')[0].error).toMatchObject({ code: 'BT_CONTROLLER', event: 'Hardware Error', value: 0x12 });
  });
});
