import cliProgress from 'cli-progress';
import type { Progress } from '../../contracts/index.js';
import { formatProgressLine, metricDetails, percent, type ProgressDetails, type TextSink } from './output.js';

/** Shows a stream of Progress values; `stop()` leaves the last state on screen. */
export interface ProgressView {
  update(progress: Progress): void;
  stop(): void;
}

/** The bar's own scale: fraction 0..1 is the contract, so the bar counts thousandths of it. */
const SCALE = 1000;

/**
 * A live bar on a terminal; plain lines when stderr is a pipe or a CI log (a redrawn bar there
 * is noise). Drawn on stderr so stdout holds only the result.
 */
export function createProgressView(stream: TextSink, details: ProgressDetails = metricDetails): ProgressView {
  return stream.isTTY ? new BarView(stream, details) : new LineView(stream, details);
}

class BarView implements ProgressView {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(
    stream: TextSink,
    private readonly details: ProgressDetails,
  ) {
    this.bar = new cliProgress.SingleBar(
      {
        format: '{phase} |{bar}| {pct} | {done}/{all}{metrics}',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        // cli-progress only writes and measures, so a TextSink with isTTY is enough.
        stream: stream as NodeJS.WritableStream,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(p: Progress): void {
    const metrics = this.details(p);
    const payload = {
      phase: p.phase.padEnd(10),
      pct: percent(p.fraction).padStart(6),
      done: p.completed,
      all: p.total,
      metrics: metrics ? `  ${metrics}` : '',
    };
    const value = Math.round(p.fraction * SCALE);
    if (!this.started) {
      this.bar.start(SCALE, value, payload);
      this.started = true;
    } else {
      this.bar.update(value, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class LineView implements ProgressView {
  private lastLine = '';
  constructor(
    private readonly stream: TextSink,
    private readonly details: ProgressDetails,
  ) {}

  update(p: Progress): void {
    const line = formatProgressLine(p, this.details);
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.stream.write(`[progress] ${line}\n`);
  }

  stop(): void {}
}
