/**
 * Command flow under a controller that allows no commands (Core v5.4 Vol 4 Part E §4.4, §7.7.14).
 * Regression (found by `npm run fuzz -- --layer hci --seed 11` and `--seed 12`, docs/fuzzing.md):
 * one Command Complete with Num_HCI_Command_Packets = 0 for a command that was not outstanding,
 * `04 0e 03 00 2d 04`, left the host with no credit and nothing that could bring one back; every
 * later command (Accept Connection Request for the next device that paged it) waited forever.
 */
import { describe, expect, it } from 'vitest';
import { CommandFlow } from '../../src/hci/command-flow.js';

const PAGE_TIMEOUT = 0x0c18;

function flowWithTwoQueued(): CommandFlow<undefined> {
  const flow = new CommandFlow<undefined>(10_000);
  flow.submit({ name: 'Write Page Timeout', pageTimeout: 0x2000 }, undefined);
  flow.submit({ name: 'Write Page Timeout', pageTimeout: 0x4000 }, undefined);
  return flow;
}

describe('CommandFlow', () => {
  it('takes a credit back 4 s after a controller allowed 0 commands with none outstanding', () => {
    const flow = flowWithTwoQueued();
    expect(flow.poll(0)).toBeDefined();
    flow.complete(PAGE_TIMEOUT, 1);
    flow.complete(0x042d, 0);
    expect(flow.poll(100)).toBeUndefined();
    expect(flow.nextDeadline()).toBe(4100);
    flow.expire(4099);
    expect(flow.poll(4099)).toBeUndefined();
    expect(flow.expire(4100)).toEqual([]);
    expect(flow.poll(4100)?.entry.command).toMatchObject({ pageTimeout: 0x4000 });
  });

  it('waits for the outstanding command (its own timeout) rather than the 4 s credit timer', () => {
    const flow = flowWithTwoQueued();
    expect(flow.poll(0)).toBeDefined();
    flow.complete(0x042d, 0);
    expect(flow.poll(100)).toBeUndefined();
    expect(flow.nextDeadline()).toBe(10_000);
  });

  it('forgets the credit timer once the controller allows commands again', () => {
    const flow = flowWithTwoQueued();
    expect(flow.poll(0)).toBeDefined();
    flow.complete(PAGE_TIMEOUT, 0);
    expect(flow.poll(100)).toBeUndefined();
    flow.complete(0x0000, 1);
    expect(flow.nextDeadline()).toBeUndefined();
    expect(flow.poll(200)).toBeDefined();
  });
});
