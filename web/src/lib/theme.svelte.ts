/**
 * Light, dark or the system's choice: what the user picked in the user menu, remembered in
 * localStorage. web/public/theme.js applies the same rule before the first paint; this class keeps
 * <html data-theme> up to date afterwards (a new choice, or the system switching while "system").
 */
export type ThemeChoice = 'light' | 'dark' | 'system';

export const THEME_KEY = 'blendboard-theme';
const CHOICES: readonly ThemeChoice[] = ['light', 'dark', 'system'];

function saved(): ThemeChoice {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

export class Theme {
  #choice = $state<ThemeChoice>(saved());
  #systemDark = $state(false);

  constructor() {
    const query = matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = query.matches;
    query.addEventListener('change', (e) => {
      this.#systemDark = e.matches;
      this.#apply();
    });
    this.#apply();
  }

  get choice(): ThemeChoice {
    return this.#choice;
  }

  /** What the page shows now. */
  get shown(): 'light' | 'dark' {
    return this.#choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice;
  }

  choose(choice: ThemeChoice): void {
    this.#choice = choice;
    try {
      if (choice === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, choice);
    } catch {
      // Storage refused (private mode): the choice lasts for this page.
    }
    this.#apply();
  }

  #apply(): void {
    document.documentElement.dataset.theme = this.shown;
  }
}
