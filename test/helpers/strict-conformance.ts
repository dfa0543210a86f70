import type { z } from 'zod';

/**
 * Whether `value` fits `schema` exactly: zod's parse (types, enums, formats, required fields)
 * plus no property the schema does not name, at any depth (zod objects strip unknown keys
 * silently, but the OpenAPI document says additionalProperties: false). Returns the problems.
 */
export function conformanceProblems(schema: z.ZodType, value: unknown, path = '$'): string[] {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.map((i) => `${path}.${i.path.join('.')}: ${i.message}`);
  return unknownKeys(schema, value, path);
}

/** The fields of zod's internal definition this walk reads (each present for its `type`). */
interface ZodDefView {
  type: string;
  innerType: z.ZodType;
  element: z.ZodType;
  options: z.ZodType[];
  shape: Record<string, z.ZodType>;
}

function unknownKeys(schema: z.ZodType, value: unknown, path: string): string[] {
  const def = (schema as unknown as { _zod: { def: ZodDefView } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return value === undefined || value === null ? [] : unknownKeys(def.innerType, value, path);
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => unknownKeys(def.element, item, `${path}[${i}]`)) : [];
    case 'union': {
      // Some option must fit exactly.
      const fits = def.options.map((option) => conformanceProblems(option, value, path));
      return fits.some((p) => p.length === 0) ? [] : fits.sort((a, b) => a.length - b.length)[0];
    }
    case 'object': {
      if (typeof value !== 'object' || value === null) return [];
      const shape = def.shape;
      const extra = Object.keys(value).filter(
        (key) => !(key in shape) && (value as Record<string, unknown>)[key] !== undefined,
      );
      return [
        ...extra.map((key) => `${path}.${key}: not in the documented schema`),
        ...Object.entries(shape).flatMap(([key, child]) =>
          unknownKeys(child, (value as Record<string, unknown>)[key], `${path}.${key}`),
        ),
      ];
    }
    default:
      return [];
  }
}
