/** What a decoder needs of SDP: PDUs, data elements, attribute lists and services read from records, without the server and client (see hci/decoding.ts). */
export { decodeAttributeList, decodeAttributeLists } from './attribute-list.js';
export { parseService } from './parse-services.js';
export type { ServiceRecord } from './service-record.js';
export { ATTRIBUTE_ID, LANGUAGE_OFFSET, PRIMARY_LANGUAGE_BASE } from './wire/constants.js';
export { describeDataElement, type DataElement } from './wire/data-element.js';
export { decodeSdpPdu, describeSdpPdu, type SdpPdu } from './wire/pdu.js';
