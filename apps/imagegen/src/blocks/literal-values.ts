/**
 * How literal values live in literal and shadow block fields, both ways. Blockly stores a number
 * field as a number, a checkbox as a boolean (or 'TRUE'/'FALSE' in legacy saves), a dropdown as its
 * option string, a text input as a string; the raw-script block keeps JSON text.
 */

import type { ParamMetadata } from '@viwo/protocol';
import { type LiteralSpec, RAW_FIELD, VALUE_FIELD } from './block-specs.ts';
import type { Json } from './blockly-json.ts';
import { ConversionError } from './conversion-error.ts';

/**
 * What Blockly's number field makes of `value` with this precision: it rounds to a multiple of
 * the precision, then to the precision's number of decimals (`FieldNumber.doClassValidation`).
 */
function roundLikeBlockly(value: number, precision: number): number {
  let rounded = Math.round(value / precision) * precision;
  const text = String(precision);
  if (!text.includes('e')) {
    const dot = text.indexOf('.');
    rounded = Number(rounded.toFixed(dot < 0 ? 0 : text.length - dot - 1));
  }
  return rounded;
}

/** Whether `value` can be shown in a block of this literal kind without changing it. */
export function literalFits(literal: LiteralSpec, value: unknown): boolean {
  switch (literal.kind) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0))
        return false;
      if (literal.integer && !Number.isInteger(value)) return false;
      if (literal.min !== undefined && value < literal.min) return false;
      if (literal.max !== undefined && value > literal.max) return false;
      if (literal.step !== undefined && literal.step > 0) {
        return roundLikeBlockly(value, literal.step) === value;
      }
      return true;
    case 'text':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'enum':
      return (
        (typeof value === 'string' || typeof value === 'number') &&
        literal.options.some((option) => option === value)
      );
    case 'raw':
      return true;
  }
}

/** The value a freshly placed literal block of this kind shows (the param's default if it fits). */
export function shadowDefault(literal: LiteralSpec, param?: ParamMetadata): Json {
  if (param && param.default !== undefined && literalFits(literal, param.default)) {
    return param.default as Json;
  }
  switch (literal.kind) {
    case 'number': {
      const low = literal.min ?? Number.NEGATIVE_INFINITY;
      const high = literal.max ?? Number.POSITIVE_INFINITY;
      const value = Math.min(Math.max(0, low), high);
      return literal.integer ? Math.ceil(value) : value;
    }
    case 'text':
      return '';
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'enum':
      return literal.options[0] ?? '';
    case 'raw':
      return null;
  }
}

/** Field state holding `value` (which must fit, see `literalFits`). */
export function fieldsForValue(literal: LiteralSpec, value: unknown): Record<string, Json> {
  switch (literal.kind) {
    case 'null':
      return {};
    case 'raw':
      return { [RAW_FIELD]: JSON.stringify(value) };
    case 'enum':
      return { [VALUE_FIELD]: String(value) };
    default:
      return { [VALUE_FIELD]: value as Json };
  }
}

/** Field state for a param's default, used for toolbox shadows. */
export function defaultFields(literal: LiteralSpec, param?: ParamMetadata): Record<string, Json> {
  return fieldsForValue(literal, shadowDefault(literal, param));
}

/** Reads the value a literal block holds; throws a ConversionError naming the block on bad state. */
export function literalValue(
  literal: LiteralSpec,
  fields: Record<string, Json> | undefined,
  blockId: string | undefined,
): Json {
  const raw = fields?.[literal.kind === 'raw' ? RAW_FIELD : VALUE_FIELD];
  switch (literal.kind) {
    case 'null':
      return null;
    case 'number': {
      const value = typeof raw === 'string' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ConversionError(`number block holds ${JSON.stringify(raw)}`, blockId);
      }
      return value;
    }
    case 'text':
      return typeof raw === 'string' ? raw : '';
    case 'boolean':
      return raw === true || raw === 'TRUE';
    case 'enum': {
      const match = literal.options.find((option) => String(option) === raw);
      if (match === undefined) {
        throw new ConversionError(
          `dropdown value ${JSON.stringify(raw)} is not one of ${literal.options.join(', ')}`,
          blockId,
        );
      }
      return match;
    }
    case 'raw': {
      if (typeof raw !== 'string') return null;
      try {
        return JSON.parse(raw) as Json;
      } catch (error) {
        throw new ConversionError(
          `script block holds invalid JSON: ${(error as Error).message}`,
          blockId,
        );
      }
    }
  }
}
