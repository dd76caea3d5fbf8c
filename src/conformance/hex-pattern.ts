/**
 * Hex patterns of the scenario format (docs/conformance.md, "Testing another stack"): octets in hex
 * separated by spaces; `??` any one octet; `*` (last only) any tail, empty included; `<name>` any
 * one octet, remembered under `name`, and the same name met again must hold the same octet;
 * `[lo-hi]` one octet from lo to hi (hex, inclusive); `<name*>` (last only) the whole tail, one
 * octet or more, remembered under `name` (an SDP continuation state, say). In what is sent,
 * `<name>` and `<name*>` stand for the octets remembered.
 */
import { ArgumentError } from '../core/index.js';

/** Captured values: one octet (`<name>`) or a tail (`<name*>`). */
export type Captures = Map<string, number | Uint8Array>;

type Token =
  | { kind: 'octet'; value: number }
  | { kind: 'any' }
  | { kind: 'tail' }
  | { kind: 'capture'; name: string }
  | { kind: 'tail-capture'; name: string }
  | { kind: 'range'; lo: number; hi: number };

const sameOctets = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function tokens(pattern: string): Token[] {
  const words = pattern.trim().split(/\s+/).filter((w) => w.length > 0);
  return words.map((w, i) => {
    if (w === '??') return { kind: 'any' };
    if (w === '*') {
      if (i !== words.length - 1) throw new ArgumentError(`pattern "${pattern}": '*' must come last`);
      return { kind: 'tail' };
    }
    const tailCap = /^<([A-Za-z_][\w-]*)\*>$/.exec(w);
    if (tailCap) {
      if (i !== words.length - 1) throw new ArgumentError(`pattern "${pattern}": '${w}' must come last`);
      return { kind: 'tail-capture', name: tailCap[1]! };
    }
    const cap = /^<([A-Za-z_][\w-]*)>$/.exec(w);
    if (cap) return { kind: 'capture', name: cap[1]! };
    const range = /^\[([0-9a-fA-F]{2})-([0-9a-fA-F]{2})\]$/.exec(w);
    if (range) return { kind: 'range', lo: parseInt(range[1]!, 16), hi: parseInt(range[2]!, 16) };
    if (!/^[0-9a-fA-F]{2}$/.test(w)) throw new ArgumentError(`pattern "${pattern}": "${w}" is not an octet in hex, ??, *, [lo-hi] or <name>`);
    return { kind: 'octet', value: parseInt(w, 16) };
  });
}

/** Checks a pattern's syntax (throws ArgumentError). */
export function checkPattern(pattern: string): void {
  tokens(pattern);
}

/** Whether `bytes` match `pattern`; on a match the captures are added to `captures`. */
export function matchPattern(pattern: string, bytes: Uint8Array, captures: Captures = new Map()): boolean {
  const ts = tokens(pattern);
  const found: Captures = new Map();
  let i = 0;
  for (const t of ts) {
    if (t.kind === 'tail') {
      i = bytes.length;
      break;
    }
    if (t.kind === 'tail-capture') {
      const tail = bytes.slice(i);
      const known = found.get(t.name) ?? captures.get(t.name);
      if (tail.length === 0 || (known !== undefined && !(known instanceof Uint8Array && sameOctets(known, tail)))) return false;
      found.set(t.name, tail);
      i = bytes.length;
      break;
    }
    if (i >= bytes.length) return false;
    const b = bytes[i++]!;
    if (t.kind === 'octet' && b !== t.value) return false;
    if (t.kind === 'range' && (b < t.lo || b > t.hi)) return false;
    if (t.kind === 'capture') {
      const known = found.get(t.name) ?? captures.get(t.name);
      if (known !== undefined && known !== b) return false;
      found.set(t.name, b);
    }
  }
  if (i !== bytes.length) return false;
  for (const [k, v] of found) captures.set(k, v);
  return true;
}

/** The octets of `hexWithNames`, `<name>` replaced by the octet captured under that name. */
export function fillPattern(hexWithNames: string, captures: Captures): Uint8Array {
  const out: number[] = [];
  for (const w of hexWithNames.trim().split(/\s+/).filter((x) => x.length > 0)) {
    const cap = /^<([A-Za-z_][\w-]*)\*?>$/.exec(w);
    if (cap) {
      const v = captures.get(cap[1]!);
      if (v === undefined) throw new ArgumentError(`"${hexWithNames}": nothing was captured as ${w}`);
      if (typeof v === 'number') out.push(v);
      else out.push(...v);
    } else if (/^[0-9a-fA-F]{2}$/.test(w)) out.push(parseInt(w, 16));
    else if (/^([0-9a-fA-F]{2})+$/.test(w)) for (let k = 0; k < w.length; k += 2) out.push(parseInt(w.slice(k, k + 2), 16));
    else throw new ArgumentError(`"${hexWithNames}": "${w}" is neither hex nor <name>`);
  }
  return Uint8Array.from(out);
}
