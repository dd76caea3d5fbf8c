/**
 * HCI command flow control (Core v5.4 Vol 4 Part E §4.4): the host may send as many commands as the
 * last Command Complete / Command Status allowed in Num_HCI_Command_Packets (1 at power-on). Every
 * command gets a token; its Command Complete or Command Status (matched by opcode, oldest first)
 * finishes it.
 *
 * Rules:
 * - commands wait in a FIFO of at most `maxQueued` (default 256); `submit` throws
 *   `InvalidStateError` when it is full;
 * - Reset goes alone: it is not sent while another command is outstanding, and nothing is sent
 *   after it until it completes (the controller drops commands that arrive during a reset);
 * - each sent command has a deadline (`timeoutMs`, default 10 s). `expire(now)` returns the
 *   commands that missed it and gives the host one command credit back so that the queue moves on;
 * - a controller that allowed 0 commands with nothing outstanding (Num_HCI_Command_Packets = 0 in
 *   a Command Complete/Status, §7.7.14) owes the host an event that allows more; when a command has
 *   waited `NCMD_TIMEOUT_MS` for it, the host takes one credit back (BlueZ's ncmd timer, 4 s), so
 *   that a faulty or lying controller cannot stop every later command.
 */
import { BoundedQueue, earliest, InvalidStateError, TimerSet } from '../core/index.js';
import { OPCODE } from './wire/constants.js';
import { commandOpcode, encodeCommand, type HciCommand } from './wire/command.js';

/** How long a command waits for a credit that no outstanding command can bring back (BlueZ HCI_NCMD_TIMEOUT). */
const NCMD_TIMEOUT_MS = 4000;

export interface QueuedCommand<T> {
  readonly token: number;
  readonly opcode: number;
  readonly command: HciCommand;
  readonly bytes: Uint8Array;
  readonly tag: T;
}

export class CommandFlow<T> {
  private readonly queue: BoundedQueue<QueuedCommand<T>>;
  private readonly sent = new Map<number, QueuedCommand<T>>();
  private readonly timers = new TimerSet<number>();
  private nextToken = 1;
  /** When a command waiting for a credit that no outstanding command can bring back takes one anyway. */
  private stallDeadline: number | undefined;
  credits = 1;

  constructor(
    readonly timeoutMs: number,
    maxQueued = 256,
  ) {
    this.queue = new BoundedQueue(maxQueued);
  }

  get queued(): number {
    return this.queue.length;
  }
  get outstanding(): number {
    return this.sent.size;
  }

  /** Queues a command; its parameters are checked (ArgumentError) here, not when it is sent. */
  submit(command: HciCommand, tag: T): number {
    const bytes = encodeCommand(command);
    if (this.queue.full) {
      throw new InvalidStateError(`HCI command queue full (${this.queue.capacity} waiting): the controller is not answering; check the transport`);
    }
    const token = this.nextToken++;
    this.queue.push({ token, opcode: commandOpcode(command), command, bytes, tag });
    return token;
  }

  /** The next command to send now, with its bytes (no H4 indicator), or undefined. */
  poll(now: number): { entry: QueuedCommand<T>; bytes: Uint8Array } | undefined {
    const next = this.queue.peek();
    if (!next) return undefined;
    if (this.credits <= 0) {
      if (this.sent.size === 0 && this.stallDeadline === undefined) this.stallDeadline = now + NCMD_TIMEOUT_MS;
      return undefined;
    }
    const resetting = [...this.sent.values()].some((c) => c.opcode === OPCODE.RESET);
    if (resetting || (next.opcode === OPCODE.RESET && this.sent.size > 0)) return undefined;
    this.queue.shift();
    this.credits--;
    this.stallDeadline = undefined;
    this.sent.set(next.token, next);
    this.timers.set(next.token, now + this.timeoutMs);
    return { entry: next, bytes: next.bytes };
  }

  /** A Command Complete/Status for `opcode` allowing `numHciCommandPackets`: the command it finishes. */
  complete(opcode: number, numHciCommandPackets: number): QueuedCommand<T> | undefined {
    this.credits = numHciCommandPackets;
    if (numHciCommandPackets > 0) this.stallDeadline = undefined;
    for (const c of this.sent.values()) {
      if (c.opcode === opcode) {
        this.sent.delete(c.token);
        this.timers.clear(c.token);
        return c;
      }
    }
    return undefined;
  }

  nextDeadline(): number | undefined {
    return earliest(this.timers.next(), this.stallDeadline);
  }

  expire(now: number): QueuedCommand<T>[] {
    const out: QueuedCommand<T>[] = [];
    for (const token of this.timers.expire(now)) {
      const c = this.sent.get(token);
      if (!c) continue;
      this.sent.delete(token);
      out.push(c);
    }
    if (out.length > 0) this.credits = Math.max(this.credits, 1);
    if (this.stallDeadline !== undefined && this.stallDeadline <= now) {
      this.stallDeadline = undefined;
      if (this.sent.size === 0) this.credits = Math.max(this.credits, 1);
    }
    return out;
  }
}
