// The dashboard: SvelteKit 3 (its options live here, in the plugin), built with
// adapter-node into web/build and served by the api service on the same port as the API.
import { defineConfig } from 'vite';
import { sveltekit } from '@sveltejs/kit/vite';
import adapter from '@sveltejs/adapter-node';

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ out: 'build', precompress: false }),
      // the API and the ws gateway share this origin; nothing else is loaded
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'connect-src': ['self', 'ws:', 'wss:'],
          'img-src': ['self', 'data:'],
          'style-src': ['self', 'unsafe-inline'],
        },
      },
    }),
  ],
  // contracts and shared domain code live beside web/
  server: { fs: { allow: ['..'] } },
});
