/**
 * The socket layer is the only place where stack errors become Node errno codes (DESIGN.md
 * "Errors"). A `SocketError` is a `BluetoothError` carrying `code` = the errno name and `errno`,
 * with a message saying what happened and what to do.
 */
import { BluetoothError } from '../core/index.js';
import type { CloseDetail, L2capCloseReason, RfcommCloseReason } from '../stack/index.js';

export const ERRNO = {
  ECONNREFUSED: 111,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  ENOTCONN: 107,
  EISCONN: 106,
  EADDRINUSE: 98,
  EAGAIN: 11,
  EINVAL: 22,
  EBADF: 9,
  EMSGSIZE: 90,
  EPIPE: 32,
  EACCES: 13,
  ENETDOWN: 100,
} as const;

export type ErrnoName = keyof typeof ERRNO;

/** Why a channel closed or never opened, as the stack tells it (src/stack/events.ts). */
export type CloseReason = RfcommCloseReason | L2capCloseReason;

/**
 * `timer`, `frame`, `hciStatus`, `l2capResult`, `securityFailure`: the codes of why the channel
 * ended, as the stack gave them (src/stack/events.ts CloseDetail); each only when it applies.
 */
export interface SocketErrorOptions extends CloseDetail {
  cause?: unknown;
  /** The stack's reason when the error ends a channel: 'disconnected' is the peer's orderly
   * close (RFCOMM DISC; on an L2CAP socket, its Disconnection Request), 'link-lost' the ACL link going down. */
  reason?: CloseReason;
  /** A non-blocking `sendall` that ran out of room: how many bytes did go out. */
  bytesSent?: number;
}

export class SocketError extends BluetoothError {
  override readonly code: ErrnoName;
  readonly errno: number;
  readonly reason: CloseReason | undefined;
  readonly bytesSent: number | undefined;
  readonly timer: CloseDetail['timer'];
  readonly frame: CloseDetail['frame'];
  readonly hciStatus: number | undefined;
  readonly l2capResult: number | undefined;
  readonly securityFailure: CloseDetail['securityFailure'];
  constructor(code: ErrnoName, message: string, options: SocketErrorOptions = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = ERRNO[code];
    this.reason = options.reason;
    this.bytesSent = options.bytesSent;
    this.timer = options.timer;
    this.frame = options.frame;
    this.hciStatus = options.hciStatus;
    this.l2capResult = options.l2capResult;
    this.securityFailure = options.securityFailure;
  }
}

/** True for the error a peer's orderly close leaves (ECONNRESET with reason 'disconnected'), as
 * opposed to a lost link: the end of a conversation, not a failure. */
export function isPeerClose(error: unknown): boolean {
  return error instanceof SocketError && error.code === 'ECONNRESET' && error.reason === 'disconnected';
}

/** The errno for why a channel closed or failed to open (src/stack/events.ts reasons). */
export function errnoForClose(reason: string): ErrnoName {
  switch (reason) {
    case 'refused':
      return 'ECONNREFUSED';
    case 'timeout':
      return 'ETIMEDOUT';
    case 'page-failed':
      return 'EHOSTDOWN';
    case 'security':
      return 'EACCES';
    default:
      return 'ECONNRESET';
  }
}
