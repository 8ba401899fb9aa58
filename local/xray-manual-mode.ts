/**
 * Imported first by the local stack's entry points: the X-Ray SDK (loaded by Powertools' tracer)
 * installs an async hook with destroy tracking on every promise of the process when it loads in its
 * default automatic mode. Locally tracing is off (no daemon; the stack's tracer is disabled), so the
 * hook only costs: about a tenth of the demo's CPU time (docs/BENCHMARKS.md, the demo). Its
 * documented switch, `AWS_XRAY_MANUAL_MODE`, skips it; deployed functions keep automatic mode.
 */
process.env.AWS_XRAY_MANUAL_MODE ??= '1';
