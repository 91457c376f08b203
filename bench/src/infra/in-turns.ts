/**
 * Runs two measurements `rounds` times each, in turns, the order flipping every round (a b, b a, a b…), so
 * a busy moment of a shared machine falls on both instead of on whichever ran then.
 */
export async function inTurns(rounds: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const run of round % 2 === 0 ? [a, b] : [b, a]) await run();
  }
}
