/**
 * The network for the functions that call the exchange. Upbit binds API keys to allow-listed IP
 * addresses, so these functions leave AWS through one NAT gateway whose Elastic IP this stack
 * owns and retains: the IP survives a NAT replacement and even a stack deletion, and the
 * allow-list at the exchange never has to change.
 *
 * One NAT gateway, not one per AZ: a NAT costs about $45 a month in Seoul before data, and a
 * second one would need a second IP allow-listed. Losing the NAT's AZ pauses price polls and sales
 * for the length of the outage; sales are retried and deadlines are days, not minutes, so that is
 * an acceptable trade. Function subnets span two AZs so the functions themselves still run.
 */
import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  readonly logRetention: logs.RetentionDays;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly egressIp: ec2.CfnEIP;
  /** For functions that call the exchange: HTTPS out only, nothing in. */
  readonly exchangeSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.egressIp = new ec2.CfnEIP(this, 'EgressIp', {
      domain: 'vpc',
      tags: [{ key: 'Purpose', value: 'exchange API allow-list' }],
    });
    this.egressIp.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/20'),
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: ec2.NatProvider.gateway({ eipAllocationIds: [this.egressIp.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 26 },
        { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      // Nothing uses the default group; leave it closed (CIS 5.4).
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        // Free, and keeps table traffic off the NAT's per-GB charge.
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.exchangeSecurityGroup = new ec2.SecurityGroup(this, 'ExchangeClients', {
      vpc: this.vpc,
      description: 'Functions that call the exchange and AWS APIs: HTTPS egress only',
      allowAllOutbound: false,
    });
    this.exchangeSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the exchange and AWS endpoints',
    );

    new CfnOutput(this, 'ExchangeEgressIpOutput', {
      key: 'ExchangeEgressIp',
      value: this.egressIp.attrPublicIp,
      description: 'Allow-list this IP for the API keys at the exchange',
    });
  }

  /** Props for AppFunction: private subnets behind the NAT, HTTPS-only security group. */
  get exchangeFunctionPlacement(): {
    vpc: ec2.IVpc;
    vpcSubnets: ec2.SubnetSelection;
    securityGroups: ec2.ISecurityGroup[];
  } {
    return {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.exchangeSecurityGroup],
    };
  }
}
