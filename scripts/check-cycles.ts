/**
 * `npm run check:cycles`: no import cycle may span more than two files, type imports included.
 * (Two files that name each other's types are tolerated; three or more is a knot the next change pulls tighter.)
 */
import { parseCircular, parseDependencyTree } from 'dpdm';

const ENTRIES = ['server/**/*.ts', 'db/**/*.ts', 'scripts/**/*.ts', 'widget/src/**/*.{ts,tsx}', 'test/**/*.ts'];
const MAX_FILES = 2;

const tree = await parseDependencyTree(ENTRIES, { context: process.cwd(), transform: false, skipDynamicImports: false });
const cycles = parseCircular(tree);
const long = cycles.filter((c) => c.length > MAX_FILES);
for (const c of cycles) console.log(`${c.length > MAX_FILES ? '✗' : '·'} ${c.join(' → ')}`);
console.log(`${Object.keys(tree).length} files, ${cycles.length} cycles, ${long.length} longer than ${MAX_FILES} files`);
process.exit(long.length ? 1 : 0);
