/** BR/EDR pairing and link security (docs/security.md): the sans-I/O `SecurityManager`, key stores, the association model. */
export { pinOctets, SecurityManager, REMOTE_OOB_DATA_REQUEST_NEGATIVE_REPLY } from './security-manager.js';
export {
  checkSecurityLevel,
  SECURITY_LEVELS,
  type LinkSecurity,
  type SecurityEvent,
  type SecurityLevel,
  type SecurityManagerOptions,
  type SecurityStats,
} from './security-types.js';
export { checkStoredKey, LINK_KEY_LENGTH, MemoryKeyStore, type KeyStore, type StoredKey } from './key-store.js';
export { isAuthenticatedKeyType, isKnownKeyType, keyTypeName, LINK_KEY_TYPE } from './key-types.js';
export {
  associationModel,
  AUTHENTICATION_REQUIREMENTS,
  authenticationRequirements,
  IO_CAPABILITIES,
  IO_CAPABILITY,
  ioCapabilityName,
  requiresBonding,
  requiresMitm,
  type AssociationModel,
  type AssociationModelName,
  type Bonding,
  type IoCapability,
  type Side,
} from './association-model.js';
export { mitmFailure, pairingFailure, type SecurityFailure, type SecurityFailureInfo } from './failure-reasons.js';
export { newPairingMachine, PAIRING_EVENT, PAIRING_STATE, PAIRING_TRANSITIONS, type PairingEvent, type PairingState } from './pairing-state.js';
