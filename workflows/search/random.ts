// Seeded randomness for search: the project's one mulberry32 (contracts/prng.ts).
export { Prng, seedState } from '../../contracts/prng.js';
