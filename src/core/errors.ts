/**
 * The one error hierarchy of the stack (DESIGN.md "Errors"). Every error carries a stable `code`
 * string; only `src/socket` maps these to Node errno codes. Messages say what happened and what to
 * do about it.
 */

export class BluetoothError extends Error {
  readonly code: string = 'BT_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Malformed bytes: which layer, which structure, at what offset, and why. */
export class DecodeError extends BluetoothError {
  override readonly code = 'BT_DECODE';
  constructor(
    readonly layer: string,
    readonly structure: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${layer}: cannot decode ${structure} at offset ${offset}: ${reason}`);
  }
}

/** Well-formed but illegal input from the peer. */
export class ProtocolError extends BluetoothError {
  override readonly code = 'BT_PROTOCOL';
}

/** Local misuse: an operation that the current state does not allow. */
export class InvalidStateError extends BluetoothError {
  override readonly code = 'BT_INVALID_STATE';
}

/** A bad argument from the application; `argument` names the parameter or field when the thrower knows it. */
export class ArgumentError extends BluetoothError {
  override readonly code = 'BT_ARGUMENT';
  readonly argument: string | undefined;
  constructor(message: string, options?: { cause?: unknown; argument?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.argument = options?.argument;
  }
}

/** A controller status code other than success, with its name from the Core spec (Vol 1 Part F). */
export class HciStatusError extends BluetoothError {
  override readonly code = 'BT_HCI_STATUS';
  constructor(
    readonly status: number,
    readonly statusName: string,
    readonly operation: string,
  ) {
    super(`${operation} failed: controller status 0x${status.toString(16).padStart(2, '0')} (${statusName})`);
  }
}

/** A timer expired; `timer` names which one. */
export class TimeoutError extends BluetoothError {
  override readonly code = 'BT_TIMEOUT';
  constructor(
    readonly timer: string,
    message?: string,
  ) {
    super(message ?? `timed out waiting for ${timer}`);
  }
}

/**
 * The controller reported a fault of its own (Core v5.4 Vol 4 Part E): a Hardware Error event
 * (§7.7.16; `hardwareCode` is vendor-defined) or a Data Buffer Overflow event (§7.7.26; `linkType`).
 */
export class ControllerError extends BluetoothError {
  override readonly code = 'BT_CONTROLLER';
  constructor(
    readonly event: 'Hardware Error' | 'Data Buffer Overflow',
    readonly value: number,
    message: string,
  ) {
    super(message);
  }
}

/** The transport under the stack failed: it could not open, or it broke. */
export class TransportError extends BluetoothError {
  override readonly code = 'BT_TRANSPORT';
}
