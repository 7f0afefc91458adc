// Bundles the browser code into the jar's static folder, where Spring Boot serves it from.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';

const outdir = process.env.SERVICELAB_FRONTEND_OUT ?? 'target/classes/static/assets';
mkdirSync(outdir, { recursive: true });
await esbuild.build({
  entryPoints: { app: 'src/app.js', styles: 'src/styles.css' },
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outdir,
  loader: { '.css': 'css' },
  // app.js imports xterm's stylesheet; it lands in app.css beside the bundle.
  logLevel: 'info',
});
