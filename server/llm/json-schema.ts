import type { z } from 'zod';

/**
 * JSON Schema for the tool argument schemas (zod v3), covering the subset the tools use: objects,
 * strings, numbers, booleans, enums, arrays, unions, optional/nullable/default and descriptions.
 */
export function toJsonSchema(schema: z.ZodTypeAny): Record<string, unknown> {
  const out = convert(schema);
  return out;
}

function convert(s: z.ZodTypeAny): Record<string, unknown> {
  const description = s.description ? { description: s.description } : {};
  // biome-ignore lint/suspicious/noExplicitAny: zod's internal _def differs per schema type; each case below reads only its own fields
  const def = s._def as { typeName: string } & Record<string, any>;
  switch (def.typeName) {
    case 'ZodObject': {
      const shape = (s as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        properties[k] = convert(v);
        if (!v.isOptional()) required.push(k);
      }
      return { type: 'object', properties, required, additionalProperties: false, ...description };
    }
    case 'ZodString': {
      const r: Record<string, unknown> = { type: 'string' };
      for (const c of def.checks as { kind: string; value?: number }[]) {
        if (c.kind === 'min') r.minLength = c.value;
        if (c.kind === 'max') r.maxLength = c.value;
      }
      return { ...r, ...description };
    }
    case 'ZodNumber': {
      const checks = def.checks as { kind: string; value?: number }[];
      const r: Record<string, unknown> = { type: checks.some((c) => c.kind === 'int') ? 'integer' : 'number' };
      for (const c of checks) {
        if (c.kind === 'min') r.minimum = c.value;
        if (c.kind === 'max') r.maximum = c.value;
      }
      return { ...r, ...description };
    }
    case 'ZodBoolean':
      return { type: 'boolean', ...description };
    case 'ZodEnum':
      return { type: 'string', enum: def.values, ...description };
    case 'ZodArray': {
      const r: Record<string, unknown> = { type: 'array', items: convert(def.type) };
      if (def.minLength) r.minItems = def.minLength.value;
      if (def.maxLength) r.maxItems = def.maxLength.value;
      return { ...r, ...description };
    }
    case 'ZodUnion':
      return { anyOf: (def.options as z.ZodTypeAny[]).map(convert), ...description };
    case 'ZodOptional':
    case 'ZodDefault':
      return { ...convert(def.innerType), ...description };
    case 'ZodNullable':
      return { anyOf: [convert(def.innerType), { type: 'null' }], ...description };
    case 'ZodEffects':
      return { ...convert(def.schema), ...description };
    default:
      throw new Error(`toJsonSchema: unsupported zod type ${def.typeName}`);
  }
}
