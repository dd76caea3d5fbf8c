import { describe, expect, it } from 'vitest';
import { ArgumentError, TransportError } from '../../src/core/index.js';
import { openTransport, parseTransportSpec } from '../../src/transport/open.js';
import { defaultVirtualLink } from '../../src/transport/virtual/pair.js';

describe('openTransport spec parsing', () => {
  it.each([
    ['virtual', { kind: 'virtual' }],
    ['h4:unix:/tmp/bt-server-bredr', { kind: 'unix', path: '/tmp/bt-server-bredr' }],
    ['h4:tcp:localhost:6402', { kind: 'tcp', host: 'localhost', port: 6402 }],
    ['h4:tcp:[::1]:6402', { kind: 'tcp', host: '::1', port: 6402 }],
    ['hci0', { kind: 'user-channel', index: 0 }],
    ['hci:3', { kind: 'user-channel', index: 3 }],
    ['serial:/dev/ttyUSB0', { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 115200, rtscts: false }],
    ['serial:/dev/ttyACM1,921600,rtscts', { kind: 'serial', path: '/dev/ttyACM1', baudRate: 921600, rtscts: true }],
    ['usb', { kind: 'usb', device: { kind: 'index', index: 0 } }],
    ['usb:2', { kind: 'usb', device: { kind: 'index', index: 2 } }],
    ['usb:0a12:0001', { kind: 'usb', device: { kind: 'ids', vid: 0x0a12, pid: 0x0001 } }],
    ['usb:0x8087:0x0A2B', { kind: 'usb', device: { kind: 'ids', vid: 0x8087, pid: 0x0a2b } }],
  ])('%s', (spec, expected) => {
    expect(parseTransportSpec(spec)).toEqual(expected);
  });

  it.each(['bluetooth', 'h4:udp:x:1', 'h4:tcp:host', 'h4:tcp:host:0', 'hcix', 'serial:/dev/ttyUSB0,fast', ''])(
    'rejects %j with an ArgumentError listing the forms',
    (spec) => {
      expect(() => parseTransportSpec(spec)).toThrow(ArgumentError);
      expect(() => parseTransportSpec(spec)).toThrow(/virtual, h4:unix:\/tmp\/bt-server-bredr, h4:tcp:HOST:PORT.*hci0 or hci:N, serial:.*usb, usb:N or usb:VID:PID$/);
    },
  );

  it('openTransport rejects an unknown spec with ArgumentError', async () => {
    await expect(openTransport('bluetooth:0')).rejects.toBeInstanceOf(ArgumentError);
  });

  it.each(['usb:', 'usb:x', 'usb:12345:1', 'usb:0a12', 'usbhid'])('rejects the malformed USB spec %j, saying the USB forms', (spec) => {
    expect(() => parseTransportSpec(spec)).toThrow(ArgumentError);
    expect(() => parseTransportSpec(spec)).toThrow(/use usb, usb:N .* or usb:VID:PID in hex/);
  });

  it('h4:unix to a missing socket is a TransportError', async () => {
    await expect(openTransport('h4:unix:/nonexistent/dir/sock')).rejects.toBeInstanceOf(TransportError);
  });

  it('two `virtual` transports share one link at different addresses', async () => {
    const a = await openTransport('virtual');
    const b = await openTransport('virtual');
    try {
      expect(a.description).toMatch(/^virtual 00:AA:01:01:00:0\d$/);
      expect(b.description).not.toBe(a.description);
      const link = defaultVirtualLink();
      expect(link.find(a.description.slice(8))).toBeDefined();
      expect(link.find(b.description.slice(8))).toBeDefined();
    } finally {
      await a.close();
      await b.close();
    }
    expect(defaultVirtualLink().find(a.description.slice(8))).toBeUndefined();
  });
});
