import type { StackRule } from '../context';
import { sample } from '../findings';
import type { Finding } from '../model';

const ID = 'LS-SHADOWED-FILE';

/** The same path in two layers: only one copy is visible, chosen by platform precedence. */
export const SHADOWED_FILE: StackRule = {
  id: ID,
  description: 'No file is present in two layers of one stack (only the platform\'s winner is visible).',
  check(ctx) {
    const shadowed = ctx.shadowed();
    if (shadowed.length === 0) return [];
    const byPair = new Map<string, { loser: string; winner: string; paths: string[] }>();
    for (const s of shadowed) {
      for (const loser of s.layers) {
        if (loser === s.winner) continue;
        const key = `${loser}\u0000${s.winner}`;
        const entry = byPair.get(key);
        if (entry) entry.paths.push(s.path);
        else byPair.set(key, { loser, winner: s.winner, paths: [s.path] });
      }
    }
    const findings: Finding[] = [];
    for (const { loser, winner, paths } of byPair.values()) {
      findings.push({
        ruleId: ID,
        severity: 'warning',
        layer: loser,
        message: `${paths.length} file(s) of layer ${loser} are hidden by layer ${winner}, which wins because ${ctx.platform.precedenceReason}: ${sample(paths)}.`,
        fix: `Remove the shared files from one of the layers, or reorder the layers if ${loser}'s copy should win.`,
        data: { loser, winner, count: paths.length, paths: paths.slice(0, 20), precedence: ctx.platform.precedence },
      });
    }
    return findings;
  },
};
