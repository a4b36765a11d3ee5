import { defineConfig } from 'drizzle-kit';

// One set of migrations serves Postgres and PGlite alike (both are the postgresql dialect);
// db/connect.ts applies them on connect, so `generate` is the only drizzle-kit command we use.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
  strict: true,
  verbose: true,
});
