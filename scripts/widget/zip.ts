import { unzipSync, zipSync, type Zippable } from 'fflate';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from './build.js';
import { assertValidWidget, type WidgetFiles } from './validate.js';

export const DEFAULT_ZIP_PATH = join(ROOT, 'dist/widget.zip');
/** A fixed timestamp keeps the archive byte-identical for identical inputs. */
const MTIME = new Date('2024-01-01T00:00:00Z');

/** Zip the built files with every entry at the archive root (no wrapping folder), then re-validate the zip. */
export function zipWidget(files: WidgetFiles, outFile: string = DEFAULT_ZIP_PATH): { path: string; bytes: number } {
  const entries: Zippable = {};
  for (const [path, bytes] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    entries[path] = [bytes, { level: path.endsWith('.png') ? 0 : 9, mtime: MTIME }];
  }
  const zip = zipSync(entries);
  assertValidWidget(unzipWidget(zip));
  const path = resolve(outFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, zip);
  return { path, bytes: zip.length };
}

export function unzipWidget(zip: Uint8Array): WidgetFiles {
  const files: WidgetFiles = new Map();
  for (const [path, bytes] of Object.entries(unzipSync(zip))) if (!path.endsWith('/')) files.set(path, bytes);
  return files;
}
