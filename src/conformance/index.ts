/**
 * The conformance toolkit: a scriptable lower tester (Tester) on any transport, frame builders that
 * write wrong frames on purpose, scenarios as data with verdicts, and the built-in suite
 * (docs/conformance.md, "Testing another stack: the conformance toolkit").
 */
export { Tester, PSM, SHARED_FIRST_CID, answersCommand, type FrameFilter, type TesterChannel, type StackSession } from './tester.js';
export { ChannelClaims, type Owner } from './channel-claims.js';
export { StackChannel } from './stack-channel.js';
export { VirtualBench, DriverMedium, TESTER_STACK_OPTIONS, type TesterMedium } from './medium.js';
export { LinkTap, type LinkTapHooks, type TapLink } from './link-tap.js';
export { observedHex, type Observed, type ObservedLayer } from './observed.js';
export * from './frames.js';
export { matchPattern, fillPattern, checkPattern, type Captures } from './hex-pattern.js';
export { checkScenario, rfcommPattern, mccPattern, SETUPS, CHECKS, type Scenario, type Step, type Setup, type Check, type StepLayer, type RfcommFrameFields, type MccFields } from './scenario.js';
export { runScenario, runScenarios, type ScenarioResult, type Verdict, type RunOptions } from './runner.js';
export { loadScenarios } from './load.js';
export { suite, SUITES, ACL_SUITE, L2CAP_SUITE, RFCOMM_SUITE, SDP_SUITE, CLIENT_SUITE, SHARED_SUITE, type SuiteName } from './suite/index.js';
