/**
 * Arguments of the socket API that cannot work are refused at the call with ArgumentError and a
 * message that says what is accepted: a security level on a socket, and what `Adapter.open` takes
 * (a spec string, an options object, a PIN of 1 to 16 octets, a known IO capability, a key file it
 * may read). Nothing is left open behind a refusal.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/index.js';
import { Adapter, BluetoothSocket, L2CAP, RFCOMM, type AdapterOptions, type SecurityLevel } from '../../src/socket/index.js';

describe('argument checks at the socket API', () => {
  it.each([
    ['RFCOMM', RFCOMM],
    ['L2CAP', L2CAP],
  ] as const)('a %s socket with an unknown security level is refused when it is made, before listen or connect', (_name, proto) => {
    const make = () => new BluetoothSocket(proto, { security: 'high' as SecurityLevel });
    expect(make).toThrow(ArgumentError);
    expect(make).toThrow('security level must be one of none, authenticated, encrypted, mitm, got "high"');
  });

  it.each([
    ['null', null, 'got null'],
    ['42', 42, 'got 42'],
    ['an object', { transport: 'virtual' }, 'got an object'],
  ])('Adapter.open(%s) says it takes a transport spec string', async (_name, spec, got) => {
    const open = Adapter.open(spec as unknown as string);
    await expect(open).rejects.toThrow(ArgumentError);
    await expect(Adapter.open(spec as unknown as string)).rejects.toThrow(/^Adapter\.open takes a transport spec string \(virtual, h4:unix:/);
    await expect(Adapter.open(spec as unknown as string)).rejects.toThrow(got);
  });

  it.each([
    ['null options', null, /^Adapter\.open takes an options object as its second argument .*, got null$/],
    ['a string as options', 'fast', /^Adapter\.open takes an options object .*, got "fast"$/],
    ['a PIN of 20 digits', { pairing: { pin: '1'.repeat(20) } }, /^options\.pairing\.pin: a PIN is 1 to 16 octets \(a string counts as UTF-8\), got 20$/],
    ['an empty PIN', { pairing: { pin: '' } }, /^options\.pairing\.pin: a PIN is 1 to 16 octets .*, got 0$/],
    ['a PIN that is a number', { pairing: { pin: 1234 } }, /^options\.pairing\.pin: a PIN is 1 to 16 octets .*, got 1234$/],
    ['an unknown IO capability', { pairing: { ioCapability: 'Keyboard' } }, /^options\.pairing\.ioCapability must be one of DisplayOnly, DisplayYesNo, KeyboardOnly, NoInputNoOutput, got "Keyboard"$/],
  ])('Adapter.open with %s is refused before anything opens', async (_name, options, message) => {
    await expect(Adapter.open('virtual', options as unknown as AdapterOptions)).rejects.toThrow(ArgumentError);
    await expect(Adapter.open('virtual', options as unknown as AdapterOptions)).rejects.toThrow(message);
  });

  it('Adapter.open with a key file others may read is refused, saying to chmod 600', async () => {
    const keys = join(mkdtempSync(join(tmpdir(), 'btc-keys-')), 'keys.json');
    writeFileSync(keys, JSON.stringify({ version: 1, keys: {} }));
    chmodSync(keys, 0o644);
    await expect(Adapter.open('virtual', { pairing: { keys } })).rejects.toThrow(ArgumentError);
    await expect(Adapter.open('virtual', { pairing: { keys } })).rejects.toThrow(`run chmod 600 ${keys}`);
    chmodSync(keys, 0o600);
    const adapter = await Adapter.open('virtual', { pairing: { keys } });
    await adapter.close();
  });
});
