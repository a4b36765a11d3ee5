#!/usr/bin/env node
// `faultline` entry for `npx faultline` / `npm run faultline --` inside the repository: the CLI is
// TypeScript run through tsx (no build step), so register tsx's ESM loader first, then import.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../client/cli/main.ts');
await main();
