/**
 * Defaults every Lambda of this system shares: Node.js 22 on arm64, a minified, tree-shaken ES module
 * bundle (esbuild's API with our plugins, ./lambda-bundle.ts, never Docker; its source map kept beside
 * the assembly, not in the zip), its own log group with retention,
 * Powertools settings, X-Ray tracing, and an execution role without AWS managed policies.
 * Callers bind resources to it (`data.bindTable(fn)`, `queues.addConsumer(...)`), which grants
 * and sets the environment in one place.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stage, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LocalBundle } from './lambda-bundle';
import { OnePolicyRole } from './nag';

/** The repository root: `infra/constructs/` is two levels down. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** `functions/<name>/handler.ts`, else `functions/<name>/index.ts`; undefined when neither exists. */
export function findEntry(name: string): string | undefined {
  for (const file of ['handler.ts', 'index.ts']) {
    const candidate = path.join(REPO_ROOT, 'functions', name, file);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface AppFunctionProps {
  /** Folder under `functions/`; also the Powertools service name. */
  readonly name: string;
  /** Overrides the entry file (absolute path); default from `findEntry(name)`. */
  readonly entry?: string;
  readonly handler?: string;
  readonly description?: string;
  /** Default 30 s. Queue consumers' visibility timeouts are checked against it. */
  readonly timeout?: Duration;
  /** Default 512 MB (arm64 CPU scales with memory; 512 is a good price point for SDK-heavy code). */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** Caps concurrency, e.g. for the functions that place orders within the exchange's rate limit. */
  readonly reservedConcurrentExecutions?: number;
  /** Places the function in these subnets (for the fixed egress IP). */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly logRetention: logs.RetentionDays;
  /** Powertools metrics namespace, shared by all functions of a deployment. */
  readonly metricsNamespace: string;
  /** Default INFO. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

export class AppFunction extends Construct implements iam.IGrantable {
  readonly fn: lambda.Function;
  /** The bundle's entry file (absolute path). */
  readonly entry: string;
  /** Where the bundle's source map and esbuild metafile are written (outside the asset). */
  readonly sidecar: string;
  readonly role: OnePolicyRole;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const entry = props.entry ?? findEntry(props.name);
    if (!entry) {
      throw new Error(`AppFunction ${id}: no functions/${props.name}/handler.ts or index.ts in ${REPO_ROOT}`);
    }
    this.entry = entry;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Logs outlive a stack deletion: they are part of what happened to a taxpayer's case.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Our own role: CDK's default attaches AWSLambdaBasicExecutionRole (logs:* on every group).
    // Every grant lands in its one default policy (CloudFormation's 500 resources a stack), each
    // wildcard acknowledged for its own grant only (OnePolicyRole). The function depends on the
    // role, default policy included: it is never created before it can write logs and reach its ENIs.
    this.role = new OnePolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.name}`,
    });
    this.grantPrincipal = this.role;

    this.role.grantAcknowledged(
      (grantee) => {
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [this.logGroup.logGroupArn],
          }),
        );
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            resources: ['*'],
          }),
        );
      },
      { resources: ['*'] },
      'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; * is the only valid resource.',
    );

    if (props.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants, inline: Lambda manages the function's ENIs.
      this.role.grantAcknowledged(
        (grantee) =>
          grantee.grantPrincipal.addToPrincipalPolicy(
            new iam.PolicyStatement({
              actions: [
                'ec2:CreateNetworkInterface',
                'ec2:DescribeNetworkInterfaces',
                'ec2:DescribeSubnets',
                'ec2:DeleteNetworkInterface',
                'ec2:AssignPrivateIpAddresses',
                'ec2:UnassignPrivateIpAddresses',
              ],
              resources: ['*'],
            }),
          ),
        { resources: ['*'] },
        'X-Ray writes, and (VPC functions) ENI management: Lambda creates and deletes the ENIs of a VPC function before their ids exist; EC2 Describe* and ENI creation take no resource ARN here (the statement of the AWS managed AWSLambdaVPCAccessExecutionRole, kept inline to avoid managed policies).',
      );
    }

    const timeout = props.timeout ?? Duration.seconds(30);
    this.sidecar = path.join(Stage.of(this)?.assetOutdir ?? REPO_ROOT, 'bundles', this.node.path.replace(/\//g, '.'));
    this.fn = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(REPO_ROOT, {
        // The hash of the bundle itself (as NodejsFunction's): same code, same asset.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('dummy') /* never run: LocalBundle succeeds or throws */,
          local: new LocalBundle(entry, this.sidecar),
        },
      }),
      handler: `index.${props.handler ?? 'handler'}`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.DISABLED, // set on the resource below, with our own X-Ray policy
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        ...props.environment,
      },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime this project targets and tests on (local tools and the step-function interpreter run on Node 22); moving to 24 is a deliberate, tested upgrade.',
    });
  }

  get functionName(): string {
    return this.fn.functionName;
  }

  get timeout(): Duration {
    // Always set by the constructor.
    return this.fn.timeout ?? Duration.seconds(3);
  }

  addEnvironment(key: string, value: string): this {
    this.fn.addEnvironment(key, value);
    return this;
  }
}
