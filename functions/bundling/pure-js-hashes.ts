/**
 * What a bundled Lambda gets in place of the AWS SDK's pure-JavaScript SHA-256 and MD5
 * (`@smithy/core`'s `Sha256Js` and `Md5Js`, replaced at bundle time by
 * infra/constructs/lambda-bundle.ts). `Sha256Node` and `Md5Node` use them only where Node's
 * `crypto` has no such hash; Lambda's Node always has both. About 5 KB of every bundle. Any use
 * fails loudly.
 */
const refusal = (name: string) =>
  new Error(`${name} (pure-JavaScript hash) is not bundled in this function (functions/bundling/pure-js-hashes.ts)`);

export class Sha256Js {
  constructor() {
    throw refusal('Sha256Js');
  }
}

export class Md5Js {
  constructor() {
    throw refusal('Md5Js');
  }
}
