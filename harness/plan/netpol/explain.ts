import type { DirectionVerdict, RuleRef, TruthCell } from './evaluate.js';

const rule = (r: RuleRef, direction: 'ingress' | 'egress'): string => `${r.policy} ${direction}[${r.rule}]`;

function side(direction: 'ingress' | 'egress', pod: string, v: DirectionVerdict, peer: string, traffic: string): string {
  const head = `${direction} of ${pod}`;
  if (!v.isolated) return `${head} open (no policy selects it for ${direction})`;
  if (v.allowed) return `${head} allowed by ${v.allowedBy.map((r) => rule(r, direction)).join(', ')}`;
  const what = direction === 'ingress' ? `from ${peer}` : `to ${peer}`;
  return `${head} denied: isolated by ${v.policies.join(', ')}, and no ${direction} rule allows ${what} on ${traffic}`;
}

/**
 * Why a cell is allowed or blocked, in one line: both sides, the policies that isolate a pod and the rules that let
 * the traffic through. E.g. `blocked: egress of x/a open (no policy selects it for egress); ingress of y/b denied:
 * isolated by y/deny-all, and no ingress rule allows from x/a on 80/TCP`.
 */
export function explainCell(cell: TruthCell): string {
  const traffic = `${cell.port}/${cell.protocol}`;
  const policies = `${side('egress', cell.from, cell.egress, cell.to, traffic)}; ${side('ingress', cell.to, cell.ingress, cell.from, traffic)}`;
  if (cell.loopback) {
    const byRules = cell.egress.allowed && cell.ingress.allowed;
    return `allowed: a pod to itself (a pod cannot block access to itself)${byRules ? '' : '; the rules alone would block it'}: ${policies}`;
  }
  return `${cell.allowed ? 'allowed' : 'blocked'}: ${policies}`;
}
