// The seed's conv2d example (4×4×3 input, 3×3×3×7 filters, SAME, stride 1),
// computed live by featuremap's engine. Tables carry data-tensor and
// data-index attributes so that tests can read the numbers back.
import { init } from './featuremap/featuremap.js';

const [H, W, C, K, OC] = [4, 4, 3, 3, 7];

// Small integers, so that every output is exact and easy to check by hand.
const x = { shape: [1, H, W, C], data: new Float32Array(H * W * C) };
for (let h = 0; h < H; h++) {
  for (let w = 0; w < W; w++) {
    for (let c = 0; c < C; c++) {
      x.data[(h * W + w) * C + c] = ((h + 2 * w + 3 * c) % 5) - 2;
    }
  }
}
// HWIO. Filter 0 is the seed's filter, 1s on the diagonal (every channel).
const filter = { shape: [K, K, C, OC], data: new Float32Array(K * K * C * OC) };
for (let ky = 0; ky < K; ky++) {
  for (let kx = 0; kx < K; kx++) {
    for (let c = 0; c < C; c++) {
      for (let o = 0; o < OC; o++) {
        const v = o === 0 ? Number(ky === kx) : ((ky * K + kx + o * c + o) % 3) - 1;
        filter.data[((ky * K + kx) * C + c) * OC + o] = v;
      }
    }
  }
}

// table renders the h×w plane of channel ch of an [.., h, w, channels] array.
function table(caption, data, h, w, channels, ch, tensor, index) {
  const t = document.createElement('table');
  t.dataset.tensor = tensor;
  t.dataset.index = String(index);
  t.createCaption().textContent = caption;
  for (let i = 0; i < h; i++) {
    const row = t.insertRow();
    for (let j = 0; j < w; j++) {
      const v = data[(i * w + j) * channels + ch];
      const cell = row.insertCell();
      cell.textContent = String(Math.round(v * 1000) / 1000);
      cell.className = v < 0 ? 'neg' : v > 0 ? 'pos' : '';
    }
  }
  return t;
}

const status = document.getElementById('status');
try {
  const fm = await init();
  const y = fm.ops.conv2d(x, filter, { padding: 'SAME' });
  for (let c = 0; c < C; c++) {
    document.getElementById('x').append(table(`channel ${c}`, x.data, H, W, C, c, 'x', c));
  }
  for (let o = 0; o < OC; o++) {
    const box = document.createElement('div');
    box.className = 'filter';
    for (let c = 0; c < C; c++) {
      // Filter o's weights for input channel c: stride C*OC between cells.
      const plane = new Float32Array(K * K);
      for (let i = 0; i < K * K; i++) {
        plane[i] = filter.data[(i * C + c) * OC + o];
      }
      box.append(table(`filter ${o}, channel ${c}`, plane, K, K, 1, 0, 'filter', o * C + c));
    }
    document.getElementById('filter').append(box);
  }
  for (let o = 0; o < OC; o++) {
    document.getElementById('y').append(table(`feature map ${o}`, y.data, y.shape[1], y.shape[2], OC, o, 'y', o));
  }
  status.textContent = `featuremap ${fm.version}, ${fm.simd ? 'SIMD' : 'portable'} build: output shape [${y.shape.join(', ')}]`;
  document.body.dataset.state = 'ready';
} catch (err) {
  status.textContent = `Error: ${err.message}`;
  status.classList.add('error');
  document.body.dataset.state = 'error';
  console.error(err);
}
