/** Stops the DynamoDB Local that dynamodb-global-setup.ts started (if it started one). */
import { appendFileSync, readFileSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const local = globalThis.__DYNAMODB_LOCAL__;
  if (!local) return;
  globalThis.__DYNAMODB_LOCAL__ = undefined;
  delete process.env.DYNAMODB_ENDPOINT;
  if (process.env.TEST_CPU_LOG && local.pid !== undefined)
    appendFileSync(process.env.TEST_CPU_LOG, jvmCpuLine(local.pid));
  await local.stop();
}

/**
 * TEST_CPU_LOG (test/support/cpu-per-file.ts): the shared DynamoDB Local's own CPU seconds (user +
 * system, from /proc: Linux only), the other large share of the run's CPU beside the workers'.
 */
function jvmCpuLine(pid: number): string {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    return `${seconds.toFixed(2)}\t-\tDynamoDB Local (the run's shared JVM)\n`;
  } catch {
    return '';
  }
}
