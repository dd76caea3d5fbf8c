/** Counters per DLC and per session (DESIGN.md rule 7: every discarded input is counted). */

export interface DlcStats {
  framesTx: number;
  framesRx: number;
  bytesTx: number;
  bytesRx: number;
  /** Credits this side granted to the peer (PN K included). */
  creditsGiven: number;
  /** Credits the peer granted to this side (PN K included). */
  creditsReceived: number;
  drops: {
    /** Data under CBFC while the peer held no credit. */
    noCredit: number;
    /** Information field longer than N1. */
    oversize: number;
    /** Data beyond maxRxBytes without CBFC. */
    overflow: number;
    /** Data frames lost on the way (their L2CAP PDU cut short), known from the octets of them that arrived. */
    lost: number;
  };
  /** Octets of data in frames lost on the way. */
  bytesLost: number;
}

export interface SessionStats {
  framesTx: number;
  framesRx: number;
  bytesTx: number;
  bytesRx: number;
  mccTx: number;
  mccRx: number;
  dmSent: number;
  nscSent: number;
  drops: {
    badFcs: number;
    /** Frame too short, bad address or control, length field ≠ octets. */
    malformed: number;
    /** MCC that does not decode (length beyond the frame, value too short). */
    badMcc: number;
    /** SABM/DISC/UA with P/F = 0. */
    pfZero: number;
    /** Input that names DLCI 0, a reserved or wrong-direction DLCI where none is allowed. */
    invalidDlci: number;
    /** Valid input that the state does not expect (late UA, MSC for an unknown DLC …). */
    unexpected: number;
    /** Control frames dropped because the control queue was full. */
    controlOverflow: number;
  };
}

export function newDlcStats(): DlcStats {
  return { framesTx: 0, framesRx: 0, bytesTx: 0, bytesRx: 0, creditsGiven: 0, creditsReceived: 0, drops: { noCredit: 0, oversize: 0, overflow: 0, lost: 0 }, bytesLost: 0 };
}

export function newSessionStats(): SessionStats {
  return {
    framesTx: 0,
    framesRx: 0,
    bytesTx: 0,
    bytesRx: 0,
    mccTx: 0,
    mccRx: 0,
    dmSent: 0,
    nscSent: 0,
    drops: { badFcs: 0, malformed: 0, badMcc: 0, pfZero: 0, invalidDlci: 0, unexpected: 0, controlOverflow: 0 },
  };
}
