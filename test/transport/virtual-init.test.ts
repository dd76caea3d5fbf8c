import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/index.js';
import { implementedOpcodes } from '../../src/transport/virtual/commands.js';
import { OP } from '../../src/transport/virtual/constants.js';
import { VirtualController } from '../../src/transport/virtual/controller.js';
import { listedOpcodes } from '../../src/transport/virtual/local-info.js';
import { VirtualLink } from '../../src/transport/virtual/link.js';
import { Clock, ScriptedHost, u16le } from './support/scripted-host.js';

function host(options: ConstructorParameters<typeof VirtualController>[1] = {}): ScriptedHost {
  return new ScriptedHost(new VirtualController(new VirtualLink(), { address: '00:AA:01:01:00:01', name: 'alpha', ...options }), new Clock());
}

function drainBytes(h: ScriptedHost): string {
  const parts: string[] = [];
  for (let p = h.c.pollTransmit(); p; p = h.c.pollTransmit()) parts.push(hex(p));
  return parts.join('|');
}

describe('virtual controller: initialisation commands', () => {
  it('answers HCI Reset 01 03 0c 00 with Command Complete 04 0e 04 01 03 0c 00', () => {
    const h = host();
    h.c.receive(fromHex('01 03 0c 00'), 0);
    expect(drainBytes(h)).toBe('040e0401030c00');
  });

  it('reads BD_ADDR least significant byte first', () => {
    const h = host();
    h.c.receive(fromHex('01 09 10 00'), 0);
    expect(drainBytes(h)).toBe('040e0a01091000010001 01aa00'.replace(/ /g, ''));
  });

  it('reads the local version (HCI 5.4)', () => {
    const r = host().command(OP.READ_LOCAL_VERSION_INFORMATION);
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(0x0d);
    expect(r[4]).toBe(0x0d);
    expect(r.length).toBe(9);
  });

  it('announces SSP, EDR 2/3 Mb/s and extended inquiry in the supported features', () => {
    const r = host().command(OP.READ_LOCAL_SUPPORTED_FEATURES);
    expect(r.length).toBe(9);
    const f = r.subarray(1);
    expect(f[6] & 0x08).toBe(0x08); // Secure Simple Pairing (Controller)
    expect(f[6] & 0x01).toBe(0x01); // Extended Inquiry Response
    expect(f[3] & 0x06).toBe(0x06); // EDR ACL 2 and 3 Mb/s
    expect(f[3] & 0x40).toBe(0x40); // RSSI with inquiry results
    expect(f[7] & 0x80).toBe(0x80); // extended features
  });

  it('reports the SSP host bit on extended feature page 1 once the host enabled it', () => {
    const h = host();
    expect(h.command(OP.READ_LOCAL_EXTENDED_FEATURES, 1)[3]).toBe(0);
    h.command(OP.WRITE_SIMPLE_PAIRING_MODE, 1);
    expect(hex(h.command(OP.READ_LOCAL_EXTENDED_FEATURES, 1).subarray(0, 4))).toBe('00010201');
    expect(h.command(OP.READ_LOCAL_EXTENDED_FEATURES, 3)[0]).toBe(0x12);
  });

  it('lists supported commands, and every listed command is implemented', () => {
    const r = host().command(OP.READ_LOCAL_SUPPORTED_COMMANDS);
    expect(r.length).toBe(65);
    const bits = r.subarray(1);
    expect(bits[5] & 0x80).toBe(0x80); // Reset
    expect(bits[15] & 0x02).toBe(0x02); // Read BD_ADDR
    expect(bits[0] & 0x11).toBe(0x11); // Inquiry, Create Connection
    const implemented = new Set(implementedOpcodes());
    for (const op of listedOpcodes()) expect(implemented.has(op), `0x${op.toString(16)}`).toBe(true);
    // Read Local Supported Commands has no bit of its own: it is how the table is read.
    expect(implementedOpcodes().filter((op) => !listedOpcodes().includes(op))).toEqual([OP.READ_LOCAL_SUPPORTED_COMMANDS]);
  });

  it.each([
    [27, 1],
    [1021, 8],
    [339, 16],
  ])('reads the configured buffer size %i × %i', (size, count) => {
    const r = host({ aclSize: size, aclCount: count }).command(OP.READ_BUFFER_SIZE);
    expect(r[0]).toBe(0);
    expect(u16le(r, 1)).toBe(size);
    expect(u16le(r, 4)).toBe(count);
  });

  it('refuses an ACL size outside 27..1021', () => {
    expect(() => host({ aclSize: 26 })).toThrow(/27\.\.1021/);
    expect(() => host({ aclSize: 1022 })).toThrow(/27\.\.1021/);
  });

  it('writes and reads the local name, class of device, scan enable, page timeout and modes', () => {
    const h = host();
    const name = new Uint8Array(248);
    name.set(new TextEncoder().encode('my device'));
    expect(h.command(OP.WRITE_LOCAL_NAME, name)[0]).toBe(0);
    expect(new TextDecoder().decode(h.command(OP.READ_LOCAL_NAME).subarray(1, 10))).toBe('my device');
    expect(h.c.localName).toBe('my device');
    expect(h.command(OP.WRITE_CLASS_OF_DEVICE, fromHex('0c 02 5a'))[0]).toBe(0);
    expect(hex(h.command(OP.READ_CLASS_OF_DEVICE))).toBe('000c025a');
    expect(h.command(OP.WRITE_SCAN_ENABLE, 2)[0]).toBe(0);
    expect(hex(h.command(OP.READ_SCAN_ENABLE))).toBe('0002');
    expect(h.command(OP.WRITE_SCAN_ENABLE, 4)[0]).toBe(0x12);
    expect(h.command(OP.WRITE_PAGE_TIMEOUT, fromHex('00 20'))[0]).toBe(0);
    expect(hex(h.command(OP.READ_PAGE_TIMEOUT))).toBe('000020');
    expect(h.command(OP.WRITE_DEFAULT_LINK_POLICY_SETTINGS, fromHex('0f 00'))[0]).toBe(0);
    expect(hex(h.command(OP.READ_DEFAULT_LINK_POLICY_SETTINGS))).toBe('000f00');
    expect(h.command(OP.WRITE_INQUIRY_MODE, 2)[0]).toBe(0);
    expect(hex(h.command(OP.READ_INQUIRY_MODE))).toBe('0002');
    expect(h.command(OP.WRITE_INQUIRY_MODE, 3)[0]).toBe(0x12);
    expect(h.command(OP.WRITE_AUTHENTICATION_ENABLE, 0)[0]).toBe(0);
    expect(h.command(OP.WRITE_EXTENDED_INQUIRY_RESPONSE, 0, new Uint8Array(240))[0]).toBe(0);
    expect(h.command(OP.HOST_BUFFER_SIZE, fromHex('fb 03 00 08 00 00 00'))[0]).toBe(0);
    expect(h.c.settings.hostAclLength).toBe(1019);
    expect(h.command(OP.SET_EVENT_MASK, fromHex('ff ff fb ff 07 f8 bf 3d'))[0]).toBe(0);
  });

  it('reads back stored scan parameters, IAC LAPs and voice setting, with defaults after Reset', () => {
    const h = host();
    expect(hex(h.command(OP.READ_PAGE_SCAN_ACTIVITY))).toBe('0000081200');
    expect(h.command(OP.WRITE_PAGE_SCAN_ACTIVITY, fromHex('00 04 24 00'))[0]).toBe(0);
    expect(hex(h.command(OP.READ_PAGE_SCAN_ACTIVITY))).toBe('0000042400');
    expect(hex(h.command(OP.READ_CURRENT_IAC_LAP))).toBe('0001338b9e');
    expect(hex(h.command(OP.READ_NUMBER_OF_SUPPORTED_IAC))).toBe('0001');
    expect(hex(h.command(OP.READ_CONNECTION_ACCEPT_TIMEOUT))).toBe('00401f');
    h.command(OP.WRITE_PAGE_SCAN_TYPE, 1);
    expect(hex(h.command(OP.READ_PAGE_SCAN_TYPE))).toBe('0001');
    h.command(OP.RESET);
    expect(hex(h.command(OP.READ_PAGE_SCAN_ACTIVITY))).toBe('0000081200');
    expect(hex(h.command(OP.READ_PAGE_SCAN_TYPE))).toBe('0000');
  });

  it('Reset restores the defaults', () => {
    const h = host();
    h.command(OP.WRITE_SCAN_ENABLE, 3);
    h.command(OP.WRITE_SIMPLE_PAIRING_MODE, 1);
    h.command(OP.RESET);
    expect(hex(h.command(OP.READ_SCAN_ENABLE))).toBe('0000');
    expect(hex(h.command(OP.READ_SIMPLE_PAIRING_MODE))).toBe('0000');
    expect(h.c.localName).toBe('alpha');
  });

  it('L-unknown: an unknown opcode gets Command Complete with Unknown HCI Command (0x01)', () => {
    const h = host();
    h.c.receive(fromHex('01 ff fc 00'), 0);
    expect(drainBytes(h)).toBe('040e0401fffc01');
    expect(h.c.stats.unknownCommands).toBe(1);
  });

  it('a wrong parameter length gets Invalid HCI Command Parameters in the command’s kind of answer', () => {
    const h = host();
    h.c.receive(fromHex('01 1a 0c 00'), 0); // Write Scan Enable without its parameter
    h.c.receive(fromHex('01 05 04 00'), 0); // Create Connection without parameters
    expect(drainBytes(h)).toBe('040e04011a0c12|040f0412010504');
  });

  it('Host Number Of Completed Packets answers nothing', () => {
    const h = host();
    h.send(OP.HOST_NUMBER_OF_COMPLETED_PACKETS, 1, 1, 0, 1, 0);
    expect(h.drain()).toEqual([]);
  });

  it('skips bytes that are not a packet indicator and stays in sync', () => {
    const h = host();
    h.c.receive(fromHex('ff 00 01 03 0c 00'), 0);
    expect(drainBytes(h)).toBe('040e0401030c00');
    expect(h.c.stats.skippedBytes).toBe(2);
  });

  it('answers the same whatever the chunking of the host byte stream', () => {
    const stream = fromHex('01 03 0c 00 01 09 10 00 01 05 10 00 01 1a 0c 01 03 01 14 0c 00 01 ff fc 00');
    const reference = host();
    reference.c.receive(stream, 0);
    const expected = drainBytes(reference);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 10 }), (cuts) => {
        const h = host();
        let prev = 0;
        for (const cut of [...cuts].sort((x, y) => x - y).concat(stream.length)) {
          h.c.receive(stream.subarray(prev, cut), 0);
          prev = cut;
        }
        expect(drainBytes(h)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('masks events the host did not enable, never Command Complete', () => {
    const h = host();
    h.command(OP.SET_EVENT_MASK, new Uint8Array(8));
    h.send(OP.INQUIRY, fromHex('33 8b 9e'), 1, 0);
    h.c.handleTimeout(100_000);
    const evs = h.events();
    expect(evs.map((e) => e.code)).toEqual([0x0f]);
    expect(h.c.stats.maskedEvents).toBe(1);
  });
});
