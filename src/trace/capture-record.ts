/**
 * What every capture reader yields: one HCI packet in H4 form (the packet indicator byte first,
 * Core v5.4 Vol 4 Part A §2: 0x01 command, 0x02 ACL, 0x03 SCO, 0x04 event, 0x05 ISO) with its
 * direction and time. `tx` is host → controller, `rx` is controller → host.
 *
 * Format readers yield `CaptureItem`s: a record, a skipped non-HCI record (notes, power, index
 * changes…), or the end of a truncated file. `readCapture` turns those into records and statistics.
 */
import { Slab } from '../core/index.js';
import { H4_INDICATOR } from '../hci/decoding.js';

/** `vendor` is any H4 indicator outside 0x01–0x05 (e.g. the 0x07 frames in the bluffs captures). */
export type CaptureKind = 'command' | 'acl' | 'sco' | 'event' | 'iso' | 'vendor';

export const CAPTURE_KINDS: readonly CaptureKind[] = ['command', 'acl', 'sco', 'event', 'iso', 'vendor'];

export type CaptureDirection = 'tx' | 'rx';

export interface CaptureRecord {
  readonly direction: CaptureDirection;
  /** The HCI packet, H4 indicator first. A copy: callers may keep or change it (it is cut from a
   * 64 KiB slab shared with the records around it, which stays in memory while any of them is kept). */
  readonly h4: Uint8Array;
  readonly kind: CaptureKind;
  /** Microseconds since the Unix epoch, when the format carries a time. */
  readonly timestampUs?: number;
  /** 1-based position in the file counting every record, skipped ones too (Wireshark's frame number). */
  readonly frame: number;
  /** True when the file kept fewer bytes than the packet had (snap length): h4 is cut short. */
  readonly cut?: boolean;
  /** True when the format does not say the direction and it was inferred from the packet type. */
  readonly directionInferred?: boolean;
}

export type CaptureItem =
  | { readonly type: 'record'; readonly record: CaptureRecord }
  | { readonly type: 'skipped'; readonly frame: number; readonly what: string; readonly text?: string; readonly timestampUs?: number }
  | { readonly type: 'truncated'; readonly offset: number; readonly reason: string };

export function kindOfH4(indicator: number | undefined): CaptureKind {
  switch (indicator) {
    case H4_INDICATOR.COMMAND:
      return 'command';
    case H4_INDICATOR.ACL:
      return 'acl';
    case H4_INDICATOR.SCO:
      return 'sco';
    case H4_INDICATOR.EVENT:
      return 'event';
    case H4_INDICATOR.ISO:
      return 'iso';
    default:
      return 'vendor';
  }
}

/** Commands go to the controller and events come from it; data packets have no implied direction. */
export function impliedDirection(kind: CaptureKind): CaptureDirection | undefined {
  if (kind === 'command') return 'tx';
  if (kind === 'event') return 'rx';
  return undefined;
}

/** Builds the record item for an H4 packet, or a skip item when the packet is empty. */
export function h4Item(
  frame: number,
  direction: CaptureDirection,
  h4: Uint8Array,
  timestampUs: number | undefined,
  cut: boolean,
): CaptureItem {
  if (h4.length === 0) return { type: 'skipped', frame, what: 'empty packet' };
  const record: { -readonly [K in keyof CaptureRecord]: CaptureRecord[K] } = { direction, h4, kind: kindOfH4(h4[0]), frame };
  if (timestampUs !== undefined) record.timestampUs = timestampUs;
  if (cut) record.cut = true;
  return { type: 'record', record };
}

/**
 * Where every reader's copies of packets are carved from: a copy of its own per record (callers may
 * keep or change it), cut from a 64 KiB slab rather than allocated alone. A small array allocated
 * alone lives on V8's heap and gets a backing store of its own the first time a decoder takes a
 * view of it (`subarray`, `.buffer`); one cut from a slab already has one, so the views the
 * decoders take per layer cost an object each (docs/performance.md, "Decoding captures").
 */
const copies = new Slab();

/** A copy of `bytes[start, end)`. */
export function copyOf(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = copies.alloc(end - start);
  // A loop: most packets are a few dozen bytes, less than what a view for `set` costs.
  for (let i = start; i < end; i++) out[i - start] = bytes[i];
  return out;
}

/** Prepends the H4 indicator to a bare HCI packet. */
export function withIndicator(indicator: number, packet: Uint8Array): Uint8Array {
  const out = copies.alloc(packet.length + 1);
  out[0] = indicator;
  out.set(packet, 1);
  return out;
}
