/**
 * TensorFlow (native backend) starts its own intra-op and inter-op thread pools per process, each
 * sized to every core by default: two training processes on two cores would run four busy
 * threads. The pools are sized here, before the child process loads TensorFlow (it reads these
 * variables once, at start). Values already set in the environment win (an operator's choice).
 */
export function nativeTfThreadEnv(threads: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const n = String(Math.max(1, Math.floor(threads)));
  return {
    TF_NUM_INTRAOP_THREADS: env.TF_NUM_INTRAOP_THREADS ?? n,
    // Our graphs are eager, one op at a time: a second inter-op thread would only contend.
    TF_NUM_INTEROP_THREADS: env.TF_NUM_INTEROP_THREADS ?? '1',
    // TensorFlow's start-up banner and per-op info lines on stderr would bury our logs.
    TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? '2',
  };
}
