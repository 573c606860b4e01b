// Preloaded into the CLI child of the memory section (`node --import <this> dist/bin/cli.js ...`): samples the V8 heap
// every 20 ms and prints the peaks on stderr at exit, to tell live data from garbage the collector has not reclaimed.
const peak = { heapUsed: 0, heapTotal: 0, external: 0 };
const sample = () => {
  const usage = process.memoryUsage();
  peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
  peak.heapTotal = Math.max(peak.heapTotal, usage.heapTotal);
  peak.external = Math.max(peak.external, usage.external);
};
setInterval(sample, 20).unref();
process.on('exit', () => {
  sample();
  process.stderr.write(`BENCH_MEMORY ${JSON.stringify(peak)}\n`);
});
