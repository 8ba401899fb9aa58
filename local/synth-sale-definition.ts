/**
 * Synthesizes the CDK stack (cdk.json's context, asset bundling skipped) and writes the sale state
 * machine's definition and the sale desk's, tokens resolved, to the file named on the command line. Run in a child
 * process by local/sale-workflow.ts, so the synth (seconds of CPU) overlaps DynamoDB Local's start.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DESK_MACHINE_ID, resolveStateMachineDefinition, type CfnTemplate } from '#adapters/workflow/definition';
import { configFromContext } from '../infra/config';
import { CryptoTaxRecoveryStack } from '../infra/stack';

const out = process.argv[2];
if (!out) throw new Error('usage: synth-sale-definition.ts <output file>');
const root = resolve(__dirname, '..');
const context = (JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;
const outdir = mkdtempSync(join(tmpdir(), 'cdk-local-'));
try {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] }, outdir });
  const config = configFromContext((key) => app.node.tryGetContext(key));
  const stack = new CryptoTaxRecoveryStack(app, `CryptoTaxRecovery-${config.stage}`, {
    env: { region: config.region },
    config,
  });
  const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  const definition = resolveStateMachineDefinition(template);
  const deskDefinition = resolveStateMachineDefinition(template, DESK_MACHINE_ID);
  writeFileSync(out, JSON.stringify({ definition, deskDefinition }));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
