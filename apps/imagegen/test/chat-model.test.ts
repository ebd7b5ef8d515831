import { describe, expect, test } from 'bun:test';
import { branchCount, type ChatTurn, threadTo, treeRows } from '../src/chat/chat-model.ts';

function turn(id: string, parent: string | null): ChatTurn {
  return {
    id,
    parent_id: parent,
    message: id,
    prompt: id,
    negative_prompt: '',
    seed: 1,
    strength: parent ? 0.5 : null,
    image: { $image: id.repeat(64).slice(0, 64), width: 64, height: 64 },
    script: null,
    action: parent ? 'attribute' : 'generate',
    explanation: '',
    job_id: `job_${id}`,
    created: 0,
  };
}

// a ─ b ─ c
//   └ d ─ e
const TURNS = [turn('a', null), turn('b', 'a'), turn('c', 'b'), turn('d', 'a'), turn('e', 'd')];

describe('chat model', () => {
  test('threadTo walks from the root to the turn', () => {
    expect(threadTo(TURNS, 'e').map((entry) => entry.id)).toEqual(['a', 'd', 'e']);
    expect(threadTo(TURNS, 'c').map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
    expect(threadTo(TURNS, null)).toEqual([]);
    expect(threadTo(TURNS, 'missing')).toEqual([]);
  });

  test('treeRows lists depth first with depths and creation numbers', () => {
    expect(treeRows(TURNS).map((row) => [row.turn.id, row.depth, row.number])).toEqual([
      ['a', 0, 1],
      ['b', 1, 2],
      ['c', 2, 3],
      ['d', 1, 4],
      ['e', 2, 5],
    ]);
  });

  test('a turn whose parent is unknown is shown as a root', () => {
    expect(treeRows([turn('x', 'gone')]).map((row) => row.depth)).toEqual([0]);
  });

  test('branchCount counts leaves of the tree', () => {
    expect(branchCount([])).toBe(0);
    expect(branchCount(TURNS.slice(0, 3))).toBe(1);
    expect(branchCount(TURNS)).toBe(2);
    expect(branchCount([...TURNS, turn('f', 'a'), turn('g', null)])).toBe(4);
  });
});
