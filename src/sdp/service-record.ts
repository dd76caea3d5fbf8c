/**
 * A service record (Core v5.4 Vol 3 Part B §2.2): attribute ID → value. The helpers here are the
 * two questions a server asks of a record: does it contain every UUID of a search pattern anywhere
 * in its values (§2.5.2, UUIDs compared by their 128-bit value), and which of its attributes fall
 * in an AttributeIDList, as the attribute list data element sequence of §4.6.2 (ascending IDs,
 * each as uint16 ID then value).
 */
import type { Uuid } from '../core/index.js';
import type { DataElement } from './wire/data-element.js';
import type { AttributeIdItem } from './wire/pdu.js';

export type ServiceRecord = ReadonlyMap<number, DataElement>;

function containsUuid(el: DataElement, u: Uuid): boolean {
  if (el.type === 'uuid') return el.value.equals(u);
  if (el.type === 'sequence' || el.type === 'alternative') return el.items.some((it) => containsUuid(it, u));
  return false;
}

/** True when every UUID of the pattern occurs in some attribute value of the record. */
export function recordMatchesPattern(record: ServiceRecord, pattern: readonly Uuid[]): boolean {
  return pattern.every((u) => {
    for (const v of record.values()) if (containsUuid(v, u)) return true;
    return false;
  });
}

export function attributeIdInList(id: number, ids: readonly AttributeIdItem[]): boolean {
  return ids.some((it) => (typeof it === 'number' ? it === id : id >= it.first && id <= it.last));
}

/** The attribute list (a sequence of ID/value pairs, ascending) of the attributes named by `ids`. */
export function attributeListElement(record: ServiceRecord, ids: readonly AttributeIdItem[]): DataElement {
  const items: DataElement[] = [];
  for (const id of [...record.keys()].sort((a, b) => a - b)) {
    if (!attributeIdInList(id, ids)) continue;
    items.push({ type: 'uint', size: 2, value: id }, record.get(id)!);
  }
  return { type: 'sequence', items };
}
