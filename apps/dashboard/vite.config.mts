import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The config API serves the build at / under a strict Content-Security-Policy: no inline
// script (modulePreload's polyfill is one), assets from the same origin only.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  cacheDir: '../../node_modules/.vite/dashboard',
  plugins: [react()],
  build: {
    outDir: '../../dist/apps/dashboard',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    port: 4200,
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
