/** Test helper for promises that must fail: the error they fail with (the test fails when they succeed). */
import type { SocketError } from '../../src/socket/index.js';

export function failure<E = SocketError>(p: Promise<unknown>): Promise<E> {
  return p.then(
    () => Promise.reject(new Error('expected a failure')),
    (e: E) => e,
  );
}
