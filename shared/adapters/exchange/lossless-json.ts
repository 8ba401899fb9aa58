/**
 * Lossless JSON: Upbit's quotation APIs send prices and sizes as JSON numbers, which JSON.parse would
 * turn into floats. `parseLossless` first rewrites every number token outside string literals into a
 * string holding its exact text, so no float ever holds a price. `stringifyWithNumbers` is the
 * reverse for a server: values wrapped in `JsonNumber` are written as bare number tokens.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export class InvalidJsonError extends Error {
  override readonly name = 'InvalidJsonError';
}

/** Rewrites number tokens to strings, then parses. `true`, `false` and `null` stay as they are. */
export function parseLossless(text: string): unknown {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string literal, honouring escapes.
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) throw new InvalidJsonError(`bad number at ${i}`);
      out += text.slice(last, i) + '"' + m[0] + '"';
      i += m[0].length;
      last = i;
      continue;
    }
    i++;
  }
  out += text.slice(last);
  try {
    return JSON.parse(out);
  } catch (e) {
    throw new InvalidJsonError(`invalid JSON: ${(e as Error).message}`);
  }
}

/** Marks a decimal text to be written as a bare JSON number. */
export class JsonNumber {
  constructor(readonly text: string) {
    if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(text)) throw new InvalidJsonError(`not a JSON number: ${text}`);
  }
}

/** JSON.stringify, except that `JsonNumber` values become number tokens with their exact digits. */
export function stringifyWithNumbers(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof JsonNumber) {
      marks.push(v.text);
      return `\u0000num${marks.length - 1}\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000num(\d+)\\u0000"/g, (_m, n: string) => marks[Number(n)] ?? 'null');
}
