import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { SearchBudget } from '../../apps/server/src/search-budget.ts';

describe('SearchBudget', () => {
  test('allows perWindow starts per principal, then says how long until one is free', () => {
    const budget = new SearchBudget(2, 1000);
    expect(budget.take('a', 0)).toBe(0);
    expect(budget.take('a', 100)).toBe(0);
    expect(budget.take('a', 200)).toBe(800);
    expect(budget.take('b', 200)).toBe(0);
    expect(budget.take('a', 1000)).toBe(0);
  });

  test('property: never more than perWindow allowed starts of one principal in any window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 400 })), {
          maxLength: 200,
        }),
        (steps) => {
          const budget = new SearchBudget(3, 1000);
          let now = 0;
          const allowed: Record<string, number[]> = { a: [], b: [] };
          for (const [who, gap] of steps) {
            now += gap;
            const wait = budget.take(who, now);
            const recent = allowed[who]!.filter((at) => now - at < 1000);
            // Refused exactly when the window is full, with a wait that frees a slot.
            expect(wait === 0).toBe(recent.length < 3);
            if (wait > 0) {
              // Waiting as told frees a slot.
              now += wait;
              expect(budget.take(who, now)).toBe(0);
            }
            allowed[who]!.push(now);
          }
        },
      ),
    );
  });
});
