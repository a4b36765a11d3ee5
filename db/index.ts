// The database layer: schema, connect(), transactions and repositories. Activities import from here.
export * from './connect.js';
export * from './tx.js';
export * from './status.js';
export * as schema from './schema.js';
export type * from './schema.js';
export * from './repos/index.js';
