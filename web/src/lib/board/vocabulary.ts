/**
 * How the board's fixed vocabularies read on screen: names and colours for card types, priorities,
 * classes of service, streams and roles. Typed as complete records so a new value in the protocol
 * is a compile error here until it has a name.
 */
import type { CardType, ClassOfService, Column, Priority, Role, Stream } from '../../../../protocol/model.ts';

interface Badge {
  label: string;
  short: string;
  fg: string;
  bg: string;
}

export const CARD_TYPE: Record<CardType, Badge> = {
  story: {
    label: 'Story',
    short: 'Story',
    fg: 'light-dark(#1f6f43, #86d9a8)',
    bg: 'light-dark(#e3f4ea, #173826)',
  },
  enhancement: {
    label: 'Enhancement',
    short: 'Enh',
    fg: 'light-dark(#0f6470, #7fd6e1)',
    bg: 'light-dark(#def3f5, #12363b)',
  },
  defect_automated: {
    label: 'Defect (automated test)',
    short: 'Defect·auto',
    fg: 'light-dark(#b42318, #ffa198)',
    bg: 'light-dark(#fdeceb, #45201d)',
  },
  defect_manual: {
    label: 'Defect (manual test)',
    short: 'Defect',
    fg: 'light-dark(#a1243f, #f7a3b8)',
    bg: 'light-dark(#fce8ee, #421d28)',
  },
  incident: {
    label: 'Incident',
    short: 'Incident',
    fg: 'light-dark(#9a4a00, #f5b870)',
    bg: 'light-dark(#fff0dc, #3d2a12)',
  },
  problem: {
    label: 'Problem',
    short: 'Problem',
    fg: 'light-dark(#6b3fa0, #cfaef5)',
    bg: 'light-dark(#f1eafb, #2f2344)',
  },
  improvement: {
    label: 'Improvement',
    short: 'Improve',
    fg: 'light-dark(#2b54b8, #a3bff7)',
    bg: 'light-dark(#e7eefc, #1d2b4a)',
  },
  service_request: {
    label: 'Service request',
    short: 'Request',
    fg: 'light-dark(#0b6b5c, #7fe0cc)',
    bg: 'light-dark(#dff5f0, #123a33)',
  },
};

export const PRIORITY: Record<Priority, { label: string; color: string }> = {
  critical: { label: 'Critical', color: 'light-dark(#c2352b, #ff8a80)' },
  high: { label: 'High', color: 'light-dark(#b85f08, #f0943e)' },
  medium: { label: 'Medium', color: 'light-dark(#8f6f00, #dcb92e)' },
  low: { label: 'Low', color: 'light-dark(#3b6fd4, #83aaf7)' },
};

export const CLASS_OF_SERVICE: Record<ClassOfService, string> = {
  expedite: 'Expedite',
  fixed_date: 'Fixed date',
  standard: 'Standard',
  intangible: 'Intangible',
};

export const STREAM: Record<Stream, string> = {
  development: 'Development',
  maintenance: 'Maintenance',
};

export const STREAM_CHIP: Record<Stream, { short: string; fg: string; bg: string }> = {
  development: { short: 'Dev', fg: 'light-dark(#4338ca, #b9b5ff)', bg: 'light-dark(#eef0ff, #272a55)' },
  maintenance: { short: 'Maint', fg: 'light-dark(#0f6470, #7fd6e1)', bg: 'light-dark(#def3f5, #12363b)' },
};

export const COLUMN_CATEGORY: Record<Column['category'], string> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
};

export const ROLE: Record<Role, string> = {
  admin: 'Admin',
  product_owner: 'Product owner',
  developer: 'Developer',
  maintenance: 'Maintenance',
  viewer: 'Viewer',
};

/** "1 card", "12 cards", "10,000 cards" */
export const cardCount = (n: number): string => `${n.toLocaleString()} ${n === 1 ? 'card' : 'cards'}`;

export const options = <K extends string>(record: Record<K, unknown>): K[] => Object.keys(record) as K[];

/** Two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]![0]}${parts.at(-1)![0]}` : (parts[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

/** A stable, calm colour per person. */
export function personColor(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  // dark enough for white initials at 4.5:1 whatever the hue
  return `hsl(${h} 45% 30%)`;
}
