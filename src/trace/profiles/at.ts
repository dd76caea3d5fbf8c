/**
 * AT command lines and result codes, as HFP and HSP carry them over RFCOMM (ITU-T V.250 §5.2.1
 * command line, §5.7.1 result codes; HFP 1.8 §4.34.1 for the forms used: `AT+CMD=params`,
 * `AT+CMD?`, `AT+CMD=?`, basic commands such as `ATA` and `ATD123;`, and results `+CMD: params`,
 * `OK`, `ERROR`, `+CME ERROR: n`, `RING`).
 *
 * A command line ends with CR; a result is framed by CR LF on both sides. A frame may hold several
 * lines or part of one: every non-empty line between line ends is reported, a line the frame cuts
 * is reported as it stands. Only text (printable ASCII, CR, LF) decodes; other bytes throw
 * `DecodeError`, so the caller shows them as data.
 */
import { DecodeError } from '../../core/index.js';

export interface AtLine {
  readonly kind: 'command' | 'result';
  /** `+BRSF`, `A`, `D` for commands; `+CIEV`, `OK`, `+CME ERROR` for results. */
  readonly name: string;
  /** `=`, `?`, `=?` for commands, `:` or `=` for results with parameters; absent otherwise. */
  readonly type?: '=' | '?' | '=?' | ':';
  readonly params?: string;
  /** The line as sent, without its line ends. */
  readonly text: string;
}

export function decodeAtLines(bytes: Uint8Array): AtLine[] {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if ((c < 0x20 || c > 0x7e) && c !== 0x0d && c !== 0x0a) throw new DecodeError('at', 'command line', i, `byte 0x${c.toString(16).padStart(2, '0')} is not text`);
    text += String.fromCharCode(c);
  }
  const lines: AtLine[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) if (line.trim().length > 0) lines.push(parseLine(line));
  return lines;
}

function parseLine(text: string): AtLine {
  const command = /^AT(.*)$/i.exec(text);
  if (command) {
    const body = command[1];
    const extended = /^([+&%\\*$#][A-Za-z0-9_-]*)(=\?|\?|=)?(.*)$/.exec(body);
    if (extended) return withParams({ kind: 'command', name: extended[1].toUpperCase(), text }, extended[2], extended[3]);
    // A basic command: one letter, its parameters after it (V.250 §5.3.1).
    return withParams({ kind: 'command', name: body.slice(0, 1).toUpperCase(), text }, undefined, body.slice(1));
  }
  const result = /^(\+[A-Za-z0-9 _-]*?)(:|=)\s?(.*)$/.exec(text);
  if (result) return { kind: 'result', name: result[1], type: result[2] as ':' | '=', params: result[3], text };
  return { kind: 'result', name: text.trim(), text };
}

function withParams(line: AtLine, type: string | undefined, params: string): AtLine {
  return { ...line, ...(type ? { type: type as '=' | '?' | '=?' } : {}), ...(params ? { params } : {}) };
}

