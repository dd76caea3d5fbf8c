/**
 * `openTransport(spec)`: one string names a transport (for the CLI's --transport and adapters):
 *
 * | spec                               | transport                                                  |
 * |------------------------------------|------------------------------------------------------------|
 * | `virtual`                          | a new controller on the process-wide virtual link          |
 * | `h4:unix:/tmp/bt-server-bredr`     | H4 over a unix socket (BlueZ btvirt)                       |
 * | `h4:tcp:localhost:6402`            | H4 over TCP (RootCanal, btproxy); IPv6 as `h4:tcp:[::1]:6402` |
 * | `hci0`, `hci:0`                    | the HCI user channel on adapter 0                          |
 * | `serial:/dev/ttyUSB0[,baud][,rtscts]` | H4 over a serial port (default 115200 baud)            |
 * | `usb`, `usb:N`, `usb:VID:PID`      | a USB dongle by raw USB (usb.ts)                           |
 */
import { ArgumentError } from '../core/index.js';
import { openSerialH4, openTcpH4, openUnixH4 } from './h4-stream.js';
import type { Transport } from './transport.js';
import { openUsb, parseUsbSpec, type UsbDeviceSpec } from './usb.js';
import { openUserChannel } from './user-channel.js';
import { openVirtualTransport } from './virtual/pair.js';

export const TRANSPORT_FORMS = [
  'virtual',
  'h4:unix:/tmp/bt-server-bredr',
  'h4:tcp:HOST:PORT (RootCanal: localhost:6402)',
  'hci0 or hci:N',
  'serial:/dev/ttyUSB0[,BAUD][,rtscts]',
  'usb, usb:N or usb:VID:PID',
] as const;

export type TransportSpec =
  | { readonly kind: 'virtual' }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'user-channel'; readonly index: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number; readonly rtscts: boolean }
  | { readonly kind: 'usb'; readonly device: UsbDeviceSpec };

function invalid(spec: string, why = 'unknown transport'): ArgumentError {
  return new ArgumentError(`${why}: ${JSON.stringify(spec)}; use one of: ${TRANSPORT_FORMS.join(', ')}`);
}

export function parseTransportSpec(spec: string): TransportSpec {
  const s = spec.trim();
  if (s === 'virtual') return { kind: 'virtual' };
  let m = /^h4:unix:(.+)$/.exec(s);
  if (m) return { kind: 'unix', path: m[1] };
  m = /^h4:tcp:(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s);
  if (m) {
    const port = Number(m[3]);
    if (port < 1 || port > 65535) throw invalid(spec, `TCP port ${port} is outside 1..65535`);
    return { kind: 'tcp', host: m[1] ?? m[2], port };
  }
  if (s.startsWith('h4:')) throw invalid(spec, 'malformed H4 transport');
  m = /^hci:?(\d+)$/.exec(s);
  if (m) return { kind: 'user-channel', index: Number(m[1]) };
  m = /^usb(.*)$/.exec(s);
  if (m) return { kind: 'usb', device: parseUsbSpec(m[1], spec) };
  m = /^serial:([^,]+)((?:,[^,]+)*)$/.exec(s);
  if (m) {
    let baudRate = 115200;
    let rtscts = false;
    for (const opt of m[2].split(',').filter(Boolean)) {
      if (opt === 'rtscts') rtscts = true;
      else if (/^\d+$/.test(opt)) baudRate = Number(opt);
      else throw invalid(spec, `unknown serial option ${JSON.stringify(opt)}`);
    }
    return { kind: 'serial', path: m[1], baudRate, rtscts };
  }
  throw invalid(spec);
}

export async function openTransport(spec: string): Promise<Transport> {
  const t = parseTransportSpec(spec);
  switch (t.kind) {
    case 'virtual':
      return openVirtualTransport();
    case 'unix':
      return openUnixH4(t.path);
    case 'tcp':
      return openTcpH4(t.host, t.port);
    case 'user-channel':
      return openUserChannel(t.index);
    case 'serial':
      return openSerialH4(t.path, { baudRate: t.baudRate, rtscts: t.rtscts });
    case 'usb':
      return openUsb(t.device);
  }
}
