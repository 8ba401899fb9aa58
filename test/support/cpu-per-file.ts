/**
 * With TEST_CPU_LOG=<file> (jest.config.js), each test file appends a line to that file: the CPU
 * seconds (user + system) of its worker from the file's start to its last test, its seconds of wall
 * time, and its path. A measuring aid for docs/BENCHMARKS.md ("test suite"), not a test.
 */
import { appendFileSync } from 'node:fs';

const cpuAtStart = process.cpuUsage();
const startedAt = Date.now();

afterAll(() => {
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = (cpu.user + cpu.system) / 1e6;
  const line = `${seconds.toFixed(2)}\t${((Date.now() - startedAt) / 1000).toFixed(1)}\t${expect.getState().testPath}\n`;
  appendFileSync(process.env.TEST_CPU_LOG!, line);
});
