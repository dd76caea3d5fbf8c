/**
 * HCI status and error codes (Core v5.4 Vol 1 Part F §1.3, "List of error codes"): the one-octet
 * Status of Command Complete/Status and of most events, and the Reason of Disconnect. Used by
 * `describe*` and by `HciStatusError`.
 */
import { HciStatusError } from '../../core/index.js';

export const HCI_STATUS_NAMES: readonly string[] = [
  'Success',
  'Unknown HCI Command',
  'Unknown Connection Identifier',
  'Hardware Failure',
  'Page Timeout',
  'Authentication Failure',
  'PIN or Key Missing',
  'Memory Capacity Exceeded',
  'Connection Timeout',
  'Connection Limit Exceeded',
  'Synchronous Connection Limit To A Device Exceeded',
  'Connection Already Exists',
  'Command Disallowed',
  'Connection Rejected due to Limited Resources',
  'Connection Rejected Due To Security Reasons',
  'Connection Rejected due to Unacceptable BD_ADDR',
  'Connection Accept Timeout Exceeded',
  'Unsupported Feature or Parameter Value',
  'Invalid HCI Command Parameters',
  'Remote User Terminated Connection',
  'Remote Device Terminated Connection due to Low Resources',
  'Remote Device Terminated Connection due to Power Off',
  'Connection Terminated By Local Host',
  'Repeated Attempts',
  'Pairing Not Allowed',
  'Unknown LMP PDU',
  'Unsupported Remote Feature',
  'SCO Offset Rejected',
  'SCO Interval Rejected',
  'SCO Air Mode Rejected',
  'Invalid LMP Parameters / Invalid LL Parameters',
  'Unspecified Error',
  'Unsupported LMP Parameter Value / Unsupported LL Parameter Value',
  'Role Change Not Allowed',
  'LMP Response Timeout / LL Response Timeout',
  'LMP Error Transaction Collision / LL Procedure Collision',
  'LMP PDU Not Allowed',
  'Encryption Mode Not Acceptable',
  'Link Key cannot be Changed',
  'Requested QoS Not Supported',
  'Instant Passed',
  'Pairing With Unit Key Not Supported',
  'Different Transaction Collision',
  'Reserved for future use',
  'QoS Unacceptable Parameter',
  'QoS Rejected',
  'Channel Classification Not Supported',
  'Insufficient Security',
  'Parameter Out Of Mandatory Range',
  'Reserved for future use',
  'Role Switch Pending',
  'Reserved for future use',
  'Reserved Slot Violation',
  'Role Switch Failed',
  'Extended Inquiry Response Too Large',
  'Secure Simple Pairing Not Supported By Host',
  'Host Busy - Pairing',
  'Connection Rejected due to No Suitable Channel Found',
  'Controller Busy',
  'Unacceptable Connection Parameters',
  'Advertising Timeout',
  'Connection Terminated due to MIC Failure',
  'Connection Failed to be Established / Synchronization Timeout',
  'Previously Used',
  'Coarse Clock Adjustment Rejected but Will Try to Adjust Using Clock Dragging',
  'Type0 Submap Not Defined',
  'Unknown Advertising Identifier',
  'Limit Reached',
  'Operation Cancelled by Host',
  'Packet Too Long',
];

/** Status codes named in code: by the host, and by the virtual controller in what it answers. */
export const HCI_STATUS = {
  SUCCESS: 0x00,
  UNKNOWN_HCI_COMMAND: 0x01,
  UNKNOWN_CONNECTION_IDENTIFIER: 0x02,
  PAGE_TIMEOUT: 0x04,
  AUTHENTICATION_FAILURE: 0x05,
  PIN_OR_KEY_MISSING: 0x06,
  CONNECTION_TIMEOUT: 0x08,
  CONNECTION_ALREADY_EXISTS: 0x0b,
  COMMAND_DISALLOWED: 0x0c,
  CONNECTION_REJECTED_LIMITED_RESOURCES: 0x0d,
  CONNECTION_REJECTED_SECURITY: 0x0e,
  CONNECTION_REJECTED_BD_ADDR: 0x0f,
  CONNECTION_ACCEPT_TIMEOUT_EXCEEDED: 0x10,
  INVALID_HCI_COMMAND_PARAMETERS: 0x12,
  REMOTE_USER_TERMINATED_CONNECTION: 0x13,
  CONNECTION_TERMINATED_BY_LOCAL_HOST: 0x16,
  PAIRING_NOT_ALLOWED: 0x18,
  UNSPECIFIED_ERROR: 0x1f,
} as const;

export function statusName(status: number): string {
  return HCI_STATUS_NAMES[status] ?? 'Reserved for future use';
}

export function hciStatusError(status: number, operation: string): HciStatusError {
  return new HciStatusError(status, statusName(status), operation);
}
