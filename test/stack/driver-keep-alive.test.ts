/**
 * Node's ref/unref habit (README "From PyBluez to TypeScript": programs end by themselves): a
 * released driver unrefs its timer and its transport, also timers it arms later, and holds them
 * again on request; virtual transports on one link keep their timers referenced while any of them
 * is held, because a controller's deadlines may be what a busy neighbour waits for.
 */
import { describe, expect, it } from 'vitest';
import { Driver } from '../../src/node/driver.js';
import { Stack } from '../../src/stack/stack.js';
import type { Transport } from '../../src/transport/transport.js';
import { createVirtualPair } from '../../src/transport/virtual/index.js';

class CountingTransport implements Transport {
  readonly description = 'a counting transport';
  readonly vendorPackets = false;
  refs = 0;
  unrefs = 0;
  deliver: (bytes: Uint8Array) => void = () => undefined;
  write(): void {}
  onData(handler: (bytes: Uint8Array) => void): void {
    this.deliver = handler;
  }
  onClose(): void {}
  async close(): Promise<void> {}
  ref(): void {
    this.refs++;
  }
  unref(): void {
    this.unrefs++;
  }
}

/** The timer a driver or a virtual transport has armed (private: read for the test). */
function timerOf(owner: unknown): NodeJS.Timeout | NodeJS.Immediate | undefined {
  return (owner as { timer?: NodeJS.Timeout | NodeJS.Immediate }).timer;
}

/** HCI Reset's Command Complete (status 0): the stack sends its next command and arms a new timer. */
const RESET_COMPLETE = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);

describe('keeping the process alive', () => {
  it('a released driver unrefs its transport and its timers, the later ones too, until held again', async () => {
    const transport = new CountingTransport();
    const driver = new Driver(new Stack(), transport);
    driver.start();
    expect(timerOf(driver)?.hasRef()).toBe(true);
    driver.keepAlive(false);
    driver.keepAlive(false);
    expect([transport.refs, transport.unrefs]).toEqual([0, 1]);
    expect(timerOf(driver)?.hasRef()).toBe(false);
    const before = timerOf(driver);
    transport.deliver(RESET_COMPLETE);
    expect(timerOf(driver)).toBeDefined();
    expect(timerOf(driver)).not.toBe(before);
    expect(timerOf(driver)?.hasRef()).toBe(false);
    driver.keepAlive(true);
    expect([transport.refs, transport.unrefs]).toEqual([1, 1]);
    expect(timerOf(driver)?.hasRef()).toBe(true);
    await driver.close();
  });

  it('virtual transports on one link release their timers only when none of them is held', async () => {
    const { link, a, b } = createVirtualPair();
    a.onData(() => undefined);
    b.onData(() => undefined);
    // Inquiry from a: both controllers now have deadlines (a's inquiry, b's response) and timers.
    a.write(Uint8Array.of(0x01, 0x01, 0x04, 0x05, 0x33, 0x8b, 0x9e, 0x08, 0x00));
    b.write(Uint8Array.of(0x01, 0x1a, 0x0c, 0x01, 0x03));
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.all().length).toBe(2);
    expect(timerOf(a)?.hasRef()).toBe(true);
    a.unref();
    expect(timerOf(a)?.hasRef()).toBe(true);
    b.unref();
    expect(timerOf(a)?.hasRef()).toBe(false);
    b.ref();
    expect(timerOf(a)?.hasRef()).toBe(true);
    await b.close();
    expect(timerOf(a)?.hasRef()).toBe(false);
    await a.close();
  });
});
