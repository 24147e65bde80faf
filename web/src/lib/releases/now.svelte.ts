/** The current time, ticking each second while the component that asked for it is mounted. */
export function useNow(): { readonly value: number } {
  let value = $state(Date.now());
  $effect(() => {
    const timer = setInterval(() => (value = Date.now()), 1000);
    return () => clearInterval(timer);
  });
  return {
    get value() {
      return value;
    },
  };
}
