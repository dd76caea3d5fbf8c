/**
 * Secure Simple Pairing: IO capabilities, Authentication_Requirements and the association model
 * (Core v5.4 Vol 3 Part C §5.2.2.6 Table 5.7 "IO capability mapping to authentication stage 1";
 * Vol 2 Part F §4.2; Vol 2 Part C §4.2.7.3 for the rule the link managers apply).
 *
 * The rule: out-of-band data aside, when neither device sets the MITM bit in its
 * Authentication_Requirements, stage 1 is Numeric Comparison with automatic confirmation on both
 * sides (Just Works). When either sets it, the IO capabilities decide:
 *
 *   initiator \ responder | DisplayOnly      | DisplayYesNo      | KeyboardOnly      | NoInputNoOutput
 *   DisplayOnly           | JW               | JW (resp. yes/no) | PE: I shows, R in | JW
 *   DisplayYesNo          | JW (init yes/no) | NC (both)         | PE: I shows, R in | JW (init yes/no)
 *   KeyboardOnly          | PE: R shows, I in| PE: R shows, I in | PE: both type     | JW
 *   NoInputNoOutput       | JW               | JW (resp. yes/no) | JW                | JW
 *
 * JW = Numeric Comparison with automatic confirmation (unauthenticated key); "yes/no" = the
 * DisplayYesNo side may still ask its user whether to pair at all. NC = both display the six-digit
 * value and both users confirm. PE = Passkey Entry (one displays, the other types, or both type the
 * same value). NC and PE give an authenticated key.
 */

/** IO_Capability values of IO Capability Request Reply / Response (Vol 4 Part E §7.1.29, §7.7.41). */
export const IO_CAPABILITY = {
  DisplayOnly: 0x00,
  DisplayYesNo: 0x01,
  KeyboardOnly: 0x02,
  NoInputNoOutput: 0x03,
} as const;
export type IoCapability = keyof typeof IO_CAPABILITY;
export const IO_CAPABILITIES = Object.keys(IO_CAPABILITY) as readonly IoCapability[];

/** The name of an IO_Capability octet; values outside 0x00–0x03 (reserved on BR/EDR) count as NoInputNoOutput, the weakest. */
export function ioCapabilityName(value: number): IoCapability {
  return IO_CAPABILITIES.find((n) => IO_CAPABILITY[n] === value) ?? 'NoInputNoOutput';
}

/** Authentication_Requirements (Vol 4 Part E §7.1.29): bit 0 = MITM protection required, bits 1–2 = bonding. */
export const AUTHENTICATION_REQUIREMENTS = {
  MITM_NOT_REQUIRED_NO_BONDING: 0x00,
  MITM_REQUIRED_NO_BONDING: 0x01,
  MITM_NOT_REQUIRED_DEDICATED_BONDING: 0x02,
  MITM_REQUIRED_DEDICATED_BONDING: 0x03,
  MITM_NOT_REQUIRED_GENERAL_BONDING: 0x04,
  MITM_REQUIRED_GENERAL_BONDING: 0x05,
} as const;

export type Bonding = 'none' | 'dedicated' | 'general';

export function authenticationRequirements(bonding: Bonding, mitm: boolean): number {
  const base = bonding === 'none' ? 0x00 : bonding === 'dedicated' ? 0x02 : 0x04;
  return base | (mitm ? 0x01 : 0x00);
}

export function requiresMitm(authenticationRequirements: number): boolean {
  return (authenticationRequirements & 0x01) !== 0;
}

/** Bonding asked for by an Authentication_Requirements value (0x02–0x05 bond). */
export function requiresBonding(authenticationRequirements: number): boolean {
  return (authenticationRequirements & 0x06) !== 0;
}

export type AssociationModelName = 'NumericComparison' | 'JustWorks' | 'PasskeyEntry';
export type Side = 'initiator' | 'responder' | 'both' | 'none';

export interface AssociationModel {
  readonly model: AssociationModelName;
  /** Who shows the value: the six-digit number (Numeric Comparison) or the passkey (Passkey Entry). */
  readonly display: Side;
  /** Who acts: types the passkey (Passkey Entry), presses yes/no (Numeric Comparison, or whether to pair at all under Just Works). */
  readonly input: Side;
  /** True when the resulting link key is authenticated (MITM protection). */
  readonly authenticated: boolean;
}

const JW = (input: Side = 'none'): AssociationModel => ({ model: 'JustWorks', display: 'none', input, authenticated: false });
const NC: AssociationModel = { model: 'NumericComparison', display: 'both', input: 'both', authenticated: true };
const PE = (display: Side, input: Side): AssociationModel => ({ model: 'PasskeyEntry', display, input, authenticated: true });

/** Table 5.7, rows = initiator, columns = responder, in IO_CAPABILITY order. */
const TABLE: Readonly<Record<IoCapability, Readonly<Record<IoCapability, AssociationModel>>>> = {
  DisplayOnly: { DisplayOnly: JW(), DisplayYesNo: JW('responder'), KeyboardOnly: PE('initiator', 'responder'), NoInputNoOutput: JW() },
  DisplayYesNo: { DisplayOnly: JW('initiator'), DisplayYesNo: NC, KeyboardOnly: PE('initiator', 'responder'), NoInputNoOutput: JW('initiator') },
  KeyboardOnly: { DisplayOnly: PE('responder', 'initiator'), DisplayYesNo: PE('responder', 'initiator'), KeyboardOnly: PE('none', 'both'), NoInputNoOutput: JW() },
  NoInputNoOutput: { DisplayOnly: JW(), DisplayYesNo: JW('responder'), KeyboardOnly: JW(), NoInputNoOutput: JW() },
};

/**
 * The association model of a pairing. `mitmRequired` is true when either device set the MITM bit;
 * without it every pair gives Just Works (numeric comparison with automatic confirmation).
 */
export function associationModel(initiatorIo: IoCapability, responderIo: IoCapability, mitmRequired: boolean): AssociationModel {
  if (!mitmRequired) return JW();
  return TABLE[initiatorIo][responderIo];
}
