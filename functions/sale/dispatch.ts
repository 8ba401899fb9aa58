/**
 * A step Lambda's entry: validate the state machine's payload, run the named step. Errors are
 * thrown as they are (their names are what Retry and Catch match). The step's metrics are flushed by
 * the Lambda composition (functions/lambda.ts).
 */
import { InvalidStepInputError } from './errors';
import {
  CASE_STEPS,
  DESK_STEPS,
  DeskStepEvent,
  MARKET_STEPS,
  StepEvent,
  UnknownStepError,
  type StepName,
} from './steps';

export type StepHandler = (event: unknown) => Promise<unknown>;

export function stepDispatcher<S extends StepName>(steps: Record<S, (event: never) => Promise<unknown>>): StepHandler {
  return async (raw) => {
    const desk = (DESK_STEPS as readonly string[]).includes((raw as { step?: unknown } | null)?.step as string);
    const parsed = desk ? DeskStepEvent.safeParse(raw) : StepEvent.safeParse(raw);
    if (!parsed.success) throw new InvalidStepInputError(`invalid step input: ${parsed.error.message}`);
    const event = parsed.data;
    const step = (steps as Record<string, ((e: typeof event) => Promise<unknown>) | undefined>)[event.step];
    if (!step) throw new UnknownStepError(`this function does not run ${event.step}`);
    return step(event);
  };
}

/**
 * Where no Lambda runs (the local stack, the tests): each Task state of the synthesized definition
 * bound to the step dispatcher that runs it, by state name (a Task state is named after its step),
 * with JSON in and JSON out as Lambda would.
 */
export function localTaskHandlers(
  definition: { States: Record<string, { Type: string }> },
  dispatchers: { caseSteps: StepHandler; marketSteps: StepHandler },
): Record<string, (input: unknown) => Promise<unknown>> {
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const dispatcher = (CASE_STEPS as readonly string[]).includes(name)
      ? dispatchers.caseSteps
      : (MARKET_STEPS as readonly string[]).includes(name)
        ? dispatchers.marketSteps
        : undefined;
    if (!dispatcher) throw new UnknownStepError(`the definition has a Task state ${name} that no step function runs`);
    handlers[name] = async (input) =>
      JSON.parse(JSON.stringify((await dispatcher(JSON.parse(JSON.stringify(input)))) ?? null)) as unknown;
  }
  return handlers;
}
