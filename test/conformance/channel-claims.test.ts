/**
 * The tap on a shared link (standAside 'channels'; channel-claims.ts): each whole L2CAP frame and
 * each signaling command goes to whoever owns what it names, and what goes to the stack goes as the
 * controller sent it.
 */
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/index.js';
import { aclPacket, l2capFrame, rfcommFrame, signalCommand } from '../../src/conformance/frames.js';
import { LinkTap } from '../../src/conformance/link-tap.js';

const HANDLE = 0x0042;
const SESSION = 0x0040;

function tap(): { tap: LinkTap; tester: string[]; host: string[] } {
  const tester: string[] = [];
  const host: string[] = [];
  const t = new LinkTap({
    toController: () => undefined,
    toHost: (h4) => host.push(hex(h4, ' ')),
    onFrame: (_h, frame) => tester.push(hex(frame, ' ')),
    onLinkUp: () => undefined,
    onLinkDown: () => undefined,
  });
  t.standAside = 'channels';
  t.claims.claimCid(0xff00);
  t.claims.claimDlci(SESSION, 2);
  return { tap: t, tester, host };
}

const acl = (frame: Uint8Array, pb = 2): Uint8Array => aclPacket({ handle: HANDLE, pb, data: frame });

describe('the tap on a shared link', () => {
  it("splits a C-frame: the Configuration Request for the tester's CID to the tester, the Echo Request to the stack", () => {
    const { tap: t, tester, host } = tap();
    const cfg = signalCommand({ code: 0x04, identifier: 7, data: Uint8Array.of(0x00, 0xff, 0, 0) });
    const echo = signalCommand({ code: 0x08, identifier: 9, data: Uint8Array.of(1, 2) });
    t.fromController(acl(l2capFrame({ cid: 1, payload: new Uint8Array([...cfg, ...echo]) })));
    expect(tester).toEqual([hex(l2capFrame({ cid: 1, payload: cfg }), ' ')]);
    expect(host).toEqual([hex(acl(l2capFrame({ cid: 1, payload: echo })), ' ')]);
  });

  it('an Echo Response goes to whoever sent the request with its identifier', () => {
    const { tap: t, tester, host } = tap();
    t.inject(acl(l2capFrame({ cid: 1, payload: signalCommand({ code: 0x08, identifier: 5, data: Uint8Array.of(0) }) })));
    t.fromHost(acl(l2capFrame({ cid: 1, payload: signalCommand({ code: 0x08, identifier: 6, data: Uint8Array.of(0) }) })));
    const answer = (id: number): Uint8Array => acl(l2capFrame({ cid: 1, payload: signalCommand({ code: 0x09, identifier: id, data: Uint8Array.of(0) }) }));
    t.fromController(answer(5));
    t.fromController(answer(6));
    expect(tester).toHaveLength(1);
    expect(tester[0]).toContain('09 05');
    expect(host).toEqual([hex(answer(6), ' ')]);
  });

  it('on the stack\'s session: the claimed DLCI and the PN naming it to the tester; other DLCIs and Test to the stack, fragment by fragment', () => {
    const { tap: t, tester, host } = tap();
    const mine = l2capFrame({ cid: SESSION, payload: rfcommFrame({ dlci: 2, control: 'UA', pf: 1 }) });
    const pn = l2capFrame({ cid: SESSION, payload: rfcommFrame({ dlci: 0, control: 'UIH', info: Uint8Array.of(0x81, 0x11, 0x02, 0xe0, 7, 0, 0x7f, 0, 0, 7) }) });
    const theirs = l2capFrame({ cid: SESSION, payload: rfcommFrame({ dlci: 4, control: 'UIH', info: new Uint8Array(20).fill(0x61) }) });
    const test = l2capFrame({ cid: SESSION, payload: rfcommFrame({ dlci: 0, control: 'UIH', info: Uint8Array.of(0x21, 0x05, 0xab, 0xcd) }) });
    for (const f of [mine, pn]) t.fromController(acl(f));
    const parts = [acl(theirs.subarray(0, 10)), acl(theirs.subarray(10), 1)];
    for (const p of parts) t.fromController(p);
    t.fromController(acl(test));
    expect(tester).toEqual([hex(mine, ' '), hex(pn, ' ')]);
    expect(host).toEqual([...parts, acl(test)].map((p) => hex(p, ' ')));
  });

  it('on the whole link (the default), every frame goes to the tester and nothing to the stack', () => {
    const { tap: t, tester, host } = tap();
    t.standAside = 'link';
    t.fromController(acl(l2capFrame({ cid: SESSION, payload: rfcommFrame({ dlci: 4, control: 'UA', pf: 1 }) })));
    expect(tester).toHaveLength(1);
    expect(host).toEqual([]);
  });
});
