/**
 * The socket layer is the only place where stack errors become Node errno codes (DESIGN.md
 * "Errors"). A `SocketError` is a `BluetoothError` carrying `code` = the errno name and `errno`,
 * with a message saying what happened and what to do.
 */
import { BluetoothError } from '../core/index.js';

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
} as const;

export type ErrnoName = keyof typeof ERRNO;

export class SocketError extends BluetoothError {
  override readonly code: ErrnoName;
  readonly errno: number;
  constructor(code: ErrnoName, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.errno = ERRNO[code];
  }
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
