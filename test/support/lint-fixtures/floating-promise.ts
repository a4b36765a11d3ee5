// A lint fixture: test/unit/lint-rules.test.ts expects exactly one no-floating-promises error
// here. eslint.config.js ignores this folder in `npm run lint`.
async function work(): Promise<void> {}

export function caller(): void {
  work();
}
