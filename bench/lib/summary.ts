/** The summary `npm run bench` prints at the end: the machine, then each bench's status and table. */
import type { Ran } from './runner.js';

export interface Machine {
  date: string;
  quick: boolean;
  hostname: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  totalMemGiB: number;
  node: string;
  /** Before any bench runs, so it is other processes' load only. */
  loadAverageAtStart: number[];
}

export function summaryTable(machine: Machine, ran: readonly Ran[]): string {
  const lines = [
    `Summary${machine.quick ? ' (QUICK run: smoke check, not for comparison)' : ''} — ${machine.date}`,
    `  ${machine.cpuCount} × ${machine.cpuModel}, node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' / ')} (1/5/15 min)`,
  ];
  if (machine.loadAverageAtStart[0] >= machine.cpuCount / 2) {
    lines.push(`  WARNING: other processes were busy at start (load ${machine.loadAverageAtStart[0]} on ${machine.cpuCount} cores): figures are likely low.`);
  }
  for (const { result: r, table } of ran) {
    lines.push('', `${r.name} — ${r.status}, ${r.durationSec} s, load average at its start ${r.loadAverageAtStart.join(' / ')}`);
    if (r.status === 'failed') lines.push(`  FAILED: ${r.error}`);
    else lines.push(...table);
  }
  return lines.join('\n');
}
