/**
 * Reading attribute lists back into records (Core v5.4 Vol 3 Part B §4.6.2, §4.7.2). An attribute
 * list is a data element sequence of pairs: a uint16 attribute ID, then the value. The
 * AttributeLists of a ServiceSearchAttributeResponse is a sequence of such lists, one per record.
 * Both throw `DecodeError` for anything else, so callers stay total.
 */
import { DecodeError } from '../core/index.js';
import type { ServiceRecord } from './service-record.js';
import { type DataElement, type DataElementDecodeOptions, decodeDataElement } from './wire/data-element.js';

export function attributeListToRecord(el: DataElement): ServiceRecord {
  if (el.type !== 'sequence') throw new DecodeError('sdp', 'attribute list', 0, `a ${el.type}, not a sequence`);
  if (el.items.length % 2 !== 0) throw new DecodeError('sdp', 'attribute list', 0, `${el.items.length} items, not ID/value pairs`);
  const record = new Map<number, DataElement>();
  for (let i = 0; i < el.items.length; i += 2) {
    const id = el.items[i];
    if (id.type !== 'uint' || id.size !== 2) throw new DecodeError('sdp', 'attribute list', 0, `attribute ID ${i / 2} is not a uint16`);
    record.set(id.value, el.items[i + 1]);
  }
  return record;
}

/** Decodes an AttributeList byte stream (ServiceAttributeResponse) into one record. */
export function decodeAttributeList(bytes: Uint8Array, opts: DataElementDecodeOptions = {}): ServiceRecord {
  return attributeListToRecord(decodeDataElement(bytes, opts));
}

/** Decodes an AttributeLists byte stream (ServiceSearchAttributeResponse) into records. */
export function decodeAttributeLists(bytes: Uint8Array, opts: DataElementDecodeOptions = {}): ServiceRecord[] {
  const el = decodeDataElement(bytes, opts);
  if (el.type !== 'sequence') throw new DecodeError('sdp', 'attribute lists', 0, `a ${el.type}, not a sequence`);
  return el.items.map(attributeListToRecord);
}
