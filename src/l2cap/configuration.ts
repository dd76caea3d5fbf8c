/**
 * Configuration decisions for basic mode (Core v5.4 Vol 3 Part A §5, §7.1), free of state:
 *
 * - the peer's (reassembled) ConfigReq:
 *   unknown options without the hint bit → result 0x0003 listing them (L20); hinted unknown
 *   options are skipped (L19);
 *   MTU < 48 → result 0x0001 carrying MTU 48 (L21);
 *   a Retransmission and Flow Control option asking for any mode but basic → result 0x0001
 *   carrying the basic mode, so that the peer falls back (ERTM and streaming are not offered);
 *   otherwise success with no options; the remote MTU becomes the option's value, or 672 on the
 *   first configuration without one, or stays as it was on a reconfiguration (§7.1).
 *   Flush timeout, QoS, FCS, extended flow spec and extended window size are accepted as given.
 * - the peer's "unacceptable parameters" answer to our ConfigReq (L22): adopt an MTU in
 *   [48, maxMtu] and a basic-mode RFC option; anything else cannot be met and the channel closes.
 */
import { type ConfigOption, type MtuOption, type RetransmissionFlowControlOption, configOptionLength } from './wire/config-option.js';
import { CHANNEL_MODE, CONFIGURATION_RESULT, DEFAULT_MTU, MIN_MTU } from './wire/constants.js';

export interface ConfigDecision {
  readonly result: number;
  /** Options to return in the ConfigRsp. */
  readonly options: readonly ConfigOption[];
  /** On success: the peer's MTU (our send limit) and flush timeout. */
  readonly remoteMtu?: number;
  readonly flushTimeout?: number;
}

const BASIC_MODE_OPTION: RetransmissionFlowControlOption = {
  type: 'retransmission-flow-control',
  hint: false,
  mode: CHANNEL_MODE.BASIC,
  txWindowSize: 0,
  maxTransmit: 0,
  retransmissionTimeout: 0,
  monitorTimeout: 0,
  maxPduSize: 0,
};

/**
 * Judges the peer's ConfigReq options. `currentRemoteMtu` is undefined on the first configuration.
 * `maxListBytes` bounds the options listed back in a failure response.
 */
export function evaluateConfigRequest(options: readonly ConfigOption[], currentRemoteMtu: number | undefined, maxListBytes: number): ConfigDecision {
  const unknown = options.filter((o) => o.type === 'unknown' && !o.hint);
  if (unknown.length > 0) return { result: CONFIGURATION_RESULT.UNKNOWN_OPTIONS, options: within(unknown, maxListBytes) };
  const mtu = last(options, 'mtu') as MtuOption | undefined;
  const rfc = last(options, 'retransmission-flow-control') as RetransmissionFlowControlOption | undefined;
  const unacceptable: ConfigOption[] = [];
  if (mtu && mtu.mtu < MIN_MTU) unacceptable.push({ type: 'mtu', hint: false, mtu: MIN_MTU });
  if (rfc && rfc.mode !== CHANNEL_MODE.BASIC) unacceptable.push(BASIC_MODE_OPTION);
  if (unacceptable.length > 0) return { result: CONFIGURATION_RESULT.UNACCEPTABLE_PARAMETERS, options: unacceptable };
  const flush = last(options, 'flush-timeout');
  return {
    result: CONFIGURATION_RESULT.SUCCESS,
    options: [],
    remoteMtu: mtu ? mtu.mtu : (currentRemoteMtu ?? DEFAULT_MTU),
    flushTimeout: flush && flush.type === 'flush-timeout' ? flush.flushTimeout : undefined,
  };
}

/** The options of our ConfigReq: always the MTU we receive, explicitly. */
export function ourConfigOptions(localMtu: number): ConfigOption[] {
  return [{ type: 'mtu', hint: false, mtu: localMtu }];
}

/**
 * Our answer to "unacceptable parameters": the new local MTU to offer, or undefined when the
 * peer's demands cannot be met in basic mode.
 */
export function adjustAfterUnacceptable(proposed: readonly ConfigOption[], localMtu: number, maxMtu: number): number | undefined {
  let mtu = localMtu;
  for (const o of proposed) {
    if (o.type === 'mtu') {
      if (o.mtu < MIN_MTU || o.mtu > maxMtu) return undefined;
      mtu = o.mtu;
    } else if (o.type === 'retransmission-flow-control') {
      if (o.mode !== CHANNEL_MODE.BASIC) return undefined;
    } else if (o.type !== 'flush-timeout' && !o.hint) {
      return undefined;
    }
  }
  return mtu;
}

function last(options: readonly ConfigOption[], type: ConfigOption['type']): ConfigOption | undefined {
  for (let i = options.length - 1; i >= 0; i--) if (options[i].type === type) return options[i];
  return undefined;
}

function within(options: readonly ConfigOption[], maxBytes: number): ConfigOption[] {
  const out: ConfigOption[] = [];
  let n = 0;
  for (const o of options) {
    n += configOptionLength(o);
    if (n > maxBytes) break;
    out.push(o);
  }
  return out;
}
