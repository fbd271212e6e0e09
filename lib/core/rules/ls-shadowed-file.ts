import type { StackRule } from '../context';
import { sample } from '../findings';
import type { Finding } from '../model';

const ID = 'LS-SHADOWED-FILE';

/** The same path in two layers: only one copy is visible, chosen by platform precedence. */
export const SHADOWED_FILE: StackRule = {
  id: ID,
  description: 'No file is present in two layers of one stack (only the platform\'s winner is visible).',
  check(ctx) {
    const groups = ctx.shadowGroups();
    if (groups.length === 0) return [];
    // One finding per (hidden layer, winning layer) pair; work per group, not per path.
    const byPair = new Map<number, { loser: number; winner: number; lists: (readonly string[])[] }>();
    for (const g of groups) {
      for (const loser of g.layers) {
        if (loser === g.winner) continue;
        const key = loser * 64 + g.winner;
        const entry = byPair.get(key);
        if (entry) entry.lists.push(g.paths);
        else byPair.set(key, { loser, winner: g.winner, lists: [g.paths] });
      }
    }
    const findings: Finding[] = [];
    for (const { loser, winner, lists } of [...byPair.values()].sort((a, b) => a.loser - b.loser || a.winner - b.winner)) {
      const paths = lists.length === 1 ? lists[0] : lists.flat().sort();
      const loserName = ctx.layers[loser].displayName;
      const winnerName = ctx.layers[winner].displayName;
      findings.push({
        ruleId: ID,
        severity: 'warning',
        layer: loserName,
        message: `${paths.length} file(s) of layer ${loserName} are hidden by layer ${winnerName}, which wins because `
          + `${ctx.platform.precedenceReason}: ${sample(paths)}.`,
        fix: `Remove the shared files from one of the layers, or reorder the layers if ${loserName}'s copy should win.`,
        data: { loser: loserName, winner: winnerName, count: paths.length, paths: paths.slice(0, 20), precedence: ctx.platform.precedence },
      });
    }
    return findings;
  },
};
