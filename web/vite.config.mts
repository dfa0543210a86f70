import { defineConfig } from 'vite';

/** The chat page: Preact through Vite's own JSX transform, built into web/dist (served by the API). */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // Vite's cache stays inside web/ (node_modules may be shared between checkouts).
  cacheDir: '.vite-cache',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The page's CSP allows no inline script: no polyfill snippet injected into index.html.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  logLevel: 'warn',
});
