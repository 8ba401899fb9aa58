/**
 * fast-check arbitraries for values a zod schema accepts, through the schema's own JSON Schema
 * (`z.toJSONSchema`, the same document the OpenAPI file is built from): objects with their required
 * and some optional fields, strings from their patterns and formats, enums, bounded arrays and
 * records. Refinements JSON Schema cannot say (a calendar date, "more than 0") are met by
 * generating dates as dates and by filtering on the zod schema itself.
 */
import fc from 'fast-check';
import * as z from 'zod';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Schema {
  $ref?: string;
  $defs?: Record<string, Schema>;
  type?: string;
  enum?: Json[];
  const?: Json;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
}

/** Dates the API takes as ordinary: this century, before the test clock. */
const dateArb = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2025-06-30T00:00:00Z'),
  noInvalidDate: true,
});

function arbitraryOf(schema: Schema, defs: Record<string, Schema>): fc.Arbitrary<Json> {
  if (schema.$ref) return arbitraryOf(defs[schema.$ref.replace('#/$defs/', '')] ?? {}, defs);
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return fc.oneof(...union.map((s) => arbitraryOf(s, defs)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date') return dateArb.map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'date-time') return dateArb.map((d) => d.toISOString());
      if (schema.format === 'email') return fc.constantFrom('kim@example.com', 'tax.payer@cheongju.example.kr');
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 24, 24);
      if (schema.pattern)
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
      return fc
        .string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) })
        .filter((s) => s.trim().length >= Math.max(min, 1));
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 1000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryOf(schema.items ?? {}, defs), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3)),
      });
    case 'object': {
      const required = new Set(schema.required ?? []);
      const fields = Object.entries(schema.properties ?? {}).map(([k, s]) => [k, arbitraryOf(s, defs)] as const);
      const shape = fc.record(Object.fromEntries(fields), { requiredKeys: [...required] }) as fc.Arbitrary<
        Record<string, Json>
      >;
      if (typeof schema.additionalProperties === 'object' && !schema.properties) {
        const keys = schema.propertyNames
          ? (arbitraryOf(schema.propertyNames, defs) as fc.Arbitrary<string>)
          : fc.string({ minLength: 1, maxLength: 12 });
        return fc.dictionary(keys, arbitraryOf(schema.additionalProperties, defs), { maxKeys: 3 });
      }
      return shape;
    }
    default:
      // Anything JSON (a free-form value).
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

/** Values the zod schema accepts (as input: before defaults and transforms). */
export function validInput(schema: z.core.$ZodType): fc.Arbitrary<Json> {
  let arbitrary = made.get(schema);
  if (!arbitrary) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
    arbitrary = arbitraryOf(json, json.$defs ?? {}).filter((v) => z.safeParse(schema, v).success);
    made.set(schema, arbitrary);
  }
  return arbitrary;
}
const made = new WeakMap<z.core.$ZodType, fc.Arbitrary<Json>>();

/** Any JSON value (a wrong type, an extra field's content). */
export const anyJson = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
export type { Json };
