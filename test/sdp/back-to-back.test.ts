/** An SdpClient and an SdpServer joined by a test pump, as two stacks would be over PSM 1. */
import { describe, expect, it } from 'vitest';
import { Uuid } from '../../src/core/index.js';
import {
  SdpClient,
  type SdpClientEvent,
  type SdpClientOptions,
  SdpDatabase,
  SdpServer,
  type SdpServerOptions,
  findServices,
  l2capServiceRecord,
  parseServices,
  serialPortRecord,
} from '../../src/sdp/index.js';

const CUSTOM = Uuid.parse('8ce255c0-200a-11e0-ac64-0800200c9a66');

function pair(clientOpts: SdpClientOptions = {}, serverOpts: SdpServerOptions = {}) {
  const db = new SdpDatabase();
  const server = new SdpServer(db, serverOpts);
  const client = new SdpClient(clientOpts);
  let exchanges = 0;
  const pump = (): SdpClientEvent[] => {
    const events: SdpClientEvent[] = [];
    for (let pdu = client.pollTransmit(); pdu; pdu = client.pollTransmit()) {
      exchanges++;
      client.receive(server.handle('cid-0x40', pdu), 0);
    }
    for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
    return events;
  };
  return { db, server, client, pump, exchanges: () => exchanges };
}

function advertise(db: SdpDatabase) {
  db.add(serialPortRecord({ channel: 1, name: 'Plain serial' }));
  db.add(serialPortRecord({ channel: 5, name: 'Chat server', uuid: CUSTOM, description: 'A chat', provider: 'Tests' }));
  db.add(l2capServiceRecord({ psm: 0x1003, name: 'Raw L2CAP', uuid: Uuid.parse('11112222-3333-4444-5555-666677778888') }));
}

describe('SDP client and server back to back', () => {
  it('finds SPP records by 0x1101 through many continuations (MaximumAttributeByteCount 16)', () => {
    const { db, client, pump, exchanges } = pair({ maxAttributeByteCount: 16 });
    advertise(db);
    const id = client.serviceSearchAttribute([Uuid.from16(0x1101)], 0);
    const [ev] = pump();
    expect(ev).toMatchObject({ type: 'records', requestId: id });
    if (ev.type !== 'records') return;
    expect(exchanges()).toBeGreaterThan(10);
    expect(client.stats.continuations).toBe(exchanges() - 1);
    const services = parseServices(ev.records);
    expect(services.map((s) => [s.name, s.protocol, s.channel])).toEqual([
      ['Plain serial', 'RFCOMM', 1],
      ['Chat server', 'RFCOMM', 5],
    ]);
  });

  it('finds a service by its custom 128-bit UUID, given as 128 bits', () => {
    const { db, client, pump } = pair({ maxAttributeByteCount: 7 });
    advertise(db);
    client.serviceSearchAttribute([CUSTOM], 0);
    const [ev] = pump();
    if (ev.type !== 'records') throw new Error(ev.type);
    expect(parseServices(ev.records)).toMatchObject([
      { name: 'Chat server', description: 'A chat', provider: 'Tests', protocol: 'RFCOMM', channel: 5, handle: 0x00010001 },
    ]);
  });

  it('finds by name, PyBluez find_service style, by browsing the public root', () => {
    const { db, client, pump } = pair({ maxAttributeByteCount: 32 });
    advertise(db);
    client.serviceSearchAttribute([Uuid.from16(0x1002)], 0);
    const [ev] = pump();
    if (ev.type !== 'records') throw new Error(ev.type);
    const all = parseServices(ev.records);
    expect(all).toHaveLength(3);
    expect(findServices(all, { name: 'Raw L2CAP' })).toMatchObject([{ protocol: 'L2CAP', psm: 0x1003 }]);
    expect(findServices(all, { uuid: CUSTOM }).map((s) => s.name)).toEqual(['Chat server']);
    expect(findServices(all, { uuid: Uuid.from16(0x1101), name: 'Plain serial' }).map((s) => s.channel)).toEqual([1]);
    expect(findServices(all, { name: 'nobody' })).toEqual([]);
  });

  it('ServiceSearch then ServiceAttribute, over a 48-byte MTU', () => {
    const { db, client, pump } = pair({ maxAttributeByteCount: 0xffff }, { mtu: 48 });
    for (let ch = 1; ch <= 20; ch++) db.add(serialPortRecord({ channel: ch, name: `port ${ch}` }));
    client.serviceSearch([Uuid.from16(0x1101)], 0);
    const [found] = pump();
    if (found.type !== 'handles') throw new Error(found.type);
    expect(found.handles).toHaveLength(20);
    client.serviceAttribute(found.handles[19], 0, [0x0100, 0x0004]);
    const [attrs] = pump();
    if (attrs.type !== 'record') throw new Error(attrs.type);
    expect(parseServices([attrs.record])).toMatchObject([{ name: 'port 20', channel: 20 }]);
  });

  it('an unknown handle comes back as error-response 0x0002', () => {
    const { client, pump } = pair();
    client.serviceAttribute(0x00123456, 0);
    expect(pump()).toEqual([{ type: 'error-response', requestId: 1, errorCode: 2, errorName: 'Invalid Service Record Handle' }]);
  });

  it('a server that needs too many continuations trips the client cap', () => {
    const { db, client, pump } = pair({ maxAttributeByteCount: 7, maxContinuations: 5 });
    advertise(db);
    client.serviceSearchAttribute([Uuid.from16(0x1101)], 0);
    expect(pump()).toMatchObject([{ type: 'failed', reason: 'too-many-continuations' }]);
  });
});
