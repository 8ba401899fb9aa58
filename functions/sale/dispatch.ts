/**
 * A step Lambda's entry: validate the state machine's payload, run the named step, publish the
 * step's metrics. Errors are thrown as they are (their names are what Retry and Catch match).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { InvalidStepInputError } from './errors';
import { StepEvent, UnknownStepError, type StepName } from './steps';

export type StepHandler = (event: unknown) => Promise<unknown>;

export function stepDispatcher<S extends StepName>(
  steps: Record<S, (event: StepEvent) => Promise<unknown>>,
  metrics: Pick<Metrics, 'publishStoredMetrics'>,
): StepHandler {
  return async (raw) => {
    const parsed = StepEvent.safeParse(raw);
    if (!parsed.success) throw new InvalidStepInputError(`invalid step input: ${parsed.error.message}`);
    const event = parsed.data;
    const step = (steps as Record<string, ((e: StepEvent) => Promise<unknown>) | undefined>)[event.step];
    if (!step) throw new UnknownStepError(`this function does not run ${event.step}`);
    try {
      return await step(event);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
