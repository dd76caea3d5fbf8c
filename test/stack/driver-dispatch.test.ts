/**
 * `Driver.runAfterDispatch`: an input asked for by a listener while the driver dispatches events
 * waits until that round of events has been dispatched, so the stack is not entered from inside its
 * own event loop; outside a dispatch it runs at once, as `run` does.
 */
import { describe, expect, it } from 'vitest';
import { Driver } from '../../src/node/driver.js';
import { Stack } from '../../src/stack/stack.js';
import type { Transport } from '../../src/transport/transport.js';

class HandTransport implements Transport {
  readonly description = 'a test transport';
  readonly vendorPackets = false;
  deliver: (bytes: Uint8Array) => void = () => undefined;
  write(): void {}
  onData(handler: (bytes: Uint8Array) => void): void {
    this.deliver = handler;
  }
  onClose(): void {}
  async close(): Promise<void> {}
}

/** HCI Reset's Command Complete (status 0). */
const RESET_COMPLETE = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);

describe('Driver.runAfterDispatch', () => {
  it('outside a dispatch: runs at once', async () => {
    const driver = new Driver(new Stack(), new HandTransport());
    const order: string[] = [];
    driver.runAfterDispatch(() => order.push('ran'));
    expect(order).toEqual(['ran']);
    await driver.close();
  });

  it('from a listener: not inside the listener, but once the events of the round were dispatched, and only once', async () => {
    const transport = new HandTransport();
    const driver = new Driver(new Stack(), transport);
    driver.addSink({ record: () => undefined });
    const order: string[] = [];
    let inListener = false;
    let ranInsideListener: boolean | undefined;
    driver.on((e) => {
      inListener = true;
      order.push(e.type === 'packet' ? `packet-${e.direction}` : e.type);
      if (e.type === 'packet' && e.direction === 'rx') {
        driver.runAfterDispatch(() => {
          ranInsideListener = inListener;
          order.push('deferred');
        });
      }
      inListener = false;
    });
    driver.start();
    transport.deliver(RESET_COMPLETE);
    expect(ranInsideListener).toBe(false);
    expect(order.filter((x) => x === 'deferred')).toHaveLength(1);
    expect(order.indexOf('deferred')).toBeGreaterThan(order.indexOf('packet-rx'));
    await driver.close();
  });
});
