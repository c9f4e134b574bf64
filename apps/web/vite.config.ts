import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The API (and its dev mailbox) in development; the built app is served by the API itself. */
const api = process.env.API_ORIGIN ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/trpc": api,
      "/dev": api,
      // Platforms send the browser back here after an OAuth sign-in.
      "/oauth": api,
      // Sign-in with Clever / Google: start and callback are API routes.
      "/auth/oauth": api,
      // Private uploads (logos, media) through their signed URLs.
      "/files": api,
      // Streamed uploads (story photos and recordings).
      "/uploads": api,
      "/healthz": api,
      "/readyz": api,
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
            { name: "router", test: /node_modules[\\/]react-router[\\/]/, priority: 2 },
            { name: "vendor", test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
