/**
 * How a drag starts on the board's views, for mouse, touch and keyboard alike.
 *
 * Touch: a long press (held still for 250 ms, the finger allowed to wander a few pixels) picks a card
 * up; a finger that moves sooner scrolls the list or the board instead, so a phone can still scroll
 * a Kanban sideways by swiping across cards. Mouse and pen: a short move (or holding the button)
 * starts the drag at once, as before.
 */
import {
  type Draggable,
  KeyboardSensor,
  PointerActivationConstraints,
  PointerSensor,
  type Sensors,
} from '@dnd-kit/dom';

const LONG_PRESS_MS = 250;
const LONG_PRESS_TOLERANCE_PX = 8;

function activationConstraints(event: PointerEvent, source: Draggable) {
  // A column's drag handle, pressed with the mouse, picks the column up at once (the library's default).
  if (
    event.pointerType === 'mouse' &&
    event.target instanceof Node &&
    source.handle?.contains(event.target)
  ) {
    return undefined;
  }
  if (event.pointerType === 'touch') {
    return [
      new PointerActivationConstraints.Delay({ value: LONG_PRESS_MS, tolerance: LONG_PRESS_TOLERANCE_PX }),
    ];
  }
  return [
    new PointerActivationConstraints.Delay({ value: 200, tolerance: 10 }),
    new PointerActivationConstraints.Distance({ value: 5 }),
  ];
}

type KeyboardCodes = NonNullable<Parameters<typeof KeyboardSensor.configure>[0]['keyboardCodes']>;

/**
 * The sensors of one view.
 * @param keys what picks up, drops, cancels and carries a card with the keyboard
 * @param noDrag pointer presses that must not start a drag (a row's own small buttons)
 */
export function boardSensors(keys: KeyboardCodes, noDrag?: (event: PointerEvent) => boolean): Sensors {
  return [
    PointerSensor.configure({
      activationConstraints,
      ...(noDrag ? { preventActivation: noDrag } : {}),
    }),
    KeyboardSensor.configure({ keyboardCodes: keys }),
  ];
}
