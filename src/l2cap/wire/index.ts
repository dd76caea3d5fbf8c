export * from './constants.js';
export * from './config-option.js';
export * from './signal.js';
export * from './basic-frame.js';
