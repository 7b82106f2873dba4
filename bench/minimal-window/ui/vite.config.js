import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The app's build target, so both bundles are made the same way.
export default defineConfig({
  plugins: [svelte()],
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
});
