export * from './fcs.js';
export * from './frame.js';
export * from './mcc.js';
