/**
 * Regression (found by `npm run fuzz -- --layer h4 --seed 7`, docs/fuzzing.md): an SDP request that
 * L2CAP delivers in the same input as a framing error ends every link. The request's 'channel-data'
 * was handled after the channel had closed, and the SDP server's answer went to `L2capManager.send`
 * on a closed channel, which threw (caught by Stack as a fault). A request on a channel that is no
 * longer open is now dropped unanswered.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { buildWorld } from '../../fuzz/world.js';

/** One chunk: a ServiceSearchAttributeRequest-sized SDU on the SDP channel, then an ACL header that breaks framing. */
const SDP_REQUEST_THEN_FRAMING_ERROR = fromHex(
  '02012142003e004100689b4e5f7f30a6bd4b445467ef1f8ff3dd7c15b1f95de8375fb47ead231f6d19f4b8c087f65573811d187fdccfada2cbd7bd693f6bbb108ddae9e2dae775043b0a65d6d00e487e010000000200244400400041008a7d1be97332388b4cc4091bac4a2775abba8715c94e56b6668d086cfc3bc7b2b2146898c887d9c609b750167cbfaef50f6df32a49a210dbf8aa1ccb0f567589',
);

describe('SDP server channels', () => {
  it('drop a request whose channel closed before it was handled, without a fault', () => {
    const { net, target } = buildWorld(1, 'stream');
    target.stack.receive(SDP_REQUEST_THEN_FRAMING_ERROR, net.now);
    net.settle();
    expect(target.stack.faults).toBe(0);
    expect(target.events.some((e) => e.type === 'error' && e.fatal)).toBe(true);
    expect(target.stack.linkCount).toBe(0);
  });
});
