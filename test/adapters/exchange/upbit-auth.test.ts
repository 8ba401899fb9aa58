import { createHash } from 'node:crypto';
import { encodeQuery, queryStringForHash, sha512Hex, signUpbitToken } from '#adapters/exchange/upbit-auth';
import { errors, jwtVerify } from 'jose';
import { token } from './independent-signer';

const ACCESS = 'a7Xd92LmQW3vBtRzYpMj5CxNKeT1HuVs0fFgJcAw';
const SECRET = 'secret-Only-for-tests-3f9e2d1c';
const NONCE = 'b2f1e3f8-2dc1-4d6f-a838-c74c49b0e39a';

describe('Upbit request signing', () => {
  it('signs a request without parameters exactly like an independent HS512 JWT', () => {
    expect(signUpbitToken({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE })).toBe(
      token({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE }),
    );
  });

  it('hashes the unescaped query string, in the order given, into query_hash', () => {
    const params = [
      ['market', 'KRW-BTC'],
      ['identifier', 'case-7:sale-1/slice 2'],
    ] as const;
    const raw = 'market=KRW-BTC&identifier=case-7:sale-1/slice 2';
    expect(queryStringForHash(params)).toBe(raw);
    expect(encodeQuery(params)).toBe('market=KRW-BTC&identifier=case-7%3Asale-1%2Fslice%202');
    expect(sha512Hex(raw)).toBe(createHash('sha512').update(raw).digest('hex'));
    expect(signUpbitToken({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE, params })).toBe(
      token({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE, query: raw }),
    );
  });

  it('hashes an order body field by field in body order', () => {
    const params = [
      ['market', 'KRW-ETH'],
      ['side', 'ask'],
      ['volume', '0.01'],
      ['price', '3790000'],
      ['ord_type', 'limit'],
      ['time_in_force', 'ioc'],
      ['identifier', 'c1-s1'],
    ] as const;
    const expected = token({
      accessKey: ACCESS,
      secretKey: SECRET,
      nonce: NONCE,
      query: 'market=KRW-ETH&side=ask&volume=0.01&price=3790000&ord_type=limit&time_in_force=ioc&identifier=c1-s1',
    });
    expect(signUpbitToken({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE, params })).toBe(expected);
    // A different order of the same fields is a different hash: order matters.
    expect(
      signUpbitToken({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE, params: [...params].reverse() }),
    ).not.toBe(expected);
  });

  it('uses a fresh UUID v4 nonce for every token', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const payload = JSON.parse(
        Buffer.from(signUpbitToken({ accessKey: ACCESS, secretKey: SECRET }).split('.')[1]!, 'base64url').toString(),
      ) as { nonce: string };
      expect(payload.nonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      nonces.add(payload.nonce);
    }
    expect(nonces.size).toBe(50);
  });
});

describe('Upbit tokens, checked by an independent JWT library (jose)', () => {
  const key = new TextEncoder().encode(SECRET);

  it('verifies as HS512 with the secret key, carrying the access key, the nonce and the query hash', async () => {
    const raw = 'market=KRW-BTC&states[]=wait&states[]=watch';
    const params = [
      ['market', 'KRW-BTC'],
      ['states[]', 'wait'],
      ['states[]', 'watch'],
    ] as const;
    const jwt = signUpbitToken({ accessKey: ACCESS, secretKey: SECRET, nonce: NONCE, params });
    const { payload, protectedHeader } = await jwtVerify(jwt, key, { algorithms: ['HS512'] });
    expect(protectedHeader).toEqual({ alg: 'HS512', typ: 'JWT' });
    expect(payload).toEqual({
      access_key: ACCESS,
      nonce: NONCE,
      query_hash: createHash('sha512').update(raw).digest('hex'),
      query_hash_alg: 'SHA512',
    });
  });

  it('does not verify with another secret', async () => {
    const jwt = signUpbitToken({ accessKey: ACCESS, secretKey: SECRET });
    await expect(
      jwtVerify(jwt, new TextEncoder().encode(`${SECRET}-other`), { algorithms: ['HS512'] }),
    ).rejects.toThrow(errors.JWSSignatureVerificationFailed);
  });
});
