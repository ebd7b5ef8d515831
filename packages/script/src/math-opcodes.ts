import {
  chargedEqual,
  describe,
  type NativeEnv,
  type NativeOpcode,
  param,
} from './native-opcode.ts';
import { ScriptError, type ScriptPath } from './script-error.ts';
import { expectNumber } from './values.ts';

/** Results must stay JSON numbers: NaN and ±Infinity are errors, not silent `null`s. */
function finite(value: number, opcode: string, path: ScriptPath): number {
  if (!Number.isFinite(value)) {
    throw new ScriptError('RangeError', `${opcode}: result is not a finite number`, path);
  }
  return value;
}

function arithmetic(
  opcode: string,
  description: string,
  combine: (left: number, right: number, path: ScriptPath) => number,
): NativeOpcode {
  return {
    metadata: describe(
      opcode,
      'math',
      description,
      [param('a', 'number'), param('b', 'number'), param('rest', 'number')],
      'number',
      { variadic: true, label: opcode },
    ),
    impl(args, env) {
      let accumulator = expectNumber(args[0], opcode, 1, env.path);
      for (let index = 1; index < args.length; index++) {
        accumulator = combine(
          accumulator,
          expectNumber(args[index], opcode, index + 1, env.path),
          env.path,
        );
      }
      return finite(accumulator, opcode, env.path);
    },
  };
}

/** `^` is right-associative as in the reference and in mathematics: `(^ 2 3 2)` is 2^(3^2). */
const power: NativeOpcode = {
  metadata: describe(
    '^',
    'math',
    'Raises a number to a power; chains from the right: (^ 2 3 2) is 2^(3^2) = 512.',
    [param('base', 'number'), param('exponent', 'number'), param('rest', 'number')],
    'number',
    { variadic: true, label: '^' },
  ),
  impl(args, env) {
    const last = args.length - 1;
    let accumulator = expectNumber(args[last], '^', last + 1, env.path);
    for (let index = last - 1; index >= 0; index--) {
      accumulator = expectNumber(args[index], '^', index + 1, env.path) ** accumulator;
    }
    return finite(accumulator, '^', env.path);
  },
};

function comparison(
  opcode: string,
  description: string,
  holds: (left: unknown, right: unknown, env: NativeEnv) => boolean,
): NativeOpcode {
  return {
    metadata: describe(
      opcode,
      'logic',
      description,
      [param('a', 'any'), param('b', 'any'), param('rest', 'any')],
      'boolean',
      { variadic: true, label: opcode },
    ),
    impl(args, env) {
      for (let index = 0; index + 1 < args.length; index++) {
        if (!holds(args[index], args[index + 1], env)) return false;
      }
      return true;
    },
  };
}

function ordered(opcode: string, test: (order: number) => boolean) {
  return (left: unknown, right: unknown, { path }: NativeEnv): boolean => {
    if (typeof left === 'number' && typeof right === 'number') return test(left - right);
    if (typeof left === 'string' && typeof right === 'string') {
      return test(left < right ? -1 : left > right ? 1 : 0);
    }
    throw new ScriptError(
      'TypeError',
      `${opcode}: can only order two numbers or two strings`,
      path,
    );
  };
}

function unary(name: string, description: string, fn: (value: number) => number): NativeOpcode {
  const opcode = `math.${name}`;
  return {
    metadata: describe(opcode, 'math', description, [param('value', 'number')], 'number'),
    impl(args, env) {
      return finite(fn(expectNumber(args[0], opcode, 1, env.path)), opcode, env.path);
    },
  };
}

function extremum(name: 'min' | 'max'): NativeOpcode {
  const opcode = `math.${name}`;
  return {
    metadata: describe(
      opcode,
      'math',
      `The ${name === 'min' ? 'smallest' : 'largest'} of one or more numbers.`,
      [param('value', 'number'), param('rest', 'number')],
      'number',
      { variadic: true },
    ),
    impl(args, env) {
      const numbers = args.map((value, index) => expectNumber(value, opcode, index + 1, env.path));
      return name === 'min' ? Math.min(...numbers) : Math.max(...numbers);
    },
  };
}

/** Arithmetic, comparisons, `not` and the `math.*` family. */
export const mathOpcodes: NativeOpcode[] = [
  arithmetic('+', 'Sum of two or more numbers (use str.concat for text).', (a, b) => a + b),
  arithmetic('-', 'Subtracts each following number from the first.', (a, b) => a - b),
  arithmetic('*', 'Product of two or more numbers.', (a, b) => a * b),
  arithmetic('/', 'Divides the first number by each following one.', (a, b, path) => {
    if (b === 0) throw new ScriptError('RangeError', '/: division by zero', path);
    return a / b;
  }),
  arithmetic('%', 'Remainder of dividing the first number by the second.', (a, b, path) => {
    if (b === 0) throw new ScriptError('RangeError', '%: modulo by zero', path);
    return a % b;
  }),
  power,
  comparison('==', 'True when every neighbouring pair is structurally equal.', chargedEqual),
  comparison(
    '!=',
    'True when every neighbouring pair differs.',
    (a, b, env) => !chargedEqual(a, b, env),
  ),
  comparison(
    '<',
    'True when the values strictly increase (chained).',
    ordered('<', (o) => o < 0),
  ),
  comparison(
    '>',
    'True when the values strictly decrease (chained).',
    ordered('>', (o) => o > 0),
  ),
  comparison(
    '<=',
    'True when the values never decrease (chained).',
    ordered('<=', (o) => o <= 0),
  ),
  comparison(
    '>=',
    'True when the values never increase (chained).',
    ordered('>=', (o) => o >= 0),
  ),
  {
    metadata: describe(
      'not',
      'logic',
      'Logical negation (falsy: false, 0, "", null).',
      [param('value', 'any')],
      'boolean',
      { label: 'not' },
    ),
    impl: (args) => !args[0],
  },
  unary('floor', 'Rounds down.', Math.floor),
  unary('ceil', 'Rounds up.', Math.ceil),
  unary('trunc', 'Drops the fractional part.', Math.trunc),
  unary('round', 'Rounds to the nearest integer (halves up).', Math.round),
  unary('sin', 'Sine (radians).', Math.sin),
  unary('cos', 'Cosine (radians).', Math.cos),
  unary('tan', 'Tangent (radians).', Math.tan),
  unary('asin', 'Arcsine in radians.', Math.asin),
  unary('acos', 'Arccosine in radians.', Math.acos),
  unary('atan', 'Arctangent in radians.', Math.atan),
  unary('log', 'Natural logarithm.', Math.log),
  unary('log2', 'Base-2 logarithm.', Math.log2),
  unary('log10', 'Base-10 logarithm.', Math.log10),
  unary('exp', 'e to the power of the value.', Math.exp),
  unary('sqrt', 'Square root.', Math.sqrt),
  unary('abs', 'Absolute value.', Math.abs),
  unary('sign', 'Sign of the value: -1, 0 or 1.', Math.sign),
  {
    metadata: describe(
      'math.atan2',
      'math',
      'Angle of the point (x, y) in radians.',
      [param('y', 'number'), param('x', 'number')],
      'number',
    ),
    impl(args, env) {
      return Math.atan2(
        expectNumber(args[0], 'math.atan2', 1, env.path),
        expectNumber(args[1], 'math.atan2', 2, env.path),
      );
    },
  },
  extremum('min'),
  extremum('max'),
  {
    metadata: describe(
      'math.clamp',
      'math',
      'Limits a value to the range [min, max].',
      [param('value', 'number'), param('min', 'number'), param('max', 'number')],
      'number',
    ),
    impl(args, env) {
      const value = expectNumber(args[0], 'math.clamp', 1, env.path);
      const low = expectNumber(args[1], 'math.clamp', 2, env.path);
      const high = expectNumber(args[2], 'math.clamp', 3, env.path);
      if (low > high)
        throw new ScriptError('RangeError', 'math.clamp: min is greater than max', env.path);
      return Math.min(Math.max(value, low), high);
    },
  },
];
