// Moving keyboard focus (and the view) to what an action produced, so a keyboard or screen-reader user
// lands on the result instead of on <body>.
import { tick } from "svelte";

/** After the next render, focus the first element `selector` finds and scroll it into view. */
export async function focusResult(selector: string, block: ScrollLogicalPosition = "start"): Promise<void> {
  await tick();
  const target = document.querySelector<HTMLElement>(selector);
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block });
}
