/**
 * The HCI connection state table (src/hci/connection-state.ts; Core v5.4 Vol 4 Part E §7.1.6,
 * §7.7.3, §7.7.5): the machine against every cell of its table, then every edge driven through an
 * HciHost by the scripted controller, checked against the recorded history.
 */
import { describe, expect, it } from 'vitest';
import { describeTableCells } from '../support/state-table-cells.js';
import { tableEdges } from '../../src/core/index.js';
import { CONNECTION_EVENT, CONNECTION_STATE, CONNECTION_TRANSITIONS, type ConnectionEvent, type ConnectionState, HciHost } from '../../src/hci/index.js';
import { ScriptedController } from './scripted-controller.js';

const PEER = '00:11:22:33:44:55';
const OTHER = '00:11:22:33:44:66';

describeTableCells('HCI connection table', 'HCI connection', CONNECTION_TRANSITIONS, Object.values(CONNECTION_STATE), Object.values(CONNECTION_EVENT));

function connected(): ScriptedController {
  const c = ScriptedController.ready(new HciHost());
  c.sendEvent({ name: 'Connection Request', bdaddr: PEER, classOfDevice: 0x5a020c, linkType: 1 });
  c.pump();
  c.sendEvent({ name: 'Connection Complete', status: 0, handle: 0x0b, bdaddr: PEER, linkType: 1, encryptionEnabled: 0 });
  c.clear();
  return c;
}

function disconnecting(): ScriptedController {
  const c = connected();
  c.host.disconnect(0x0b, 0x13, 0);
  c.pump();
  return c;
}

function path(c: ScriptedController): string[] {
  const h = c.host.stateHistory();
  expect(h.filter((r) => r.kind === 'fault')).toEqual([]);
  return h.flatMap((r) => (r.kind === 'change' ? [`${r.from} -${r.event}-> ${r.to}`] : []));
}

const SETUPS: Record<ConnectionState, (() => ScriptedController) | undefined> = { CLOSED: undefined, CONNECTED: connected, DISCONNECTING: disconnecting };
const DRIVERS: Record<ConnectionEvent, (c: ScriptedController) => void> = {
  Connection_Complete: (c) => c.sendEvent({ name: 'Connection Complete', status: 0, handle: 0x0c, bdaddr: OTHER, linkType: 1, encryptionEnabled: 0 }),
  Disconnect: (c) => c.host.disconnect(0x0b, 0x13, 0),
  Disconnection_Complete: (c) => c.sendEvent({ name: 'Disconnection Complete', status: 0, handle: 0x0b, reason: 0x16 }),
  Disconnect_Failed: (c) => c.sendEvent({ name: 'Disconnection Complete', status: 0x0c, handle: 0x0b, reason: 0 }),
  Handle_Reused: (c) => c.sendEvent({ name: 'Connection Complete', status: 0, handle: 0x0b, bdaddr: OTHER, linkType: 1, encryptionEnabled: 0 }),
};

describe('HCI connection edges, driven through the host', () => {
  const covered = new Set<string>();

  it('a Connection Complete opens a handle', () => {
    const c = connected();
    expect(path(c)).toEqual(['CLOSED -Connection_Complete-> CONNECTED']);
    expect(c.host.connectionState(0x0b)).toBe('CONNECTED');
    covered.add('CLOSED -Connection_Complete-> CONNECTED');
  });

  it.each(tableEdges(CONNECTION_TRANSITIONS).filter(({ from }) => from !== CONNECTION_STATE.CLOSED))('$from × $event → $to', ({ from, event, to }) => {
    const c = SETUPS[from]!();
    const before = path(c).length;
    DRIVERS[event](c);
    const p = path(c);
    expect(p[before]).toBe(`${from} -${event}-> ${to}`);
    for (const line of p) covered.add(line);
    if (to === CONNECTION_STATE.CLOSED) expect(c.of('disconnected')).toMatchObject([{ type: 'disconnected', handle: 0x0b }]);
    else expect(c.host.connectionState(0x0b)).toBe(to);
  });

  it('the scenarios above drove every edge of the table', () => {
    const all = tableEdges(CONNECTION_TRANSITIONS).map(({ from, event, to }) => `${from} -${event}-> ${to}`);
    expect(all.filter((e) => !covered.has(e))).toEqual([]);
  });
});
