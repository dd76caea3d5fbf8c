/**
 * SDP assigned values (Core v5.4 Vol 3 Part B): PDU IDs (§4.2), ErrorCodes (§4.4.1), the universal
 * attribute IDs (§5.1) and the offsets from a language base (§5.1.15-17). Every multi-byte SDP
 * field is big-endian (§4.1), ErrorCode included.
 */

/** PDU IDs (§4.2, Table 4.1). */
export const SDP_PDU = {
  ErrorResponse: 0x01,
  ServiceSearchRequest: 0x02,
  ServiceSearchResponse: 0x03,
  ServiceAttributeRequest: 0x04,
  ServiceAttributeResponse: 0x05,
  ServiceSearchAttributeRequest: 0x06,
  ServiceSearchAttributeResponse: 0x07,
} as const;

/** ErrorCodes of an SDP_ErrorResponse (§4.4.1, Table 4.2). */
export const SDP_ERROR = {
  InvalidSdpVersion: 0x0001,
  InvalidServiceRecordHandle: 0x0002,
  InvalidRequestSyntax: 0x0003,
  InvalidPduSize: 0x0004,
  InvalidContinuationState: 0x0005,
  InsufficientResources: 0x0006,
} as const;
export type SdpErrorCode = (typeof SDP_ERROR)[keyof typeof SDP_ERROR];

const ERROR_NAMES: Record<number, string> = {
  0x0001: 'Invalid/unsupported SDP version',
  0x0002: 'Invalid Service Record Handle',
  0x0003: 'Invalid request syntax',
  0x0004: 'Invalid PDU Size',
  0x0005: 'Invalid Continuation State',
  0x0006: 'Insufficient Resources to satisfy Request',
};

/** The spec name of an ErrorCode, or `reserved (0x....)` for any other value. */
export function sdpErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `reserved (0x${code.toString(16).padStart(4, '0')})`;
}

/** Universal attribute IDs (§5.1). */
export const ATTRIBUTE_ID = {
  ServiceRecordHandle: 0x0000,
  ServiceClassIDList: 0x0001,
  ServiceRecordState: 0x0002,
  ServiceID: 0x0003,
  ProtocolDescriptorList: 0x0004,
  BrowseGroupList: 0x0005,
  LanguageBaseAttributeIDList: 0x0006,
  ServiceInfoTimeToLive: 0x0007,
  ServiceAvailability: 0x0008,
  BluetoothProfileDescriptorList: 0x0009,
  DocumentationURL: 0x000a,
  ClientExecutableURL: 0x000b,
  IconURL: 0x000c,
  AdditionalProtocolDescriptorLists: 0x000d,
  /** In the SDP server's own record (§5.2). */
  VersionNumberList: 0x0200,
  ServiceDatabaseState: 0x0201,
} as const;

/** Offsets added to a language base attribute ID (§5.1.15-17). */
export const LANGUAGE_OFFSET = {
  ServiceName: 0x0000,
  ServiceDescription: 0x0001,
  ProviderName: 0x0002,
} as const;

/** The primary language base (§5.1.15): names live at 0x0100, 0x0101, 0x0102. */
export const PRIMARY_LANGUAGE_BASE = 0x0100;

/** Service class UUID of the SDP server's own record (Assigned Numbers). */
export const SERVICE_DISCOVERY_SERVER_CLASS = 0x1000;

/** The L2CAP PSM of SDP (Core Vol 3 Part A §4.2). */
export const SDP_PSM = 0x0001;

/** Bounds from Core Vol 3 Part B: continuation state ≤ 16 bytes (§4.3), ≤ 12 UUIDs (§4.5.1). */
export const MAX_CONTINUATION_STATE = 16;
export const MAX_PATTERN_UUIDS = 12;
/** The smallest MaximumAttributeByteCount a request may carry (§4.6.1). */
export const MIN_ATTRIBUTE_BYTE_COUNT = 0x0007;
