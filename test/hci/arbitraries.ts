/**
 * fast-check arbitraries derived from the HCI field tables: one value generator per field kind, so
 * every command and event spec gets its own arbitrary without hand-written generators. Integers
 * favour their boundaries (0, max); arrays are sized to fit the 255-octet parameter limit.
 */
import fc from 'fast-check';
import { bdAddrFromBytes, utf8 } from '../../src/core/index.js';
import {
  type CommandSpec,
  commandCompleteEvent,
  type EventSpec,
  type Field,
  type FieldType,
  type HciCommand,
  type HciEvent,
  type HciPacket,
} from '../../src/hci/index.js';

function uint(size: number): fc.Arbitrary<number> {
  const max = 2 ** (8 * size) - 1;
  return fc.oneof(fc.constantFrom(0, 1, max), fc.integer({ min: 0, max }));
}

function nulFreeString(size: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: Math.min(size, 64), unit: 'grapheme' }),
    fc.constant('a'.repeat(size)),
    fc.constant(''),
  ).filter((s) => !s.includes('\0') && utf8(s).length <= size && new TextDecoder().decode(utf8(s)) === s);
}

function typeArb(t: FieldType, room: number): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case 'uint':
      return uint(t.size);
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'bdaddr':
      return fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => bdAddrFromBytes(b));
    case 'bytes':
      return fc.uint8Array({ minLength: t.size, maxLength: t.size });
    case 'string':
      return nulFreeString(t.size);
    case 'array': {
      const record = t.fields.reduce((n, f) => n + fixedSize(f.type), 0);
      return fc.array(valuesArb(t.fields, 0), { maxLength: Math.min(255, Math.floor((room - 1) / record)) });
    }
    case 'rest':
      return fc.uint8Array({ maxLength: Math.max(0, room - 1) });
    case 'list':
      throw new Error('no HCI table has a list field');
  }
}

function fixedSize(t: FieldType): number {
  switch (t.kind) {
    case 'uint':
      return t.size;
    case 'int8':
      return 1;
    case 'bdaddr':
      return 6;
    case 'bytes':
    case 'string':
      return t.size;
    case 'array':
      return 1;
    case 'rest':
    case 'list':
      return 0;
  }
}

/** Values for a field list; `limit` is the octets the list may use (255 for a whole parameter block). */
export function valuesArb(fields: readonly Field[], limit = 255): fc.Arbitrary<Record<string, unknown>> {
  const fixed = fields.reduce((n, f) => n + fixedSize(f.type), 0);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) record[f.name] = typeArb(f.type, limit - fixed + 1);
  return fc.record(record);
}

export function commandArb(spec: CommandSpec): fc.Arbitrary<HciCommand> {
  return valuesArb(spec.params).map((v) => ({ name: spec.name, ...v }) as HciCommand);
}

export function eventArb(spec: EventSpec): fc.Arbitrary<HciEvent> {
  return valuesArb(spec.fields).map((v) => ({ name: spec.name, ...v }) as HciEvent);
}

export function commandCompleteArb(spec: CommandSpec): fc.Arbitrary<HciEvent> {
  return fc.tuple(valuesArb(spec.returns, 252), uint(1)).map(([v, n]) => commandCompleteEvent(spec.name, v as never, n));
}

/** A well-formed H4 packet of any type (header lengths consistent, parameters random). */
export const wellFormedPacketBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(uint(2), fc.uint8Array({ maxLength: 255 })).map(([op, p]) => Uint8Array.of(1, op & 0xff, op >> 8, p.length, ...p)),
  fc.tuple(uint(2), fc.uint8Array({ maxLength: 300 })).map(([h, p]) => Uint8Array.of(2, h & 0xff, h >> 8, p.length & 0xff, p.length >> 8, ...p)),
  fc.tuple(uint(2), fc.uint8Array({ maxLength: 255 })).map(([h, p]) => Uint8Array.of(3, h & 0xff, h >> 8, p.length, ...p)),
  fc.tuple(uint(1), fc.uint8Array({ maxLength: 255 })).map(([c, p]) => Uint8Array.of(4, c, p.length, ...p)),
  fc.tuple(fc.constantFrom(0x0e, 0x0f, 0x03, 0x13, 0x07, 0x2f, 0x22), fc.uint8Array({ maxLength: 255 })).map(([c, p]) => Uint8Array.of(4, c, p.length, ...p)),
  fc.tuple(uint(2), fc.uint8Array({ maxLength: 300 })).map(([h, p]) => Uint8Array.of(5, h & 0xff, h >> 8, p.length & 0xff, p.length >> 8, ...p)),
);

export function packetOfCommand(command: HciCommand): HciPacket {
  return { type: 'command', command };
}
export function packetOfEvent(event: HciEvent): HciPacket {
  return { type: 'event', event };
}
