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
  story: { label: 'Story', short: 'Story', fg: '#1f6f43', bg: '#e3f4ea' },
  enhancement: { label: 'Enhancement', short: 'Enh', fg: '#0f6470', bg: '#def3f5' },
  defect_automated: { label: 'Defect (automated test)', short: 'Defect·auto', fg: '#b42318', bg: '#fdeceb' },
  defect_manual: { label: 'Defect (manual test)', short: 'Defect', fg: '#a1243f', bg: '#fce8ee' },
  incident: { label: 'Incident', short: 'Incident', fg: '#9a4a00', bg: '#fff0dc' },
  problem: { label: 'Problem', short: 'Problem', fg: '#6b3fa0', bg: '#f1eafb' },
  improvement: { label: 'Improvement', short: 'Improve', fg: '#2b54b8', bg: '#e7eefc' },
  service_request: { label: 'Service request', short: 'Request', fg: '#0b6b5c', bg: '#dff5f0' },
};

export const PRIORITY: Record<Priority, { label: string; color: string }> = {
  critical: { label: 'Critical', color: '#c2352b' },
  high: { label: 'High', color: '#d9730d' },
  medium: { label: 'Medium', color: '#b28a00' },
  low: { label: 'Low', color: '#3b6fd4' },
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
  development: { short: 'Dev', fg: '#4338ca', bg: '#eef0ff' },
  maintenance: { short: 'Maint', fg: '#0f6470', bg: '#def3f5' },
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
  return `hsl(${h} 45% 42%)`;
}
