/**
 * Pairing and secured channels between two composed stacks on the virtual controller (issue 8):
 * Just Works, numeric comparison accepted and rejected, bonding then reconnection with the stored
 * key and no prompt, legacy PIN right and wrong, and a secured server channel refused when pairing
 * fails.
 */
import { describe, expect, it } from 'vitest';
import type { StackOptions } from '../../src/stack/stack.js';
import type { SecurityEvent } from '../../src/security/index.js';
import { VirtualNet, type NetNode } from '../support/virtual-net.js';

function pair(a: StackOptions = {}, b: StackOptions = {}): { net: VirtualNet; a: NetNode; b: NetNode } {
  const net = new VirtualNet();
  const na = net.add({ stack: a });
  const nb = net.add({ stack: b });
  net.ready(na, nb);
  return { net, a: na, b: nb };
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
    expect(result.message).toMatch(/authentication|pairing|fail/i);
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

  it('a secured server channel refuses an unauthenticated client whose pairing fails', () => {
    const yesNo: StackOptions = { security: { ioCapability: 'DisplayYesNo', mitm: true } };
    const { net, a, b } = pair(yesNo, yesNo);
    autoAnswer(a, { confirm: true }, net);
    autoAnswer(b, { confirm: false }, net);
    b.stack.listenRfcomm(1, 'mitm');
    const id = a.stack.connectRfcomm(b.stack.address, 1, net.now);
    const closed = net.expect(a, 'rfcomm-closed', (e) => e.id === id, 120_000);
    expect(closed.reason).toBe('security');
    expect(b.events.some((e) => e.type === 'rfcomm-open')).toBe(false);
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
});
