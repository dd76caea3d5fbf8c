/**
 * The security gate: a channel opens only once its link meets the security level asked for it
 * (Core v5.4 Vol 3 Part C §5.2.2 security mode 4: the host requests authentication and encryption
 * before channel establishment). It joins the SecurityManager (src/security) to the HCI host and
 * keeps the levels the local servers require.
 *
 * Rules:
 * - `secure(handle, level, …)` runs `ok` at once for 'none', else asks the SecurityManager and runs
 *   `ok` or `fail` when its 'security-complete' arrives (`fail` at once when the manager refuses
 *   the request: no such link, or too many requests on it).
 * - An incoming L2CAP channel on a PSM with a level is answered "pending, authentication" by L2CAP
 *   itself (`holdIncoming`); its 'incoming-pending' event brings it here (`secureIncoming`, with the
 *   time), and it is accepted, or refused with result 0x0003 security block (Vol 3 Part A §4.3) when
 *   pairing fails.
 *   The RFCOMM session (PSM 3) needs only its own PSM level (none unless one is set), as in BlueZ:
 *   security is per RFCOMM server channel: the Stack has RFCOMM hold each incoming SABM for a
 *   channel with a level (`requireAuthorization`), and RfcommDlcs answers the 'dlc-authorize'
 *   against `channelLevel`.
 * - The SecurityManager's HCI commands go out through the host; their Command Status/Complete comes
 *   back through `commandComplete`, with the event (Read Encryption Key Size returns the key size).
 */
import type { HciCommand, HciEvent, HciHost } from '../hci/index.js';
import type { L2capManager } from '../l2cap/index.js';
import type { SecurityLevel, SecurityManager } from '../security/index.js';
import type { EventQueue } from './event-queue.js';
import type { CloseDetail } from './events.js';

/** L2CAP Connection Response result 0x0003: connection refused, security block (Vol 3 Part A §4.3). */
export const L2CAP_SECURITY_BLOCK = 0x0003;
/** L2CAP Connection Response status 0x0001: authentication pending (Vol 3 Part A §4.3). */
const AUTHENTICATION_PENDING = 0x0001;

/** Why a link did not reach its level, in words and as codes (`securityFailure`, `hciStatus`). */
export type SecurityFail = (reason: string, detail: CloseDetail, now: number) => void;

interface SecurityWait {
  ok(now: number): void;
  fail: SecurityFail;
}

export class SecurityGate {
  /** SecurityManager commands in flight: HCI host token → command. */
  private readonly commands = new Map<number, HciCommand>();
  /** Security requests in flight: SecurityManager request id → what waits for it. */
  private readonly waits = new Map<number, SecurityWait>();
  /** Levels the local servers require: raw L2CAP PSM → level, RFCOMM server channel → level. */
  private readonly psmLevels = new Map<number, SecurityLevel>();
  private readonly channelLevels = new Map<number, SecurityLevel>();

  constructor(
    private readonly security: SecurityManager,
    private readonly host: HciHost,
    private readonly l2cap: L2capManager,
  ) {}

  /** Runs `ok` once the link meets `level` (at once for 'none'), else `fail` with the reason. */
  secure(handle: number, level: SecurityLevel, now: number, ok: (now: number) => void, fail: SecurityFail): void {
    if (level === 'none') {
      ok(now);
      return;
    }
    let id: number;
    try {
      id = this.security.requestSecurity(handle, level, now);
    } catch (error) {
      fail((error as Error).message, { securityFailure: 'refused' }, now);
      return;
    }
    this.waits.set(id, { ok, fail });
  }

  setPsmLevel(psm: number, level: SecurityLevel): void {
    this.psmLevels.set(psm, level);
    this.l2cap.holdIncoming(psm, level === 'none' ? undefined : AUTHENTICATION_PENDING);
  }

  deletePsmLevel(psm: number): void {
    this.psmLevels.delete(psm);
    this.l2cap.holdIncoming(psm, undefined);
  }

  setChannelLevel(channel: number, level: SecurityLevel): void {
    this.channelLevels.set(channel, level);
  }

  deleteChannelLevel(channel: number): void {
    this.channelLevels.delete(channel);
  }

  /** The level an incoming DLC on RFCOMM server channel `channel` must reach. */
  channelLevel(channel: number): SecurityLevel {
    return this.channelLevels.get(channel) ?? 'none';
  }

  /** An incoming L2CAP channel L2CAP held ('incoming-pending'): accepted once its link meets the PSM's level, else refused. */
  secureIncoming(cid: number, handle: number, psm: number, now: number): void {
    this.secure(
      handle,
      this.psmLevels.get(psm) ?? 'none',
      now,
      (t) => this.l2cap.acceptPending(cid, t),
      (_reason, _detail, t) => this.l2cap.refusePending(cid, L2CAP_SECURITY_BLOCK, t),
    );
  }

  /** The Command Status or Complete `event` of an HCI command; passed on to the SecurityManager if it sent it. */
  commandComplete(token: number, status: number, now: number, event: HciEvent | undefined): void {
    const cmd = this.commands.get(token);
    if (!cmd) return;
    this.commands.delete(token);
    this.security.handleCommandStatus(cmd, status, now, event);
  }

  /** Sends the SecurityManager's commands, settles the waits its outcomes answer and reports its events. */
  pump(now: number, events: EventQueue): boolean {
    let progress = false;
    for (let c = this.security.pollCommand(); c; c = this.security.pollCommand()) {
      progress = true;
      this.commands.set(this.host.sendCommand(c, now), c);
    }
    for (let e = this.security.pollEvent(); e; e = this.security.pollEvent()) {
      progress = true;
      if (e.type === 'security-complete') {
        const wait = this.waits.get(e.id);
        this.waits.delete(e.id);
        if (wait && e.ok) wait.ok(now);
        else if (wait) wait.fail(e.reason ?? `the link did not reach security level ${e.level}`, { ...(e.failure === undefined ? {} : { securityFailure: e.failure }), ...(e.status === undefined ? {} : { hciStatus: e.status }) }, now);
      }
      events.push({ type: 'security', event: e });
    }
    return progress;
  }
}
