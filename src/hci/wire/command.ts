/**
 * HCI command packets (Core v5.4 Vol 4 Part E §5.4.1), without the H4 indicator:
 *
 *   Opcode (2, LE: OCF bits 0-9, OGF bits 10-15) | Parameter_Total_Length (1) | parameters
 *
 * A command whose opcode is in `COMMAND_SPECS` and whose parameters match its table decodes to
 * `{ name, ...parameters }`; anything else (unknown or vendor opcode, parameters of the wrong length)
 * decodes to `{ name: 'Unknown Command', opcode, params }` and re-encodes byte for byte. Builders are
 * the objects themselves: `encodeCommand({ name: 'Reset' })`,
 * `encodeCommand({ name: 'Write Scan Enable', scanEnable: 0x03 })`.
 * Contract (src/core/codec.ts, `commandCodec`): `decodeCommand` returns or throws `DecodeError` (header short, length ≠ bytes left);
 * `encodeCommand(decodeCommand(b))` equals `b`; `commandLength(c)` = encoded length.
 */
import { ArgumentError, ByteReader, ByteWriter, type Codec, DecodeError, defineCodec, hex } from '../../core/index.js';
import { COMMAND_SPECS } from './command-specs.js';
import { type AnyValues, decodeAll, describeFields, encodeFields, type Field, fieldsLength, type FieldValues } from './fields.js';

export type CommandName = keyof typeof COMMAND_SPECS;
type SpecOf<N extends CommandName> = (typeof COMMAND_SPECS)[N];
export type CommandParams<N extends CommandName> = FieldValues<SpecOf<N>['params']>;
export type CommandReturns<N extends CommandName> = FieldValues<SpecOf<N>['returns']>;

export type KnownCommand = { [N in CommandName]: { readonly name: N } & CommandParams<N> }[CommandName];
export interface UnknownCommand {
  readonly name: 'Unknown Command';
  readonly opcode: number;
  readonly params: Uint8Array;
}
export type HciCommand = KnownCommand | UnknownCommand;

export interface CommandSpec {
  readonly name: CommandName;
  readonly opcode: number;
  readonly params: readonly Field[];
  readonly returns: readonly Field[];
}

export const COMMAND_LIST: readonly CommandSpec[] = (Object.keys(COMMAND_SPECS) as CommandName[]).map((name) => ({ name, ...COMMAND_SPECS[name] }));
const BY_OPCODE = new Map(COMMAND_LIST.map((s) => [s.opcode, s]));

export function commandSpecByOpcode(opcode: number): CommandSpec | undefined {
  return BY_OPCODE.get(opcode);
}

export function commandSpec(name: CommandName): CommandSpec {
  const s = COMMAND_SPECS[name];
  if (!s) throw new ArgumentError(`unknown HCI command name ${JSON.stringify(name)}`);
  return { name, ...s };
}

export function commandOpcode(cmd: HciCommand): number {
  return cmd.name === 'Unknown Command' ? cmd.opcode : commandSpec(cmd.name).opcode;
}

/** The command's name, or `OGF 0xNN OCF 0xNNNN` for an opcode outside the table. */
export function opcodeName(opcode: number): string {
  const s = BY_OPCODE.get(opcode);
  if (s) return s.name;
  const ogf = opcode >>> 10;
  return `OGF 0x${ogf.toString(16).padStart(2, '0')} OCF 0x${(opcode & 0x3ff).toString(16).padStart(4, '0')}${ogf === 0x3f ? ' (vendor)' : ''}`;
}

export function decodeCommand(b: Uint8Array): HciCommand {
  const r = new ByteReader(b, 'hci', 'command');
  const opcode = r.u16le('opcode');
  const length = r.u8('parameter total length');
  if (length !== r.remaining) r.fail(`parameter total length ${length} but ${r.remaining} byte(s) follow`);
  const params = r.rest();
  const spec = BY_OPCODE.get(opcode);
  if (spec) {
    try {
      return { name: spec.name, ...decodeAll(spec.params, params, spec.name) } as HciCommand;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  return { name: 'Unknown Command', opcode, params };
}

function paramsLength(cmd: HciCommand): number {
  return cmd.name === 'Unknown Command' ? cmd.params.length : fieldsLength(commandSpec(cmd.name).params, cmd as AnyValues);
}

export function commandLength(cmd: HciCommand): number {
  return 3 + paramsLength(cmd);
}

export function encodeCommandInto(cmd: HciCommand, out: Uint8Array, offset: number): number {
  const n = paramsLength(cmd);
  if (n > 255) throw new ArgumentError(`HCI command ${cmd.name} has ${n} parameter bytes, at most 255 fit`);
  const w = new ByteWriter(out, offset);
  w.u16le(commandOpcode(cmd)).u8(n);
  if (cmd.name === 'Unknown Command') w.put(cmd.params);
  else encodeFields(commandSpec(cmd.name).params, cmd as AnyValues, w);
  return w.offset - offset;
}

export function encodeCommand(cmd: HciCommand): Uint8Array {
  const out = new Uint8Array(commandLength(cmd));
  encodeCommandInto(cmd, out, 0);
  return out;
}

export function describeCommand(cmd: HciCommand): string {
  if (cmd.name === 'Unknown Command') {
    const known = BY_OPCODE.get(cmd.opcode);
    const what = known ? `${known.name} (malformed)` : 'Unknown Command';
    return `${what} opcode=0x${cmd.opcode.toString(16).padStart(4, '0')} ${known ? '' : `(${opcodeName(cmd.opcode)}) `}params=${hex(cmd.params, ' ') || '-'}`;
  }
  const fields = describeFields(commandSpec(cmd.name).params, cmd as AnyValues);
  return fields ? `${cmd.name} ${fields}` : cmd.name;
}

export const commandCodec: Codec<HciCommand> = defineCodec({
  name: 'HCI command packet',
  length: commandLength,
  encodeInto: encodeCommandInto,
  decode: decodeCommand,
  describe: describeCommand,
});
