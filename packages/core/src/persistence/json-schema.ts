/**
 * A small JSON Schema validator covering the keywords our schemas use: type, const, enum,
 * required, properties, additionalProperties (boolean), items, minItems/maxItems,
 * minLength/maxLength, pattern, minimum/maximum, anyOf. Unknown keywords are ignored (as the spec
 * says for annotations).
 */

/** The subset of JSON Schema this validator reads. */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  description?: string;
  title?: string;
}

type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

/** One validation failure: where (a JSON-pointer-like path such as `/tags/2`) and what. */
export interface SchemaViolation {
  path: string;
  message: string;
}

/** Validates `value` against `schema`; returns every violation found (empty when valid). */
export function validateJsonSchema(schema: JsonSchema, value: unknown): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  check(schema, value, '', violations);
  return violations;
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function matchesType(value: unknown, type: JsonType): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function check(schema: JsonSchema, value: unknown, path: string, out: SchemaViolation[]): void {
  const at = path || '/';
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => matchesType(value, type))) {
      out.push({ path: at, message: `must be ${types.join(' or ')}, got ${typeOf(value)}` });
      return;
    }
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    out.push({ path: at, message: `must be ${JSON.stringify(schema.const)}` });
  }
  if (
    schema.enum &&
    !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))
  ) {
    out.push({
      path: at,
      message: `must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`,
    });
  }
  if (schema.anyOf) {
    const matched = schema.anyOf.some((option) => validateJsonSchema(option, value).length === 0);
    if (!matched) out.push({ path: at, message: 'does not match any allowed shape' });
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      out.push({ path: at, message: `must have at least ${schema.minLength} characters` });
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      out.push({ path: at, message: `must have at most ${schema.maxLength} characters` });
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      out.push({ path: at, message: `must match ${schema.pattern}` });
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      out.push({ path: at, message: `must be at least ${schema.minimum}` });
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      out.push({ path: at, message: `must be at most ${schema.maximum}` });
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      out.push({ path: at, message: `must have at least ${schema.minItems} items` });
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      out.push({ path: at, message: `must have at most ${schema.maxItems} items` });
    }
    if (schema.items) {
      const items = schema.items;
      for (const [index, item] of value.entries()) check(items, item, `${path}/${index}`, out);
    }
  }
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(record, key))
        out.push({ path: at, message: `is missing required "${key}"` });
    }
    for (const [key, child] of Object.entries(record)) {
      const property =
        schema.properties && Object.hasOwn(schema.properties, key)
          ? schema.properties[key]
          : undefined;
      if (property) check(property, child, `${path}/${key}`, out);
      else if (schema.additionalProperties === false) {
        out.push({ path: at, message: `has unknown property "${key}"` });
      }
    }
  }
}
