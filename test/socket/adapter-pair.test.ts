/**
 * `adapter.pair(address)` (what `btc pair` runs): a bond without a channel on two virtual
 * adapters. Both key stores end with the same key; a second pair uses the stored key (no new
 * pairing); MITM asked of a device that can only do Just Works rejects with EACCES; a device that
 * does not answer the page rejects with EACCES and the page timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyStore } from '../../src/security/index.js';
import { Adapter, SocketError, type AdapterOptions } from '../../src/socket/index.js';

const open: Adapter[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
});

async function adapter(options: AdapterOptions = {}): Promise<Adapter> {
  const a = await Adapter.open('virtual', options);
  open.push(a);
  return a;
}

describe('adapter.pair', () => {
  it('bonds without a channel: both sides store the same key; pairing again uses it', async () => {
    const ours = new MemoryKeyStore();
    const theirs = new MemoryKeyStore();
    const device = await adapter({ pairing: { keys: theirs } });
    const host = await adapter({ pairing: { keys: ours } });
    let channels = 0;
    device.watch((e) => {
      if (e.type === 'rfcomm-open' || e.type === 'l2cap-open') channels++;
    });
    const first = await host.pair(device.address, { security: 'encrypted' });
    expect(first.keyType).toBe(ours.get(device.address)!.keyType);
    expect(ours.get(device.address)!.linkKey).toEqual(theirs.get(host.address)!.linkKey);
    expect(channels).toBe(0);
    expect(await host.pair(device.address)).toEqual({});
  });

  it('rejects with EACCES when MITM is asked of a device with no display or keyboard', async () => {
    const device = await adapter();
    const host = await adapter({ pairing: { ioCapability: 'DisplayYesNo', onConfirm: () => true } });
    const failure = await host.pair(device.address, { security: 'mitm' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SocketError);
    expect(failure).toMatchObject({ code: 'EACCES', securityFailure: 'mitm-unavailable' });
  });

  it('rejects with EACCES and the page timeout when nobody answers; a bad address is an ArgumentError', async () => {
    const host = await adapter();
    await expect(host.pair('00:11:22:33:44:55')).rejects.toMatchObject({ code: 'EACCES', hciStatus: 0x04 });
    expect(() => host.pair('nope')).toThrow(/nope/);
  });
});
