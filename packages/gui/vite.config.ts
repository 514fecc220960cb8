import { defineConfig } from "vite";

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all this app needs (no fast refresh in dev).
export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // Long-lived vendor chunk: app changes do not bust the cached React / xyflow / crypto code.
        manualChunks(id) {
          if (id.includes("node_modules/react") || id.includes("node_modules/scheduler")) return "react";
          if (id.includes("@xyflow") || id.includes("d3-")) return "xyflow";
          if (id.includes("node_modules")) return "vendor";
          return undefined;
        },
      },
    },
  },
});
