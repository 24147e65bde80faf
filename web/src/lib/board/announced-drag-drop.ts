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
  const unwatch = keepListItemsValid();
  const unfocus = keepFocusAfterPointerDrop(manager);
  onDestroy(() => {
    unwatch();
    unfocus();
    manager.destroy();
  });
  // The provider sets `plugins` and `sensors` on the manager again: the same ones, so nothing changes.
  return { manager, plugins, sensors };
}

/**
 * The library marks every drag source `aria-pressed` (a button's state). The board's cards are list
 * items, which may not carry it (axe: aria-allowed-attr), so it is taken off them again; that a
 * card is carried is said by the live region and `aria-grabbed`.
 */
function keepListItemsValid(): () => void {
  const observer = new MutationObserver((records) => {
    for (const { target } of records) {
      if (target instanceof Element && target.getAttribute('role') === 'listitem')
        target.removeAttribute('aria-pressed');
    }
  });
  observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-pressed'] });
  return () => observer.disconnect();
}

/**
 * A card pressed with the mouse (or a finger) takes the focus, and loses it while the library shows it
 * in the page's top layer during the drag; the library gives it back after a keyboard drop only. So
 * after a pointer drop the focus was on the page's body, and the next key (Enter to open, Alt+↑ to
 * nudge) acted on nothing. Once the drop has settled, the card dropped takes the focus again, unless
 * something else has it by then.
 */
function keepFocusAfterPointerDrop(manager: DragDropManager): () => void {
  let frame = 0;
  const off = manager.monitor.addEventListener('dragend', ({ operation }) => {
    const id = operation.source?.id;
    if (id == null || operation.activatorEvent instanceof KeyboardEvent) return;
    let frames = 0;
    const settle = () => {
      frame = 0;
      const dropping = document.querySelector(
        '[data-dnd-placeholder], [data-dnd-dragging], [data-dnd-dropping]',
      );
      if (dropping && ++frames < 120) {
        frame = requestAnimationFrame(settle);
        return;
      }
      const draggable = manager.registry.draggables.get(id);
      const target = draggable?.handle ?? draggable?.element;
      const idle = document.activeElement === null || document.activeElement === document.body;
      if (idle && target instanceof HTMLElement && target.isConnected) target.focus({ preventScroll: true });
    };
    frame = requestAnimationFrame(settle);
  });
  return () => {
    off();
    cancelAnimationFrame(frame);
  };
}
