/**
 * One verification run per worker process at a time: runs share ports (dev servers), the
 * database and the two cores, so a second one waits here (heartbeating) rather than racing.
 */
let tail: Promise<void> = Promise.resolve();

export async function withVerifySlot<T>(work: () => Promise<T>, whileWaiting?: () => void, signal?: AbortSignal): Promise<T> {
  const previous = tail;
  let release!: () => void;
  tail = new Promise<void>((r) => (release = r));
  const beat = whileWaiting ? setInterval(whileWaiting, 5_000) : undefined;
  try {
    await Promise.race([
      previous,
      new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(signal.reason as Error);
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      }),
    ]);
  } catch (err) {
    // Cancelled while waiting: our turn passes on once the run before us ends.
    if (beat) clearInterval(beat);
    void previous.then(release);
    throw err;
  }
  if (beat) clearInterval(beat);
  try {
    return await work();
  } finally {
    release();
  }
}
