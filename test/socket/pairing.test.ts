/**
 * Pairing through the socket API on virtual adapters: the typed hooks, security levels on connect
 * and on listen, EACCES when pairing fails, bonds kept in a JSON key file across restarts, and
 * legacy PIN.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, RFCOMM, type AdapterOptions, type SecurityLevel } from '../../src/socket/index.js';

const open: Adapter[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
});

async function adapter(options: AdapterOptions): Promise<Adapter> {
  const a = await Adapter.open('virtual', options);
  open.push(a);
  return a;
}

/** Server listening on `channel` with `security`; resolves the accepted socket. */
function serve(server: Adapter, channel: number, security: SecurityLevel = 'none'): Promise<BluetoothSocket> {
  const l = new BluetoothSocket(RFCOMM, { adapter: server, security });
  l.bind(['', channel]);
  l.listen(1);
  return l.accept().then(([s]) => s);
}

describe('pairing through the socket API', () => {
  it('numeric comparison: both hooks see the same six digits; the secured channel carries data', async () => {
    const seen: number[] = [];
    const pairing = { ioCapability: 'DisplayYesNo' as const, mitm: true, onConfirm: (v: number) => (seen.push(v), true) };
    const server = await adapter({ pairing });
    const client = await adapter({ pairing });
    const accepted = serve(server, 1, 'mitm');
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'mitm' });
    await sock.connect([server.address, 1]);
    const conn = await accepted;
    await sock.send('secret');
    expect((await conn.recv(10)).toString()).toBe('secret');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    sock.close();
  });

  it('a refused comparison fails connect with EACCES and a reason', async () => {
    const server = await adapter({ pairing: { ioCapability: 'DisplayYesNo', mitm: true, onConfirm: () => false } });
    const client = await adapter({ pairing: { ioCapability: 'DisplayYesNo', mitm: true, onConfirm: () => true } });
    void serve(server, 1, 'mitm').catch(() => undefined);
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'mitm' });
    const error = await sock.connect([server.address, 1]).catch((e) => e);
    expect(error).toMatchObject({ code: 'EACCES' });
    expect(String(error.message)).toMatch(/fail|reject|authentication/i);
  });

  it('without hooks the safe default refuses a numeric comparison', async () => {
    const server = await adapter({ pairing: { ioCapability: 'DisplayYesNo', mitm: true } });
    const client = await adapter({ pairing: { ioCapability: 'DisplayYesNo', mitm: true } });
    void serve(server, 1).catch(() => undefined);
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'mitm' });
    await expect(sock.connect([server.address, 1])).rejects.toMatchObject({ code: 'EACCES' });
  });

  it('bonds survive a restart in JSON key files: the reconnection asks nobody', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btc-keys-'));
    let prompts = 0;
    const pairing = (file: string) => ({ ioCapability: 'DisplayYesNo' as const, mitm: true, keys: join(dir, file), onConfirm: () => (prompts++, true) });
    for (let round = 0; round < 2; round++) {
      const server = await adapter({ pairing: pairing('server.json') });
      const client = await adapter({ pairing: pairing('client.json') });
      const accepted = serve(server, 1, 'mitm');
      const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'mitm' });
      await sock.connect([server.address, 1]);
      await accepted;
      sock.close();
      for (const a of open.splice(0)) await a.close();
      if (round === 0) expect(prompts).toBe(2);
    }
    expect(prompts).toBe(2);
  });

  it('legacy PIN pairing with a fixed PIN', async () => {
    const legacy = (pin: string): AdapterOptions => ({ pairing: { pin }, stack: { hci: { simplePairing: false } } });
    const server = await adapter(legacy('1234'));
    const client = await adapter(legacy('1234'));
    const accepted = serve(server, 1, 'authenticated');
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'authenticated' });
    await sock.connect([server.address, 1]);
    await accepted;
    sock.close();
  });

  it('legacy PIN pairing with different PINs fails with EACCES', async () => {
    const legacy = (pin: string): AdapterOptions => ({ pairing: { pin }, stack: { hci: { simplePairing: false } } });
    const server = await adapter(legacy('1234'));
    const client = await adapter(legacy('9999'));
    void serve(server, 1, 'authenticated').catch(() => undefined);
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'authenticated' });
    await expect(sock.connect([server.address, 1])).rejects.toMatchObject({ code: 'EACCES' });
  });
});
