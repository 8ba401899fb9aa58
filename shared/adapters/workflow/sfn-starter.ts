/** The SaleWorkflowStarter on AWS Step Functions (Standard): a repeated start is a no-op. */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  deskExecutionName,
  type DeskExecutionInput,
  type DeskWorkflowStarter,
  saleExecutionName,
  type SaleExecutionInput,
  type SaleWorkflowStarter,
  type StartOutcome,
} from './sale-workflow';

export class StepFunctionsSaleStarter implements SaleWorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    readonly stateMachineArn: string,
  ) {}

  async start(input: SaleExecutionInput): Promise<StartOutcome> {
    const executionName = saleExecutionName(input.cityId, input.saleId, input.continuation);
    try {
      // Standard workflows: the same name and input while it runs returns the running execution;
      // a name already used (running with other input, or closed within 90 days) is refused.
      const out = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName,
          input: JSON.stringify(input),
        }),
      );
      return { started: true, executionName, ...(out.executionArn ? { executionArn: out.executionArn } : {}) };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { started: false, executionName };
      throw error;
    }
  }
}

/** The desk's executions on AWS Step Functions: a repeated start of the same run is a no-op. */
export class StepFunctionsDeskStarter implements DeskWorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    readonly stateMachineArn: string,
  ) {}

  async start(input: DeskExecutionInput): Promise<StartOutcome> {
    const executionName = deskExecutionName(input);
    try {
      const out = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName,
          input: JSON.stringify(input),
        }),
      );
      return { started: true, executionName, ...(out.executionArn ? { executionArn: out.executionArn } : {}) };
    } catch (error) {
      // A desk run's input is fixed by its name: the same name and input while it runs succeeds
      // (Standard workflows), so ExecutionAlreadyExists says that run has ended.
      if (error instanceof ExecutionAlreadyExists) return { started: false, executionName, running: false };
      throw error;
    }
  }
}
