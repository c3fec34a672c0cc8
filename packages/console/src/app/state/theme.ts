import { signal } from '@preact/signals';

export type Theme = 'light' | 'dark';

const KEY = 'gantry-theme';
const system = (): Theme => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
const saved = (): Theme | undefined => {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined;
  }
};

/** The theme in effect: the user's choice once made, the system's until then. */
export const theme = signal<Theme>(saved() ?? system());

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = theme.value;
  try {
    localStorage.setItem(KEY, theme.value);
  } catch {
    // The choice then lasts for this page only.
  }
}
