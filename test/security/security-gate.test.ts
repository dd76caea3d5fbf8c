/** The stack's SecurityGate: a security request the manager refuses fails the waiting operation instead of throwing. */
import { describe, expect, it } from 'vitest';
import type { HciHost } from '../../src/hci/index.js';
import type { L2capManager } from '../../src/l2cap/index.js';
import { SecurityManager } from '../../src/security/index.js';
import { SecurityGate } from '../../src/stack/security-gate.js';
import { HANDLE, PEER } from './harness.js';

describe('SecurityGate', () => {
  it('a request the SecurityManager refuses (no link, 32 already waiting) runs fail with the reason', () => {
    const sm = new SecurityManager({ ioCapability: 'NoInputNoOutput', bonding: true, mitm: false });
    const gate = new SecurityGate(sm, {} as HciHost, {} as L2capManager);
    const failed: string[] = [];
    const fail = (reason: string) => failed.push(reason);
    gate.secure(HANDLE, 'authenticated', 0, () => undefined, fail);
    expect(failed).toEqual([expect.stringContaining('no ACL link with handle 0x000b')]);
    sm.linkUp(HANDLE, PEER);
    for (let i = 0; i < 33; i++) gate.secure(HANDLE, 'encrypted', 0, () => undefined, fail);
    expect(failed.slice(1)).toEqual([expect.stringContaining('32 security requests already wait on this link')]);
  });
});
