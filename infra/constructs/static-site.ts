/**
 * A web app of web/<app>/ (web/build.ts), deployed as the officers' console and the taxpayer page
 * both are: the built files in a private, encrypted S3 bucket behind CloudFront with origin access
 * control and a response headers policy (CSP naming the only origins the page may call, HSTS, no
 * framing, no sniffing, no referrer). A CloudFront function answers `/config.json` with what the
 * page learns at run time (its API's address), and serves index.html for any address ending in `/`
 * (the taxpayer page's links are `/t/#<code>`).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { builtWebApp } from '../../web/build';
import { contentSecurityPolicy } from '../../web/headers';
import { nagResource } from './nag';

export interface StaticSiteProps {
  /** The app's folder under web/. */
  readonly app: string;
  /** Names the distribution and its headers policy. */
  readonly description: string;
  /** Answered as /config.json (tokens allowed: they are resolved into the function's code). */
  readonly config: Record<string, unknown>;
  /** Origins the page may call (CSP connect-src), besides its own. */
  readonly connectTo: readonly string[];
  /** Why the site needs no geo restriction and no web ACL of its own (cdk-nag CFR1, CFR2). */
  readonly openBecause: string;
  /** The built app (default: built now). */
  readonly siteDir?: string;
}

export class StaticSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    const config = Stack.of(this).toJsonString(props.config);
    const configFunction = new cloudfront.Function(this, 'ConfigJson', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: `Answers /config.json (${props.app}); index.html for an address ending in /`,
      code: cloudfront.FunctionCode.fromInline(
        [
          `var CONFIG = ${config};`,
          'function handler(event) {',
          "  if (event.request.uri === '/config.json') return { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } }, body: JSON.stringify(CONFIG) };",
          "  if (event.request.uri.endsWith('/')) event.request.uri = '/index.html';",
          '  return event.request;',
          '}',
        ].join('\n'),
      ),
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.description}: its own scripts only, calls to its API only, no framing`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.connectTo), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.description,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: configFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    new s3deploy.BucketDeployment(this, 'Files', {
      sources: [s3deploy.Source.asset(props.siteDir ?? builtWebApp(props.app))],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
      prune: false,
      memoryLimit: 256,
    });
    this.acknowledge(props);
  }

  /** `https://<the distribution's domain>`. */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The cdk-nag findings accepted for a static site, each with its reason (rows in infra/README.md). */
  private acknowledge(props: StaticSiteProps): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: `The bucket holds only the built ${props.app} (no data); it is read only by CloudFront through origin access control, whose access is what matters.`,
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: `Static files only, reached from anywhere: ${props.openBecause}` },
      {
        id: 'AwsSolutions-CFR2',
        reason: `Static files only; a web ACL adds cost, not protection: ${props.openBecause}`,
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Static files only: the API’s access logs record every request that matters.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default CloudFront domain and certificate: CloudFront then accepts TLSv1 at the edge; a city that adds its own domain and certificate sets TLSv1.2_2021.',
      },
    );
    // The bucket deployment's function (a singleton of aws-cdk-lib, at the stack's root), for this site's bucket.
    for (const child of Stack.of(this).node.children.filter((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      const deploymentGrant =
        'aws-cdk-lib’s bucket deployment grant: read the staged asset in the CDK assets bucket, write and prune the site buckets’ objects (object ARNs end in /*), and invalidate the distributions (CloudFront invalidations take no resource ARN).';
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'aws-cdk-lib’s bucket deployment function uses AWSLambdaBasicExecutionRole (its own logs only).',
        },
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((a) => ({
          id: `AwsSolutions-IAM5[Action::${a}]`,
          reason: deploymentGrant,
        })),
        ...[
          '*',
          nagResource(this, this.bucket.arnForObjects('*')),
          `arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Stack.of(this).region}/*`,
        ].map((r) => ({ id: `AwsSolutions-IAM5[Resource::${r}]`, reason: deploymentGrant })),
        {
          id: 'AwsSolutions-L1',
          reason: 'aws-cdk-lib pins the bucket deployment function’s runtime; it runs only at deployment.',
        },
      );
    }
  }
}
