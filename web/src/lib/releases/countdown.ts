/** The time left until `endsAt` as the hyper-care clock shows it: `3d 04:05:06`, `04:05:06`, `05:06`, or `ended`. */
export function countdown(endsAt: string, now: number): string {
  const left = Math.ceil((Date.parse(endsAt) - now) / 1000);
  if (!(left > 0)) return 'ended';
  const days = Math.floor(left / 86_400);
  const h = Math.floor((left % 86_400) / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = h > 0 || days > 0 ? `${two(h)}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}
