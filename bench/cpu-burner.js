// A control for bench/exit.bench.ts (BENCH_CONTROL_BURN): uses a fraction of
// one CPU and does nothing else, spinning `fraction × period` ms of every
// `period` ms (default 4), so that the CA's loss to co-located work can be
// told apart from any coupling to exit modules.
//   node bench/cpu-burner.js 0.25 [periodMs]
const fraction = Number(process.argv[2]);
const period = Number(process.argv[3] ?? 4);
if (!(fraction > 0 && fraction <= 1) || !(period > 0)) {
  process.stderr.write('usage: node bench/cpu-burner.js <fraction 0..1> [periodMs]\n');
  process.exit(2);
}
const on = fraction * period;
(function tick() {
  const start = performance.now();
  while (performance.now() - start < on);
  setTimeout(tick, period - on);
})();
