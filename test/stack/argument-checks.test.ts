/**
 * A security level the stack does not know is refused where the application gives it (listen,
 * connect, requestSecurity) with ArgumentError, before anything is registered or sent: it never
 * reaches the point where a peer's Connection Request or SABM would meet it.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/index.js';
import type { SecurityLevel } from '../../src/security/index.js';
import { Stack } from '../../src/stack/stack.js';

const HIGH = 'high' as SecurityLevel;
const MESSAGE = 'security level must be one of none, authenticated, encrypted, mitm, got "high"';
const PEER = '00:11:22:33:44:55';

describe('Stack: security levels are checked at the call', () => {
  it.each([
    ['listenRfcomm', (s: Stack) => s.listenRfcomm(1, HIGH)],
    ['listenL2cap', (s: Stack) => s.listenL2cap(0x1001, undefined, HIGH)],
    ['connectRfcomm', (s: Stack) => s.connectRfcomm(PEER, 1, 0, HIGH)],
    ['connectL2cap', (s: Stack) => s.connectL2cap(PEER, 0x1001, 0, undefined, HIGH)],
    ['requestSecurity', (s: Stack) => s.requestSecurity(PEER, HIGH, 0)],
  ])('%s refuses an unknown level with ArgumentError naming the levels', (_name, call) => {
    const stack = new Stack();
    expect(() => call(stack)).toThrow(ArgumentError);
    expect(() => call(stack)).toThrow(MESSAGE);
  });

  it('a refused listen registers nothing: the same channel and PSM can be listened on right after', () => {
    const stack = new Stack();
    expect(() => stack.listenRfcomm(1, HIGH)).toThrow(ArgumentError);
    expect(() => stack.listenL2cap(0x1001, undefined, HIGH)).toThrow(ArgumentError);
    expect(stack.listenRfcomm(1, 'mitm')).toBe(1);
    expect(stack.listenL2cap(0x1001, undefined, 'encrypted')).toBe(0x1001);
  });
});
