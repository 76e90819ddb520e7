// npm run widget:zip — builds, then dist/widget.zip with the files at the archive root, validated again.
import { relative } from 'node:path';
import { buildWidget, ROOT } from './widget/build.js';
import { runCli } from './widget/cli.js';
import { zipWidget } from './widget/zip.js';

await runCli(async () => {
  const built = await buildWidget();
  const zip = zipWidget(built.files);
  return [
    `${relative(ROOT, zip.path)}: ${(zip.bytes / 1024).toFixed(1)} KB, ${built.files.size} files, backend ${built.publicUrl}`,
    `  script.js ${(built.scriptGzipBytes / 1024).toFixed(1)} KB gzipped`,
  ].join('\n');
});
