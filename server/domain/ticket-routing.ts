/**
 * Where a plugin-raised ticket lands, pure: an installation's routing config and a signal in, the
 * stream, lane (class of service), backlog position, priority and SLA tier out. The first rule whose
 * `when` matches wins; otherwise the fallback applies.
 */
import type { ClassOfService, Priority, Stream } from '../../protocol/model.ts';
import {
  matchesPattern,
  type RouteRule,
  type Severity,
  type TicketKind,
  type TicketRouting,
} from '../../protocol/plugin.ts';

export interface RoutingSignal {
  kind: TicketKind;
  severity?: Severity;
  branch?: string;
  onDefaultBranch?: boolean;
  service?: string;
}

export interface Route {
  stream: Stream;
  classOfService: ClassOfService;
  position: 'top' | 'bottom';
  priority: Priority;
  slaTier: string;
  severity: Severity;
  /** index of the rule that matched, or null for the fallback */
  rule: number | null;
}

/** A signal without a severity is treated as medium. */
export const DEFAULT_SEVERITY: Severity = 'medium';

export function ruleMatches(rule: RouteRule, signal: RoutingSignal): boolean {
  const w = rule.when;
  if (w.kind !== undefined && w.kind !== signal.kind) return false;
  if (w.branch !== undefined) {
    if (w.branch === 'default') {
      if (signal.onDefaultBranch !== true) return false;
    } else if (signal.branch === undefined || !matchesPattern(w.branch, signal.branch)) return false;
  }
  if (w.severity !== undefined && !w.severity.includes(signal.severity ?? DEFAULT_SEVERITY)) return false;
  if (w.service !== undefined && (signal.service === undefined || !matchesPattern(w.service, signal.service)))
    return false;
  return true;
}

export function routeTicket(routing: TicketRouting, signal: RoutingSignal): Route {
  const index = routing.rules.findIndex((r) => ruleMatches(r, signal));
  const target = index >= 0 ? routing.rules[index]! : routing.fallback;
  const severity = signal.severity ?? DEFAULT_SEVERITY;
  return {
    stream: target.stream,
    classOfService: target.lane,
    position: target.position,
    priority: routing.priority[severity],
    slaTier: routing.slaTier[severity],
    severity,
    rule: index >= 0 ? index : null,
  };
}
