/**
 * What a bundled Lambda gets in place of the X-Ray SDK's EC2, ECS and Elastic Beanstalk plugins
 * (`aws-xray-sdk-core/dist/lib/segments/plugins/*.js`, replaced at bundle time by
 * infra/constructs/lambda-bundle.ts). They add the host's metadata to segments only when passed to
 * `AWSXRay.config([...])`, which neither Powertools' tracer nor any function calls: on Lambda the
 * function's segment is Lambda's own. The EC2 plugin's metadata client came with them (about 3 KB
 * of every bundle). Any use fails loudly.
 */
export function getData(): never {
  throw new Error('X-Ray SDK plugins are not bundled in this function (functions/bundling/xray-plugins.ts)');
}

export const originName = 'not bundled';
