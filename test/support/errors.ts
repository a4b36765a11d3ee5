import { expect } from 'vitest';

/** A class of errors, for `instanceof` (constructor parameters do not matter here). */
export type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error `fn` throws, asserted to be a `type`, so a test can inspect its fields. */
export function thrownBy<E>(fn: () => unknown, type: ErrorClass<E>): E {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  return caught as E;
}

/** The error `p` rejects with, asserted to be a `type`. */
export async function rejectionOf<E>(p: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  const caught = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(type);
  return caught as E;
}
