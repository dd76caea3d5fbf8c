/**
 * Pairing through the socket API on virtual adapters: the typed hooks, security levels on connect
 * and on listen, EACCES when pairing fails, bonds kept in a JSON key file across restarts, and
 * legacy PIN.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Adapter, BluetoothSocket, RFCOMM, type AdapterOptions, type PairingOptions, type SecurityLevel } from '../../src/socket/index.js';

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

  /** Client and server DisplayYesNo with MITM: the client's secured connect, with each side's onConfirm. */
  async function failedConnect(client: Partial<PairingOptions>, server: Partial<PairingOptions>): Promise<Error & { code?: string }> {
    const base = { ioCapability: 'DisplayYesNo' as const, mitm: true, onConfirm: () => true };
    const s = await adapter({ pairing: { ...base, ...server } });
    const c = await adapter({ pairing: { ...base, ...client } });
    void serve(s, 1, 'mitm').catch(() => undefined);
    const sock = new BluetoothSocket(RFCOMM, { adapter: c, security: 'mitm' });
    return sock.connect([s.address, 1]).then(
      () => Promise.reject(new Error('connect should have failed')),
      (e: Error & { code?: string }) => e,
    );
  }

  it.each([
    ['the local user rejects', { onConfirm: () => false }, {}, 'rejected-by-user'],
    ['the local hook throws (counts as a refusal)', { onConfirm: () => { throw new Error('no UI'); } }, {}, 'rejected-by-user'],
    ['the local hook does not answer within timeoutMs', { timeoutMs: 50, onConfirm: () => new Promise<boolean>(() => undefined) }, {}, 'user-timeout'],
    ['the peer rejects', {}, { onConfirm: () => false }, 'authentication-failed'],
  ] as [string, Partial<PairingOptions>, Partial<PairingOptions>, string][])('%s: connect fails with EACCES, that failure and Authentication Failure (0x05)', async (_what, client, server, securityFailure) => {
    const error = await failedConnect(client, server);
    expect(error).toMatchObject({ code: 'EACCES', reason: 'security', securityFailure, hciStatus: 0x05 });
  });

  it('passkey entry: onPasskeyDisplay shows the passkey, onPasskeyRequest types it, the secured channel opens', async () => {
    let show!: (v: { passkey: number; address: string }) => void;
    const shown = new Promise<{ passkey: number; address: string }>((resolve) => (show = resolve));
    const asked: string[] = [];
    const server = await adapter({ pairing: { ioCapability: 'DisplayOnly', mitm: true, onPasskeyDisplay: (passkey, address) => show({ passkey, address }) } });
    const client = await adapter({
      pairing: { ioCapability: 'KeyboardOnly', mitm: true, onPasskeyRequest: async (address) => (asked.push(address), (await shown).passkey) },
    });
    const accepted = serve(server, 1, 'mitm');
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'mitm' });
    await sock.connect([server.address, 1]);
    await accepted;
    expect(asked).toEqual([server.address]);
    const display = await shown;
    expect(display.address).toBe(client.address);
    expect(display.passkey).toBeGreaterThanOrEqual(0);
    expect(display.passkey).toBeLessThanOrEqual(999_999);
    sock.close();
  });

  it('passkey entry: a wrongly typed passkey fails connect with EACCES', async () => {
    let show!: (passkey: number) => void;
    const shown = new Promise<number>((resolve) => (show = resolve));
    const server = await adapter({ pairing: { ioCapability: 'DisplayOnly', mitm: true, onPasskeyDisplay: (passkey) => show(passkey) } });
    const client = await adapter({ pairing: { ioCapability: 'KeyboardOnly', mitm: true, onPasskeyRequest: async () => ((await shown) + 1) % 1_000_000 } });
    void serve(server, 1, 'mitm').catch(() => undefined);
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'mitm' });
    const error = await sock.connect([server.address, 1]).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'EACCES', message: 'EACCES: authentication failed (Authentication Failure 0x05): the values did not match or the peer refused' });
  });

  it('legacy PIN: onPinRequest answers on both sides (and wins over a fixed pin)', async () => {
    const asked: string[] = [];
    const legacy = (): AdapterOptions => ({ pairing: { pin: '0000', onPinRequest: (address) => (asked.push(address), '8642') }, stack: { hci: { simplePairing: false } } });
    const server = await adapter(legacy());
    const client = await adapter(legacy());
    const accepted = serve(server, 1, 'authenticated');
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'authenticated' });
    await sock.connect([server.address, 1]);
    await accepted;
    expect(asked.sort()).toEqual([client.address, server.address].sort());
    sock.close();
  });

  it('legacy PIN: onPinRequest resolving null refuses, and connect fails with EACCES naming the missing PIN', async () => {
    const server = await adapter({ pairing: { onPinRequest: () => '1234' }, stack: { hci: { simplePairing: false } } });
    const client = await adapter({ pairing: { onPinRequest: () => null }, stack: { hci: { simplePairing: false } } });
    void serve(server, 1, 'authenticated').catch(() => undefined);
    const sock = new BluetoothSocket(RFCOMM, { adapter: client, security: 'authenticated' });
    const error = await sock.connect([server.address, 1]).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'EACCES', message: 'EACCES: pairing rejected by the user (PIN or Key Missing 0x06)' });
  });

  it('security per server channel: a client without MITM connects to the open channel and gets ECONNREFUSED on the mitm one', async () => {
    const server = await adapter({ pairing: { ioCapability: 'DisplayYesNo', onConfirm: () => true } });
    const client = await adapter({ pairing: { ioCapability: 'NoInputNoOutput' } });
    const open = serve(server, 1, 'none');
    void serve(server, 2, 'mitm').catch(() => undefined);
    const first = new BluetoothSocket(RFCOMM, { adapter: client });
    await first.connect([server.address, 1]);
    await open;
    const second = new BluetoothSocket(RFCOMM, { adapter: client });
    const error = await second.connect([server.address, 2]).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', message: 'ECONNREFUSED: the peer refused server channel 2 (DM)' });
    await first.send('still here');
    first.close();
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
