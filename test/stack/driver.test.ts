/**
 * The driver is what a transport's data handler calls: nothing may escape from it into the
 * transport (a throw there takes the process down), and the stack's timer must keep running.
 */
import { describe, expect, it } from 'vitest';
import type { StackEvent } from '../../src/stack/events.js';
import { Driver } from '../../src/node/driver.js';
import { Stack } from '../../src/stack/stack.js';
import type { Transport } from '../../src/transport/transport.js';

/** A transport whose data handler the test calls, as a socket's 'data' event would. */
class HandTransport implements Transport {
  readonly description = 'a test transport';
  readonly vendorPackets = false;
  readonly written: Uint8Array[] = [];
  deliver: (bytes: Uint8Array) => void = () => undefined;
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
  }
  onData(handler: (bytes: Uint8Array) => void): void {
    this.deliver = handler;
  }
  onClose(): void {}
  async close(): Promise<void> {}
}

/** HCI Reset's Command Complete (status 0), the controller's answer to the stack's first command. */
const RESET_COMPLETE = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);

describe('Driver', () => {
  it('a listener that throws on input from the transport becomes an error event, and the stack goes on', async () => {
    const transport = new HandTransport();
    const driver = new Driver(new Stack(), transport);
    const seen: StackEvent[] = [];
    let throwOnce = true;
    const listenerBug = new Error('a listener bug');
    // With a sink, every packet is an event; the listener fails on the first one from the controller.
    driver.addSink({ record: () => undefined });
    driver.on((e) => {
      seen.push(e);
      if (e.type !== 'packet' || e.direction !== 'rx' || !throwOnce) return;
      throwOnce = false;
      throw listenerBug;
    });
    driver.start();
    const sentBefore = transport.written.length;
    expect(() => transport.deliver(RESET_COMPLETE)).not.toThrow();
    const error = seen.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error).toMatchObject({ code: 'BT_ERROR', cause: listenerBug });
    // The init sequence went on: the next command left after Reset completed.
    expect(transport.written.length).toBeGreaterThan(sentBefore);
    await driver.close();
  });
});
