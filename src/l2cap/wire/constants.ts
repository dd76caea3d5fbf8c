/**
 * L2CAP constants for BR/EDR basic mode, with the names of Core v5.4 Vol 3 Part A:
 * channel identifiers (§2.1, Table 2.1), signaling command codes (§4, Table 4.2), result and
 * reason values (§4.1–§4.11), configuration option types (§5) and information types (§4.10).
 */

/** Fixed and dynamic channel identifiers on an ACL-U logical link (§2.1). */
export const CID = {
  NULL: 0x0000,
  SIGNALING: 0x0001,
  CONNECTIONLESS: 0x0002,
  DYNAMIC_FIRST: 0x0040,
  DYNAMIC_LAST: 0xffff,
} as const;

/** Signaling command codes on the ACL-U signaling channel (§4, Table 4.2). */
export const SIGNAL_CODE = {
  COMMAND_REJECT: 0x01,
  CONNECTION_REQUEST: 0x02,
  CONNECTION_RESPONSE: 0x03,
  CONFIGURATION_REQUEST: 0x04,
  CONFIGURATION_RESPONSE: 0x05,
  DISCONNECTION_REQUEST: 0x06,
  DISCONNECTION_RESPONSE: 0x07,
  ECHO_REQUEST: 0x08,
  ECHO_RESPONSE: 0x09,
  INFORMATION_REQUEST: 0x0a,
  INFORMATION_RESPONSE: 0x0b,
} as const;

/** Command Reject reasons (§4.1). */
export const REJECT_REASON = {
  COMMAND_NOT_UNDERSTOOD: 0x0000,
  SIGNALING_MTU_EXCEEDED: 0x0001,
  INVALID_CID_IN_REQUEST: 0x0002,
} as const;

/** Connection Response results (§4.3). */
export const CONNECTION_RESULT = {
  SUCCESS: 0x0000,
  PENDING: 0x0001,
  PSM_NOT_SUPPORTED: 0x0002,
  SECURITY_BLOCK: 0x0003,
  NO_RESOURCES: 0x0004,
  INVALID_SOURCE_CID: 0x0006,
  SOURCE_CID_ALREADY_ALLOCATED: 0x0007,
} as const;

/** What a Connection Response result means, for messages: "0x0002 PSM not supported" (§4.3). */
export function connectionResultText(result: number): string {
  const names: Record<number, string> = {
    [CONNECTION_RESULT.SUCCESS]: 'successful',
    [CONNECTION_RESULT.PENDING]: 'pending',
    [CONNECTION_RESULT.PSM_NOT_SUPPORTED]: 'PSM not supported',
    [CONNECTION_RESULT.SECURITY_BLOCK]: 'security block',
    [CONNECTION_RESULT.NO_RESOURCES]: 'no resources available',
    [CONNECTION_RESULT.INVALID_SOURCE_CID]: 'invalid source CID',
    [CONNECTION_RESULT.SOURCE_CID_ALREADY_ALLOCATED]: 'source CID already allocated',
  };
  return `0x${result.toString(16).padStart(4, '0')} ${names[result] ?? 'reserved'}`;
}

/** Connection Response status, meaningful with result PENDING (§4.3). */
export const CONNECTION_STATUS = {
  NO_FURTHER_INFORMATION: 0x0000,
  AUTHENTICATION_PENDING: 0x0001,
  AUTHORIZATION_PENDING: 0x0002,
} as const;

/** Configuration Response results (§4.5). */
export const CONFIGURATION_RESULT = {
  SUCCESS: 0x0000,
  UNACCEPTABLE_PARAMETERS: 0x0001,
  REJECTED: 0x0002,
  UNKNOWN_OPTIONS: 0x0003,
  PENDING: 0x0004,
  FLOW_SPEC_REJECTED: 0x0005,
} as const;

/** The continuation flag (C) in the Configuration Request/Response flags (§4.4). */
export const CONFIGURATION_FLAG_CONTINUATION = 0x0001;

/** Information types (§4.10) and results (§4.11). */
export const INFO_TYPE = {
  CONNECTIONLESS_MTU: 0x0001,
  EXTENDED_FEATURES: 0x0002,
  FIXED_CHANNELS: 0x0003,
} as const;

export const INFO_RESULT = {
  SUCCESS: 0x0000,
  NOT_SUPPORTED: 0x0001,
} as const;

/** Extended feature mask bits (§4.12). */
export const EXTENDED_FEATURE = {
  FLOW_CONTROL_MODE: 1 << 0,
  RETRANSMISSION_MODE: 1 << 1,
  BIDIRECTIONAL_QOS: 1 << 2,
  ENHANCED_RETRANSMISSION_MODE: 1 << 3,
  STREAMING_MODE: 1 << 4,
  FCS_OPTION: 1 << 5,
  EXTENDED_FLOW_SPECIFICATION: 1 << 6,
  FIXED_CHANNELS: 1 << 7,
  EXTENDED_WINDOW_SIZE: 1 << 8,
  UNICAST_CONNECTIONLESS_DATA: 1 << 9,
} as const;

/** Configuration option types without the hint bit (§5). */
export const CONFIG_OPTION_TYPE = {
  MTU: 0x01,
  FLUSH_TIMEOUT: 0x02,
  QOS: 0x03,
  RETRANSMISSION_AND_FLOW_CONTROL: 0x04,
  FCS: 0x05,
  EXTENDED_FLOW_SPECIFICATION: 0x06,
  EXTENDED_WINDOW_SIZE: 0x07,
} as const;

/** The MSB of an option type: the option is a hint, skipped when not understood (§5). */
export const CONFIG_OPTION_HINT = 0x80;

/** Modes in the Retransmission and Flow Control option (§5.4). */
export const CHANNEL_MODE = {
  BASIC: 0x00,
  RETRANSMISSION: 0x01,
  FLOW_CONTROL: 0x02,
  ENHANCED_RETRANSMISSION: 0x03,
  STREAMING: 0x04,
} as const;

/** MTU values for BR/EDR (§5.1): the minimum, the default when the option is absent, and MTUsig. */
export const MIN_MTU = 48;
export const DEFAULT_MTU = 672;
export const MAX_MTU = 0xffff;
export const DEFAULT_SIGNALING_MTU = 672;

/** Fixed PSMs of the protocols this stack carries (Assigned Numbers, Logical Link Control). */
export const PSM = {
  SDP: 0x0001,
  RFCOMM: 0x0003,
} as const;

/** The first PSM of the dynamically assigned range (§4.2). */
export const DYNAMIC_PSM_FIRST = 0x1001;
