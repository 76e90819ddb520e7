// npm run widget:build — dist/widget/ (PUBLIC_URL and WIDGET_HOOK_SECRET are baked in).
import { relative } from 'node:path';
import { buildWidget, ROOT } from './widget/build.js';
import { runCli } from './widget/cli.js';

await runCli(async () => {
  const r = await buildWidget();
  return [
    `widget built in ${relative(ROOT, r.outDir)}/ for ${r.publicUrl}`,
    `  ${r.files.size} files; script.js ${(r.scriptBytes / 1024).toFixed(1)} KB, ${(r.scriptGzipBytes / 1024).toFixed(1)} KB gzipped`,
  ].join('\n');
});
