export * from './errors.js';
export * from './bytes.js';
export * from './address.js';
export * from './uuid.js';
export * from './timers.js';
export * from './queue.js';
export * from './ring.js';
export * from './slab.js';
