/**
 * Turns Node socket errors of the transports into one `TransportError` that says what to do.
 */
import { TransportError } from '../core/index.js';

export function errnoOf(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') return (error as { code: string }).code;
  return undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error for a unix-socket H4 connection that failed. */
export function unixConnectError(path: string, error: unknown): TransportError {
  const code = errnoOf(error);
  const btvirtHint = 'install bluez-test-tools and run `btvirt -s -l0` (it serves /tmp/bt-server-bredr)';
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    const what = path === '/tmp/bt-server-bredr' ? `no btvirt at ${path}` : `nothing listens at ${path} (${code})`;
    return new TransportError(`${what}: ${btvirtHint}`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new TransportError(`no permission to connect to ${path} (${code}): run as the socket's owner or change its mode`, { cause: error });
  }
  return new TransportError(`cannot connect to the H4 socket ${path}: ${messageOf(error)}`, { cause: error });
}

/** The error for a TCP H4 connection that failed. */
export function tcpConnectError(host: string, port: number, error: unknown): TransportError {
  const code = errnoOf(error);
  if (code === 'ECONNREFUSED') {
    return new TransportError(
      `nothing listens on ${host}:${port} (ECONNREFUSED): start Android RootCanal (HCI port 6402 by default) or BlueZ btproxy there`,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError(`unknown host ${host} (${code}): check the name in h4:tcp:HOST:PORT`, { cause: error });
  if (code === 'ETIMEDOUT') return new TransportError(`no answer from ${host}:${port} (ETIMEDOUT): check the address and any firewall`, { cause: error });
  return new TransportError(`cannot connect to ${host}:${port}: ${messageOf(error)}`, { cause: error });
}
