// What one process is doing: CPU, memory and how late its event loop runs (a loop that is busy
// for 80 ms makes every socket and message wait 80 ms). Read by operators and the benchmarks
// through the services that answer `nodeStats` / `ws.stats`.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessStats {
  pid: number;
  cpuMicros: { user: number; system: number };
  heapUsed: number;
  rss: number;
  /** event-loop delay since the last reset, ms */
  eventLoopMs: { p50: number; p99: number; max: number };
}

let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;

/** This process's figures; `reset` starts a new event-loop window after reading. */
export function processStats(reset = false): ProcessStats {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
  }
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const memory = process.memoryUsage();
  const stats: ProcessStats = {
    pid: process.pid,
    cpuMicros: process.cpuUsage(),
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    eventLoopMs: {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    },
  };
  if (reset) histogram.reset();
  return stats;
}
