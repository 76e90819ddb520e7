/**
 * Draw the widget's logos at the exact sizes Kommo requires and write them to widget/images/.
 * Run once after changing the drawing: `npx tsx scripts/widget/make-images.ts`; the PNGs are committed.
 *
 * The mark: a white speech bubble with three dots (the agent talking) and a small spark (AI), on a blue
 * rounded square. Shapes are signed-distance functions, sampled 4×4 per pixel for smooth edges.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type RGBA = [number, number, number, number];
type Shape = (x: number, y: number) => number; // < 0 inside

const BLUE_TOP: RGBA = [44, 123, 229, 255];
const BLUE_BOTTOM: RGBA = [22, 82, 176, 255];
const WHITE: RGBA = [255, 255, 255, 255];
const DOT: RGBA = [27, 95, 199, 255];
const SPARK: RGBA = [255, 200, 61, 255];

const roundRect =
  (cx: number, cy: number, hw: number, hh: number, r: number): Shape =>
  (x, y) => {
    const qx = Math.abs(x - cx) - hw + r;
    const qy = Math.abs(y - cy) - hh + r;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  };
const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));
/** A triangle as the intersection of three half-planes (points in clockwise order). */
const triangle = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape => {
  const edges = [
    [ax, ay, bx, by],
    [bx, by, cx, cy],
    [cx, cy, ax, ay],
  ] as const;
  return (x, y) =>
    Math.max(
      ...edges.map(([x1, y1, x2, y2]) => {
        const len = Math.hypot(x2 - x1, y2 - y1);
        return ((x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)) / len;
      }),
    );
};
/** A four-pointed star (the "spark"). */
const spark =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) => {
    const dx = Math.abs(x - cx);
    const dy = Math.abs(y - cy);
    return dx ** 0.5 + dy ** 0.5 - r ** 0.5;
  };

interface Layer {
  shape: Shape;
  color: (x: number, y: number) => RGBA;
}

/** The emblem in a unit box [0,1]², placed at (ox, oy) with side `size` in pixels. */
function emblem(ox: number, oy: number, size: number): Layer[] {
  const u = (v: number) => v * size;
  const bg = roundRect(ox + u(0.5), oy + u(0.5), u(0.5), u(0.5), u(0.22));
  const bubble = union(
    roundRect(ox + u(0.47), oy + u(0.47), u(0.3), u(0.21), u(0.1)),
    triangle(ox + u(0.27), oy + u(0.6), ox + u(0.4), oy + u(0.66), ox + u(0.22), oy + u(0.82)),
  );
  const dots = union(circle(ox + u(0.33), oy + u(0.47), u(0.045)), circle(ox + u(0.47), oy + u(0.47), u(0.045)), circle(ox + u(0.61), oy + u(0.47), u(0.045)));
  const gradient = (_x: number, y: number): RGBA => {
    const t = Math.min(1, Math.max(0, (y - oy) / size));
    return BLUE_TOP.map((c, i) => Math.round(c + ((BLUE_BOTTOM[i] ?? c) - c) * t)) as RGBA;
  };
  return [
    { shape: bg, color: gradient },
    { shape: bubble, color: () => WHITE },
    { shape: dots, color: () => DOT },
    { shape: spark(ox + u(0.8), oy + u(0.2), u(0.13)), color: () => SPARK },
  ];
}

const SS = 4;

export function draw(width: number, height: number, layers: Layer[], background: RGBA = [0, 0, 0, 0]): Buffer {
  const png = new PNG({ width, height });
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = px + (sx + 0.5) / SS;
          const y = py + (sy + 0.5) / SS;
          let c = background;
          for (const layer of layers) if (layer.shape(x, y) < 0) c = layer.color(x, y);
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * width + px) * 4;
      const n = SS * SS;
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round((a / n) * 255);
    }
  }
  return PNG.sync.write(png, { deflateLevel: 9 });
}

/** Wide formats get the emblem centred on a soft tinted card so they read well on light and dark pages. */
function logo(width: number, height: number): Buffer {
  const side = Math.round(Math.min(width, height) * (width === height ? 0.96 : 0.78));
  const ox = (width - side) / 2;
  const oy = (height - side) / 2;
  if (width === height) return draw(width, height, emblem(ox, oy, side));
  const card: Layer = {
    shape: roundRect(width / 2, height / 2, width / 2, height / 2, Math.min(width, height) * 0.12),
    color: () => [234, 242, 253, 255],
  };
  return draw(width, height, [card, ...emblem(ox, oy, side)]);
}

export const LOGOS: Record<string, [number, number]> = {
  'logo_main.png': [400, 272],
  'logo_medium.png': [240, 84],
  'logo.png': [130, 100],
  'logo_small.png': [108, 108],
  'logo_min.png': [84, 84],
  'logo_dp.png': [174, 109],
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../widget/images');
  mkdirSync(dir, { recursive: true });
  for (const [name, [w, h]] of Object.entries(LOGOS)) {
    const bytes = logo(w, h);
    writeFileSync(join(dir, name), bytes);
    process.stdout.write(`${name} ${w}×${h} ${(bytes.length / 1024).toFixed(1)} KB\n`);
  }
}
