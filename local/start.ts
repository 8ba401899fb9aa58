/**
 * `npm start`. Until the local stack lands, this runs the clearly labelled domain-core demonstration.
 * `--exit-when-done` exits after the summary (the last line is one JSON object).
 */
import { runDomainDemo } from './demo';

const started = Date.now();
console.log('== crypto-tax-recovery: domain core demonstration (sample figures, no market, no AWS) ==');
const summary = runDomainDemo((line) => console.log(line));
console.log(JSON.stringify({ ...summary, elapsedSeconds: (Date.now() - started) / 1000 }));
