package synth

import (
	"image"
	"image/color"
	"image/draw"
)

// Field renders a 28×28 field of values in [0, 1] (what an MNIST network
// sees) as a grey image.
func Field(v []float32) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, 28, 28))
	for i := range m.Pix {
		m.Pix[i] = uint8(255 * min(1, max(0, v[i])))
	}
	return m
}

// Sheet lays images out in rows, each scaled (nearest pixel, aspect kept)
// into a cell×cell square with a 4-pixel grey gutter, for looking at test
// data.
func Sheet(cell int, rows [][]image.Image) *image.NRGBA {
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	const gap = 4
	sheet := image.NewNRGBA(image.Rect(0, 0, cols*(cell+gap), len(rows)*(cell+gap)))
	draw.Draw(sheet, sheet.Rect, image.NewUniform(color.NRGBA{128, 128, 128, 255}), image.Point{}, draw.Src)
	for y, r := range rows {
		for x, img := range r {
			b := img.Bounds()
			s := float64(max(b.Dx(), b.Dy())) / float64(cell)
			for py := range int(float64(b.Dy()) / s) {
				for px := range int(float64(b.Dx()) / s) {
					sheet.Set(x*(cell+gap)+px, y*(cell+gap)+py, img.At(b.Min.X+int(float64(px)*s), b.Min.Y+int(float64(py)*s)))
				}
			}
		}
	}
	return sheet
}
