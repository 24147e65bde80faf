// Runs before the app's first paint (a blocking script in <head>; the CSP allows only same-origin
// scripts, so it cannot be inline): picks light or dark from the saved choice or the system's, so a
// dark page never flashes white. web/src/lib/theme.svelte.ts owns the choice after that.
(() => {
  let choice = 'system';
  try {
    choice = localStorage.getItem('blendboard-theme') || 'system';
  } catch {}
  const dark =
    choice === 'dark' || (choice !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
})();
