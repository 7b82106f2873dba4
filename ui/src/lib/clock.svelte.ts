/**
 * One clock for a list's elapsed times: `now` ticks each second while `active()` is
 * true and stands still otherwise, so an idle page re-renders nothing. Call it while a
 * component initialises; its effect (and the interval) ends with the component.
 */
export function tickingClock(active: () => boolean): { readonly now: number } {
  let now = $state(Date.now());
  // Derived, so the effect restarts only when the answer changes, not on every change
  // of what `active` reads.
  const isActive = $derived(active());
  $effect(() => {
    if (!isActive) return;
    now = Date.now();
    const timer = setInterval(() => (now = Date.now()), 1000);
    return () => clearInterval(timer);
  });
  return {
    get now() {
      return now;
    },
  };
}
