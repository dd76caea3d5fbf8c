/**
 * Pairing and secured channels between two composed stacks on the virtual controller (issue 8):
 * Just Works, numeric comparison accepted and rejected, every IO capability pair end to end,
 * bonding then reconnection with the stored key and no prompt, legacy PIN right and wrong, security
 * per RFCOMM server channel (checked at the SABM: UA or DM) and on a raw L2CAP PSM (result 0x0003),
 * and the encryption key size check (KNOB) with controllers that report 16 or 6 octets.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/index.js';
import type { StackOptions } from '../../src/stack/stack.js';
import { associationModel, IO_CAPABILITIES, isAuthenticatedKeyType, type IoCapability, type SecurityEvent } from '../../src/security/index.js';
import { PacketDecoder } from '../../src/trace/index.js';
import { VirtualController, type VirtualControllerOptions } from '../../src/transport/virtual/controller.js';
import { VirtualLink } from '../../src/transport/virtual/link.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';

function pair(a: StackOptions = {}, b: StackOptions = {}, controllers: [VirtualControllerOptions, VirtualControllerOptions] = [{}, {}]): { net: VirtualNet; a: NetNode; b: NetNode } {
  const net = new VirtualNet();
  const na = net.add({ stack: a, controller: controllers[0], trace: true });
  const nb = net.add({ stack: b, controller: controllers[1], trace: true });
  net.ready(na, nb);
  return { net, a: na, b: nb };
}

/** What `node` sent, one line per layer (btmon style). */
function sent(node: NetNode): string[] {
  const decoder = new PacketDecoder();
  return node.packets!.flatMap((p) => decoder.describe(p.direction, p.bytes).map((l) => `${p.direction} ${l.trim()}`)).filter((l) => l.startsWith('tx'));
}

function securityEvents(node: NetNode): SecurityEvent[] {
  return node.events.flatMap((e) => (e.type === 'security' ? [e.event] : []));
}

/** Answers every prompt of `node` with `answer` as it appears. */
function autoAnswer(node: NetNode, answer: { confirm?: boolean; pin?: string | null; passkey?: number | null }, net: VirtualNet): void {
  node.listeners.push((e) => {
    if (e.type !== 'security') return;
    const s = e.event;
    if (s.type === 'confirm-request' && answer.confirm !== undefined) node.stack.answerConfirm(s.id, answer.confirm, net.now);
    if (s.type === 'pin-request' && answer.pin !== undefined) node.stack.answerPin(s.id, answer.pin, net.now);
    if (s.type === 'passkey-request' && answer.passkey !== undefined) node.stack.answerPasskey(s.id, answer.passkey, net.now);
  });
}

function connectSecured(net: VirtualNet, a: NetNode, b: NetNode, channel: number, level: 'authenticated' | 'encrypted' | 'mitm') {
  const id = a.stack.connectRfcomm(b.stack.address, channel, net.now, level);
  let result: { type: 'rfcomm-open' | 'rfcomm-closed'; reason?: string; message?: string } | undefined;
  net.runUntil(() => {
    const open = net.take(a, 'rfcomm-open', (e) => e.id === id);
    const closed = net.take(a, 'rfcomm-closed', (e) => e.id === id);
    result = open ?? closed;
    return result !== undefined;
  }, 120_000);
  return { id, result: result! };
}

describe('pairing and security on the virtual controller', () => {
  it('Just Works (both NoInputNoOutput): encrypted channel opens without a prompt, keys are stored', () => {
    const { net, a, b } = pair();
    b.stack.listenRfcomm(1);
    const { result } = connectSecured(net, a, b, 1, 'encrypted');
    expect(result.type).toBe('rfcomm-open');
    const types = securityEvents(a).map((e) => e.type);
    expect(types).toContain('paired');
    expect(types).toContain('encryption-changed');
    expect(types).not.toContain('confirm-request');
    expect(securityEvents(b).map((e) => e.type)).toContain('key-stored');
  });

  it('numeric comparison: both users see the same value and accept', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo', mitm: true } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: true }, net);
    b.stack.listenRfcomm(1);
    const { result } = connectSecured(net, a, b, 1, 'mitm');
    expect(result.type).toBe('rfcomm-open');
    const va = securityEvents(a).find((e) => e.type === 'confirm-request');
    const vb = securityEvents(b).find((e) => e.type === 'confirm-request');
    expect(va && vb && va.type === 'confirm-request' && vb.type === 'confirm-request' && va.numericValue === vb.numericValue).toBe(true);
  });

  it('numeric comparison rejected by the peer: the secured connect fails with a reason', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo', mitm: true } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: false }, net);
    b.stack.listenRfcomm(1);
    const { result } = connectSecured(net, a, b, 1, 'mitm');
    expect(result.type).toBe('rfcomm-closed');
    expect(result.reason).toBe('security');
    expect(securityEvents(a)).toContainEqual(expect.objectContaining({ type: 'pairing-failed', address: b.stack.address, status: 0x05 }));
  });

  it('bonding, then a reconnection uses the stored key with no user interaction', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo', mitm: true } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: true }, net);
    b.stack.listenRfcomm(1);
    const first = connectSecured(net, a, b, 1, 'mitm');
    expect(first.result.type).toBe('rfcomm-open');
    a.stack.closeRfcomm(first.id, net.now);
    net.expect(a, 'link-down');
    a.events.length = 0;
    const second = connectSecured(net, a, b, 1, 'mitm');
    expect(second.result.type).toBe('rfcomm-open');
    const types = securityEvents(a).map((e) => e.type);
    expect(types).not.toContain('confirm-request');
    expect(types).toContain('authenticated');
  });

  it('legacy PIN: the same PIN on both sides pairs', () => {
    const legacy: StackOptions = { hci: { simplePairing: false } };
    const { net, a, b } = pair(legacy, legacy);
    autoAnswer(a, { pin: '1234' }, net);
    autoAnswer(b, { pin: '1234' }, net);
    b.stack.listenRfcomm(1);
    expect(connectSecured(net, a, b, 1, 'authenticated').result.type).toBe('rfcomm-open');
    expect(securityEvents(a).some((e) => e.type === 'pin-request')).toBe(true);
  });

  it('legacy PIN: a wrong PIN fails the pairing and the channel', () => {
    const legacy: StackOptions = { hci: { simplePairing: false } };
    const { net, a, b } = pair(legacy, legacy);
    autoAnswer(a, { pin: '1234' }, net);
    autoAnswer(b, { pin: '0000' }, net);
    b.stack.listenRfcomm(1);
    const { result } = connectSecured(net, a, b, 1, 'authenticated');
    expect(result.type).toBe('rfcomm-closed');
    expect(result.reason).toBe('security');
    expect(securityEvents(a).some((e) => e.type === 'pairing-failed')).toBe(true);
  });

  it('a secured server channel answers the SABM with DM when the pairing it starts fails', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo', mitm: true } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: false }, net);
    b.stack.listenRfcomm(1, 'mitm');
    const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === id, 120_000);
    expect(closed).toMatchObject({ reason: 'refused', message: 'the peer refused server channel 1 (DM)' });
    expect(b.events.some((e) => e.type === 'rfcomm-open')).toBe(false);
    const wire = sent(b);
    expect(wire.some((l) => / UA dlci=2 /.test(l))).toBe(false);
    expect(wire.some((l) => / DM dlci=2 cr=\d pf=1 /.test(l))).toBe(true);
    expect(wire.some((l) => /ConnRsp .*result=0 /.test(l))).toBe(true);
  });

  it('security is per RFCOMM server channel: a client without MITM opens the "none" channel and is refused on the "mitm" one', () => {
    const { net, a, b } = pair({ security: { ioCapability: 'NoInputNoOutput' } }, { security: { ioCapability: 'DisplayYesNo' } });
    autoAnswer(b, { confirm: true }, net);
    b.stack.listenRfcomm(1, 'none');
    b.stack.listenRfcomm(2, 'mitm');
    const open = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    net.expect(a, 'rfcomm-open', (e) => e.id === open, 120_000);
    net.expect(b, 'rfcomm-open', (e) => e.channel === 1);
    expect(securityEvents(a).map((e) => e.type)).not.toContain('paired');
    const refused = a.stack.connectRfcomm(b.stack.address, 2, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === refused, 120_000);
    expect(closed).toMatchObject({ reason: 'refused', message: 'the peer refused server channel 2 (DM)' });
    // Pairing ran (Just Works: the key is unauthenticated), and the server refused the DLC for it.
    expect(securityEvents(a).find((e) => e.type === 'paired')).toMatchObject({ keyType: expect.any(Number) });
    expect(securityEvents(b).find((e) => e.type === 'security-complete')).toMatchObject({ ok: false, level: 'mitm', failure: 'mitm-unavailable' });
    expect(b.events.some((e) => e.type === 'rfcomm-open' && e.channel === 2)).toBe(false);
    expect(sent(b).some((l) => / DM dlci=4 cr=\d pf=1 /.test(l))).toBe(true);
    // Channel 1 was not touched: it still carries data.
    const before = a.events.filter((e) => e.type === 'rfcomm-closed').length;
    a.stack.writeRfcomm(open, Uint8Array.of(1, 2, 3), net.now);
    expect([...net.expect(b, 'rfcomm-data').data]).toEqual([1, 2, 3]);
    expect(a.events.filter((e) => e.type === 'rfcomm-closed').length).toBe(before);
  });

  it('security is per RFCOMM server channel: DisplayYesNo on both sides opens the "mitm" channel after numeric comparison', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo' } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: true }, net);
    b.stack.listenRfcomm(1, 'none');
    b.stack.listenRfcomm(2, 'mitm');
    const id = a.stack.connectRfcomm(b.stack.address, 2, net.now);
    net.expect(a, 'rfcomm-open', (e) => e.id === id, 120_000);
    net.expect(b, 'rfcomm-open', (e) => e.channel === 2);
    for (const node of [a, b]) expect(securityEvents(node).find((e) => e.type === 'confirm-request')).toMatchObject({ model: 'NumericComparison', justWorks: false });
    const paired = securityEvents(a).find((e) => e.type === 'paired');
    expect(paired?.type === 'paired' && isAuthenticatedKeyType(paired.keyType)).toBe(true);
    // The session itself needed no security: its L2CAP channel was accepted at once, not pending.
    expect(sent(b).some((l) => /ConnRsp .*result=1 /.test(l))).toBe(false);
  });

  it('a DISC from the peer while its SABM waits for pairing cancels it: no UA afterwards, the DLC never opens', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo' } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    b.stack.listenRfcomm(1, 'mitm');
    const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    net.runUntil(() => securityEvents(b).some((e) => e.type === 'confirm-request'));
    a.stack.closeRfcomm(id, net.now);
    net.expect(a, 'rfcomm-closed', (e) => e.id === id);
    const prompt = securityEvents(b).find((e) => e.type === 'confirm-request')!;
    b.stack.answerConfirm((prompt as { id: number }).id, true, net.now);
    net.runUntil(() => securityEvents(b).some((e) => e.type === 'security-complete'));
    net.advance(5_000);
    expect(securityEvents(b).find((e) => e.type === 'security-complete')).toMatchObject({ ok: true });
    expect(sent(b).some((l) => / UA dlci=2 /.test(l))).toBe(false);
    expect(b.events.some((e) => e.type === 'rfcomm-open')).toBe(false);
  });

  describe('every IO capability pair end to end, MITM required on both sides (Table 5.7)', () => {
    const PAIRS = IO_CAPABILITIES.flatMap((i) => IO_CAPABILITIES.map((r) => [i, r] as [IoCapability, IoCapability]));

    /** What a side was shown: the confirm prompt with its model, or its part of passkey entry. */
    function seen(node: NetNode): string[] {
      return securityEvents(node).flatMap((e) =>
        e.type === 'confirm-request' ? [`confirm ${e.model}`] : e.type === 'passkey-request' || e.type === 'passkey-display' ? [e.type] : [],
      );
    }

    it.each(PAIRS)('initiator %s, responder %s', (initiatorIo, responderIo) => {
      const { net, a, b } = pair({ security: { ioCapability: initiatorIo, mitm: true } }, { security: { ioCapability: responderIo, mitm: true } });
      // Confirm = yes; a passkey is typed as the other side displays it (both type the same one when neither displays).
      let displayed: number | undefined;
      const waiting: { node: NetNode; id: number }[] = [];
      for (const node of [a, b]) {
        node.listeners.push((e) => {
          if (e.type !== 'security') return;
          const s = e.event;
          if (s.type === 'confirm-request') node.stack.answerConfirm(s.id, true, net.now);
          if (s.type === 'passkey-display') {
            displayed = s.passkey;
            for (const w of waiting.splice(0)) w.node.stack.answerPasskey(w.id, displayed, net.now);
          }
          if (s.type === 'passkey-request' && displayed !== undefined) node.stack.answerPasskey(s.id, displayed, net.now);
          else if (s.type === 'passkey-request') waiting.push({ node, id: s.id });
        });
      }
      b.stack.listenRfcomm(1);
      const id = a.stack.connectRfcomm(b.stack.address, 1, net.now, 'encrypted');
      net.runUntil(() => {
        if (displayed === undefined && waiting.length === 2) for (const w of waiting.splice(0)) w.node.stack.answerPasskey(w.id, 123_456, net.now);
        return a.events.some((e) => (e.type === 'rfcomm-open' || e.type === 'rfcomm-closed') && e.id === id);
      }, 120_000);
      expect(net.take(a, 'rfcomm-open', (e) => e.id === id)).toBeDefined();

      const m = associationModel(initiatorIo, responderIo, true);
      const part = (side: 'initiator' | 'responder') => (m.input === side || m.input === 'both' ? 'passkey-request' : 'passkey-display');
      expect(seen(a)).toEqual(m.model === 'PasskeyEntry' ? [part('initiator')] : [`confirm ${m.model}`]);
      expect(seen(b)).toEqual(m.model === 'PasskeyEntry' ? [part('responder')] : [`confirm ${m.model}`]);
      for (const node of [a, b]) {
        const paired = securityEvents(node).filter((e) => e.type === 'paired');
        expect(paired).toHaveLength(1);
        expect(paired[0].type === 'paired' && isAuthenticatedKeyType(paired[0].keyType)).toBe(m.authenticated);
      }
    });
  });

  it('a raw L2CAP PSM with a level refuses the channel with result 0x0003 when pairing fails', () => {
    const { net, a, b } = pair({ security: { ioCapability: 'NoInputNoOutput' } }, { security: { ioCapability: 'DisplayYesNo' } });
    autoAnswer(b, { confirm: true }, net);
    const psm = b.stack.listenL2cap(0, undefined, 'mitm');
    const id = a.stack.connectL2cap(b.stack.address, psm, net.now);
    const closed = net.expect(a, 'l2cap-closed', (e) => e.id === id, 120_000);
    expect(closed.reason).toBe('security');
    const wire = sent(b);
    expect(wire.some((l) => /ConnRsp .*result=1 status=1/.test(l))).toBe(true);
    expect(wire.some((l) => /ConnRsp .*result=3 /.test(l))).toBe(true);
    expect(b.events.some((e) => e.type === 'l2cap-open')).toBe(false);
  });

  it('a raw L2CAP PSM with a level opens the channel once pairing succeeds', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo' } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: true }, net);
    const psm = b.stack.listenL2cap(0, undefined, 'mitm');
    const id = a.stack.connectL2cap(b.stack.address, psm, net.now);
    net.expect(a, 'l2cap-open', (e) => e.id === id, 120_000);
    net.expect(b, 'l2cap-open', (e) => e.psm === psm);
    expect(sent(b).some((l) => /ConnRsp .*result=1 status=1/.test(l))).toBe(true);
    expect(securityEvents(b).find((e) => e.type === 'security-complete')).toMatchObject({ ok: true, level: 'mitm' });
  });

  it('a secured server channel accepts once pairing succeeds', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo', mitm: true } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: true }, net);
    b.stack.listenRfcomm(1, 'mitm');
    const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    net.expect(a, 'rfcomm-open', (e) => e.id === id, 120_000);
    net.expect(b, 'rfcomm-open');
  });

  describe('encryption key size (KNOB, CVE-2019-9506)', () => {
    const KNOB = 'the encryption key is 6 octets, below the minimum of 7 (KNOB, CVE-2019-9506)';

    it('an outgoing RFCOMM connection with level encrypted opens when the controller reports 16 octets', () => {
      const { net, a, b } = pair();
      b.stack.listenRfcomm(1);
      const { result } = connectSecured(net, a, b, 1, 'encrypted');
      expect(result.type).toBe('rfcomm-open');
      expect(securityEvents(a).find((e) => e.type === 'encryption-key-size')).toMatchObject({ keySize: 16, ok: true });
      expect(sent(a).filter((l) => /Read Encryption Key Size handle=/.test(l))).toHaveLength(1);
      const [handle] = a.stack.host.connections().keys();
      expect(a.stack.security.linkSecurity(handle)).toMatchObject({ encrypted: true, encryptionKeySize: 16 });
    });

    it('an outgoing RFCOMM connection with level encrypted is refused when the controller reports 6 octets', () => {
      const { net, a, b } = pair({}, {}, [{ encryptionKeySize: 6 }, {}]);
      b.stack.listenRfcomm(1);
      const { result } = connectSecured(net, a, b, 1, 'encrypted');
      expect(result).toMatchObject({ type: 'rfcomm-closed', reason: 'security', message: KNOB });
      expect(securityEvents(a).find((e) => e.type === 'encryption-key-size')).toMatchObject({ keySize: 6, ok: false, reason: KNOB });
      expect(b.events.some((e) => e.type === 'rfcomm-open')).toBe(false);
      const [handle] = a.stack.host.connections().keys();
      expect(a.stack.security.linkSecurity(handle)).toMatchObject({ authenticated: true, encrypted: false, encryptionKeySize: 6 });
    });

    it('a server channel with level encrypted answers DM when its controller reports 6 octets, and UA with 16', () => {
      for (const [encryptionKeySize, refused] of [
        [6, true],
        [16, false],
      ] as const) {
        const { net, a, b } = pair({}, {}, [{}, { encryptionKeySize }]);
        b.stack.listenRfcomm(1, 'encrypted');
        const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
        net.runUntil(() => a.events.some((e) => (e.type === 'rfcomm-open' || e.type === 'rfcomm-closed') && e.id === id), 120_000);
        if (refused) {
          expect(net.take(a, 'rfcomm-closed', (e) => e.id === id)).toMatchObject({ reason: 'refused', message: 'the peer refused server channel 1 (DM)' });
          expect(securityEvents(b).find((e) => e.type === 'security-complete')).toMatchObject({ ok: false, level: 'encrypted', reason: KNOB });
          expect(sent(b).some((l) => / DM dlci=2 cr=\d pf=1 /.test(l))).toBe(true);
          expect(b.events.some((e) => e.type === 'rfcomm-open')).toBe(false);
        } else {
          expect(net.take(a, 'rfcomm-open', (e) => e.id === id)).toBeDefined();
          expect(securityEvents(b).find((e) => e.type === 'security-complete')).toMatchObject({ ok: true, level: 'encrypted' });
        }
      }
    });

    it('minEncryptionKeySize 16 refuses a 15-octet key; the virtual controller takes key sizes 1..16 only', () => {
      const { net, a, b } = pair({ security: { minEncryptionKeySize: 16 } }, {}, [{ encryptionKeySize: 15 }, {}]);
      b.stack.listenRfcomm(1);
      expect(connectSecured(net, a, b, 1, 'encrypted').result).toMatchObject({
        type: 'rfcomm-closed',
        reason: 'security',
        message: 'the encryption key is 15 octets, below the minimum of 16 (KNOB, CVE-2019-9506)',
      });
      for (const bad of [0, 17, 2.5]) expect(() => new VirtualController(new VirtualLink(), { encryptionKeySize: bad })).toThrow(ArgumentError);
    });
  });
});
