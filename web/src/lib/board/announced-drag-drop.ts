/**
 * The drag-and-drop set-up of a board view, with the library's default plugins but announcements in
 * the board's words (drag-announcements.ts): spread the result onto DragDropProvider.
 *
 * Why it makes the manager: @dnd-kit/svelte's DragDropProvider builds its manager with the default
 * plugins before it reads `plugins`, and re-registering a plugin only replaces options the
 * Accessibility plugin has already read, so announcements passed as `plugins` alone are never heard.
 * A manager made here starts with them; the provider leaves a manager it was given alive, so it is
 * destroyed here when the view goes (its live region goes with it).
 */
import { Accessibility, DragDropManager, defaultPreset, type Sensors } from '@dnd-kit/dom';
import { onDestroy } from 'svelte';
import type { Announcements } from './drag-announcements.ts';

/** Call as the view's component starts (it registers the clean-up). */
export function announcedDragDrop(announcements: Announcements, sensors: Sensors) {
  const plugins = defaultPreset.plugins.map((plugin) =>
    plugin === Accessibility ? Accessibility.configure({ announcements }) : plugin,
  );
  const manager = new DragDropManager({ plugins, sensors });
  onDestroy(() => manager.destroy());
  // The provider sets `plugins` and `sensors` on the manager again: the same ones, so nothing changes.
  return { manager, plugins, sensors };
}
