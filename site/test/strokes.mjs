// Stroke templates of the ten digits as a person might draw them: each
// digit is a list of strokes, each stroke a list of [x, y] points in the
// unit square (y down). The browser tests draw them with the mouse.

// arc samples an ellipse centred at (cx, cy) from angle a0 to a1 (radians,
// 0 = right, clockwise on screen as y grows down).
function arc(cx, cy, rx, ry, a0, a1, n = 24) {
  const pts = [];
  for (let i = 0; i <= n; i++) {
    const a = a0 + ((a1 - a0) * i) / n;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return pts;
}

const eight = [];
for (let i = 0; i <= 40; i++) {
  const t = (2 * Math.PI * i) / 40;
  eight.push([0.5 + 0.2 * Math.sin(2 * t), 0.5 - 0.36 * Math.cos(t)]);
}

/** DIGITS[d] are the strokes of digit d. */
export const DIGITS = [
  [arc(0.5, 0.5, 0.24, 0.36, -Math.PI / 2, (3 * Math.PI) / 2 + 0.2)],
  [[[0.42, 0.24], [0.54, 0.14], [0.54, 0.86]]],
  [[[0.27, 0.3], [0.33, 0.19], [0.47, 0.13], [0.62, 0.16], [0.7, 0.28], [0.68, 0.42], [0.56, 0.56], [0.26, 0.85], [0.76, 0.85]]],
  [[[0.3, 0.2], [0.46, 0.13], [0.64, 0.17], [0.69, 0.3], [0.6, 0.42], [0.44, 0.47], [0.62, 0.52], [0.72, 0.65], [0.68, 0.79], [0.52, 0.87], [0.3, 0.82]]],
  [[[0.34, 0.14], [0.27, 0.56], [0.76, 0.56]], [[0.64, 0.16], [0.64, 0.88]]],
  [[[0.7, 0.15], [0.34, 0.15], [0.31, 0.46], [0.46, 0.4], [0.62, 0.44], [0.72, 0.58], [0.69, 0.76], [0.53, 0.86], [0.3, 0.8]]],
  [[[0.64, 0.13], [0.46, 0.28], [0.34, 0.48], [0.3, 0.67], [0.37, 0.83], [0.52, 0.88], [0.66, 0.79], [0.68, 0.63], [0.57, 0.53], [0.42, 0.55], [0.32, 0.66]]],
  [[[0.25, 0.17], [0.75, 0.17], [0.44, 0.87]]],
  [eight],
  [[...arc(0.5, 0.32, 0.18, 0.18, 0, -2 * Math.PI), [0.66, 0.6], [0.6, 0.87]]],
];

/**
 * Draws digit d on the canvas at box ({ x, y, width, height } in page
 * pixels) with the page's mouse, a few intermediate moves per segment.
 */
export async function drawDigit(page, box, d) {
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of DIGITS[d]) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) {
      await page.mouse.move(...at(p), { steps: 4 });
    }
    await page.mouse.up();
  }
}
