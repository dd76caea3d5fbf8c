/**
 * The built-in suite (docs/conformance.md): ACL recombination, L2CAP signaling, RFCOMM and SDP
 * scenarios in the server role ('all'), the RFCOMM client-role scenarios ('client', run with `btc
 * conformance --accept`), and the scenarios on a link shared with the tester's own stack ('shared':
 * they need an echo service on a second server channel of the device, `--stack-channel`).
 */
import type { Scenario } from '../scenario.js';
import { ACL_SUITE } from './acl.js';
import { CLIENT_SUITE } from './client.js';
import { L2CAP_SUITE } from './l2cap.js';
import { RFCOMM_SUITE } from './rfcomm.js';
import { SDP_SUITE } from './sdp.js';
import { SHARED_SUITE } from './shared.js';

export { ACL_SUITE, L2CAP_SUITE, RFCOMM_SUITE, SDP_SUITE, CLIENT_SUITE, SHARED_SUITE };

export const SUITES = { acl: ACL_SUITE, l2cap: L2CAP_SUITE, rfcomm: RFCOMM_SUITE, sdp: SDP_SUITE, client: CLIENT_SUITE, shared: SHARED_SUITE } as const;
export type SuiteName = keyof typeof SUITES | 'all';

export function suite(name: SuiteName): Scenario[] {
  return name === 'all' ? [...ACL_SUITE, ...L2CAP_SUITE, ...RFCOMM_SUITE, ...SDP_SUITE] : [...SUITES[name]];
}
