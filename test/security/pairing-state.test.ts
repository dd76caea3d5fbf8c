/**
 * The pairing state table (src/security/pairing-state.ts; Core v5.4 Vol 3 Part C §5.2.2, Vol 4
 * Part E §7.7.22 and §7.7.40–§7.7.49): the machine against every cell of its table, then every
 * edge driven through a SecurityManager by the controller's events, checked against the recorded
 * history, then events out of order and the answers they get.
 */
import { describe, expect, it } from 'vitest';
import { describeTableCells } from '../support/state-table-cells.js';
import { tableEdges } from '../../src/core/index.js';
import { IO_CAPABILITY, PAIRING_EVENT, PAIRING_STATE, PAIRING_TRANSITIONS, type PairingEvent, type PairingState } from '../../src/security/index.js';
import { ev, HANDLE, Harness, ioCapabilityExchange, PEER } from './harness.js';

describeTableCells('pairing table', 'pairing', PAIRING_TRANSITIONS, Object.values(PAIRING_STATE), Object.values(PAIRING_EVENT));

/** A manager with a link to PEER, brought to `state` by the controller's events. */
function inState(state: PairingState): Harness {
  const h = new Harness();
  h.sm.linkUp(HANDLE, PEER);
  const steps: Record<PairingState, ReturnType<typeof ev.ioCapRequest>[]> = {
    IDLE: [],
    IO_CAP_LOCAL_DONE: [ev.ioCapRequest()],
    IO_CAP_REMOTE_DONE: [ev.ioCapResponse(IO_CAPABILITY.DisplayYesNo, 0x04)],
    AUTH_STAGE_1: ioCapabilityExchange(IO_CAPABILITY.DisplayYesNo),
    AUTH_STAGE_2: [...ioCapabilityExchange(IO_CAPABILITY.DisplayYesNo), ev.sspComplete(0)],
    LEGACY_PIN: [ev.pinRequest()],
  };
  for (const e of steps[state]) h.feed(e);
  return h;
}

const DRIVERS: Record<PairingEvent, (h: Harness) => void> = {
  IO_Capability_Request: (h) => h.feed(ev.ioCapRequest()),
  IO_Capability_Response: (h) => h.feed(ev.ioCapResponse(IO_CAPABILITY.DisplayYesNo, 0x04)),
  User_Confirmation_Request: (h) => h.feed(ev.confirm(123456)),
  User_Passkey_Request: (h) => h.feed(ev.passkeyRequest()),
  User_Passkey_Notification: (h) => h.feed(ev.passkeyNotification(123456)),
  Remote_OOB_Data_Request: (h) => h.feed(ev.oobRequest()),
  Simple_Pairing_Complete: (h) => h.feed(ev.sspComplete(0)),
  Simple_Pairing_Failed: (h) => h.feed(ev.sspComplete(0x05)),
  PIN_Code_Request: (h) => h.feed(ev.pinRequest()),
  Link_Key_Notification: (h) => h.feed(ev.linkKeyNotification(0x04)),
  Authentication_Failed: (h) => h.feed(ev.authComplete(0x05)),
  Link_Down: (h) => h.sm.linkDown(HANDLE, 0x08),
};

describe('pairing table, every edge driven through the SecurityManager', () => {
  it.each(tableEdges(PAIRING_TRANSITIONS))('$from × $event → $to', ({ from, event, to }) => {
    const h = inState(from);
    const before = h.sm.pairingMachine.history().length;
    DRIVERS[event](h);
    const after = h.sm.pairingMachine.history().slice(before);
    expect(after.filter((r) => r.kind === 'fault')).toEqual([]);
    expect(after).toContainEqual(expect.objectContaining({ kind: 'change', from, event, to }));
    expect(h.types()).not.toContain('pairing-error');
  });
});

describe('events out of order', () => {
  it('a User Confirmation Request with no IO capability exchange: the negative reply and a pairing-error, no prompt', () => {
    const h = inState('IDLE');
    const out = h.feed(ev.confirm(123456));
    expect(out.commands).toEqual([{ name: 'User Confirmation Request Negative Reply', bdaddr: PEER }]);
    expect(h.types(out.events)).toEqual(['pairing-error']);
    expect(out.events[0]).toMatchObject({ type: 'pairing-error', address: PEER, state: 'IDLE', event: 'User_Confirmation_Request' });
  });

  it('a User Passkey Request before the peer\'s IO capabilities: the negative reply, no prompt', () => {
    const h = inState('IO_CAP_LOCAL_DONE');
    const out = h.feed(ev.passkeyRequest());
    expect(out.commands).toEqual([{ name: 'User Passkey Request Negative Reply', bdaddr: PEER }]);
    expect(h.types(out.events)).toEqual(['pairing-error']);
  });

  it('a PIN Code Request in the middle of Secure Simple Pairing: the negative reply', () => {
    const h = inState('AUTH_STAGE_1');
    const out = h.feed(ev.pinRequest());
    expect(out.commands).toEqual([{ name: 'PIN Code Request Negative Reply', bdaddr: PEER }]);
    expect(h.types(out.events)).toEqual(['pairing-error']);
  });

  it('a Link Key Notification with no pairing under way: not taken (no paired, no key stored)', () => {
    const h = inState('IDLE');
    const out = h.feed(ev.linkKeyNotification(0x05));
    expect(h.types(out.events)).toEqual(['pairing-error']);
    expect(h.store.size).toBe(0);
    expect(h.sm.linkSecurity(HANDLE)).toMatchObject({ authenticated: false });
  });

  it('the same notification at the end of a pairing is taken', () => {
    const h = inState('AUTH_STAGE_2');
    expect(h.types(h.feed(ev.linkKeyNotification(0x05)).events)).toEqual(['paired', 'authenticated', 'key-stored']);
    expect(h.store.size).toBe(1);
  });

  it('a fault keeps the state: the pairing under way goes on', () => {
    const h = inState('AUTH_STAGE_1');
    h.feed(ev.pinRequest());
    expect(h.types(h.feed(ev.sspComplete(0)).events)).toEqual([]);
    expect(h.types(h.feed(ev.linkKeyNotification(0x04)).events)).toEqual(['paired', 'authenticated', 'key-stored']);
  });
});
