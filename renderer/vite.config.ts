/**
 * Vite build of the renderer: `vite build renderer` (npm run build) bundles renderer/src into
 * dist/ui, which the browser host (core/service/web) and Electron load. Relative asset paths
 * (base './') so the same files work over http:// and from a file in the Electron app.
 * Kept out of renderer/tsconfig.json: Vite's types bring Node's, which the renderer must not see.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    sourcemap: true,
    // one module script, no inline code: the CSP allows only 'self' scripts
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
  },
});
