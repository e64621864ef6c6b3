/**
 * Light and dark themes: CSS variables switched by data-theme on <html>; the first choice
 * follows the system (prefers-color-scheme), a toggle overrides it for this window.
 */
import { useCallback, useEffect, useState } from 'react';

export function useTheme(): [boolean, () => void] {
  const [dark, setDark] = useState(
    () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false,
  );
  useEffect(() => {
    document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  }, [dark]);
  return [dark, useCallback(() => setDark((d) => !d), [])];
}
