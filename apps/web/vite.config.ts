import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/** The API (and its dev mailbox) in development; the built app is served by the API itself. */
const api = process.env.API_ORIGIN ?? "http://127.0.0.1:3000";

/** A call of React's development JSX runtime, e.g. `(0,r.jsxDEV)(` (a library naming the option `t.jsxDEV` is not one). */
export const DEV_JSX_CALL = /jsxDEV\)?\(/;

/** Fails a production build that would ship React's development JSX runtime (and with it React's development build). */
function productionOnly(): Plugin {
  let production = false;
  return {
    name: "inkwell:production-only",
    apply: "build",
    configResolved(config) {
      production = config.mode === "production";
      if (production && !config.isProduction)
        throw new Error(`vite build (mode production) with NODE_ENV=${process.env.NODE_ENV}: not a production build`);
    },
    generateBundle(_options, bundle) {
      if (!production) return;
      for (const chunk of Object.values(bundle))
        if (chunk.type === "chunk" && DEV_JSX_CALL.test(chunk.code))
          this.error(`${chunk.fileName} calls React's development JSX runtime (jsxDEV) in a production build`);
    },
  };
}

export default defineConfig(({ command, mode }) => {
  // `vite build` makes what ships whatever NODE_ENV it inherits: vitest's "test" (the browser tests build in
  // their global set-up), a shell's "development" (`pnpm start`). Vite would otherwise keep that NODE_ENV, and
  // React's plugin and React itself would make a development build (jsxDEV calls, React's development
  // bundle). `vite build --mode development` still makes a development build on purpose.
  if (command === "build" && mode === "production") process.env.NODE_ENV = "production";
  return {
    plugins: [react(), productionOnly()],
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
  };
});
