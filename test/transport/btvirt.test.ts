import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { openUnixH4 } from '../../src/transport/h4-stream.js';
import { btvirtSocket, btvirtMissing } from '../support/env.js';
import { EventCollector } from './support/h4-events.js';

describe.skipIf(btvirtMissing())('h4-stream against a real btvirt', () => {
  it('answers HCI Reset and Read BD_ADDR', async () => {
    const t = await openUnixH4(btvirtSocket());
    try {
      const events = new EventCollector(t);
      const reset = events.commandComplete(0x0c03);
      t.write(fromHex('01 03 0c 00'));
      expect((await reset).params[3]).toBe(0x00);
      const bdaddr = events.commandComplete(0x1009);
      t.write(fromHex('01 09 10 00'));
      const cc = await bdaddr;
      expect(cc.params.length).toBe(10);
      expect(cc.params[3]).toBe(0x00);
      expect(cc.params.subarray(4).some((b) => b !== 0)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('gives each client its own controller (different addresses)', async () => {
    const a = await openUnixH4(btvirtSocket());
    const b = await openUnixH4(btvirtSocket());
    try {
      const read = async (t: typeof a) => {
        const events = new EventCollector(t);
        const cc = events.commandComplete(0x1009);
        t.write(fromHex('01 09 10 00'));
        return [...(await cc).params.subarray(4)].join(':');
      };
      expect(await read(a)).not.toBe(await read(b));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
