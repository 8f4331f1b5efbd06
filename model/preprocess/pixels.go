// Package preprocess turns images into network inputs: MNIST normalises a
// drawn or photographed digit the way the MNIST set was made (cutting
// letterbox bars, flattening uneven light and shadows, keeping the digit's
// ink components), Resize fits an image to an RGB or grayscale model's
// input. InputReport says what MNIST found (a Report: ink box, components,
// findings such as Dot or Several), for showing what the network sees.
//
// Both read raw pixel buffers (rows of width pixels of 1 gray, 3 RGB or 4
// non-premultiplied RGBA bytes, as a canvas's ImageData) without allocating
// (MNIST's bounded working buffers are pooled), or any image.Image. Outputs
// are row-major [H, W, C] float32 slices.
package preprocess

import (
	"fmt"
	"image"
	"image/draw"
)

// pixels is a view of an 8-bit raster: h rows of w pixels of ch bytes, rows
// stride bytes apart. ch is 1 (gray), 3 (RGB) or 4 (non-premultiplied RGBA).
type pixels struct {
	pix        []byte
	w, h, ch   int
	stride     int
	alphaIsInk bool // MNIST: a transparent canvas; ink is opacity
}

// newPixels checks a packed raw buffer.
func newPixels(op string, pix []byte, width, height, channels int) (pixels, error) {
	if channels != 1 && channels != 3 && channels != 4 {
		return pixels{}, fmt.Errorf("preprocess: %s: channels %d, want 1 (gray), 3 (RGB) or 4 (RGBA)", op, channels)
	}
	if width <= 0 || height <= 0 || width > 1<<15 || height > 1<<15 {
		return pixels{}, fmt.Errorf("preprocess: %s: size %d×%d, want 1 to 32768 pixels each way", op, width, height)
	}
	if len(pix) != width*height*channels {
		return pixels{}, fmt.Errorf("preprocess: %s: pix has %d bytes, want width×height×channels = %d×%d×%d = %d", op, len(pix), width, height, channels, width*height*channels)
	}
	return pixels{pix: pix, w: width, h: height, ch: channels, stride: width * channels}, nil
}

// fromImage views img's pixels, converting it to NRGBA unless it is
// already gray or NRGBA.
func fromImage(op string, img image.Image) (pixels, error) {
	b := img.Bounds()
	if b.Empty() || b.Dx() > 1<<15 || b.Dy() > 1<<15 {
		return pixels{}, fmt.Errorf("preprocess: %s: image size %d×%d, want 1 to 32768 pixels each way", op, b.Dx(), b.Dy())
	}
	switch m := img.(type) {
	case *image.Gray:
		return pixels{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), ch: 1, stride: m.Stride}, nil
	case *image.NRGBA:
		return pixels{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), ch: 4, stride: m.Stride}, nil
	}
	m := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Rect, img, b.Min, draw.Src)
	return pixels{pix: m.Pix, w: b.Dx(), h: b.Dy(), ch: 4, stride: m.Stride}, nil
}

// rgb returns pixel (x, y) in [0, 255] per channel, composited over white
// when it has alpha.
func (p *pixels) rgb(x, y int) (r, g, b float32) {
	i := y*p.stride + x*p.ch
	switch p.ch {
	case 1:
		v := float32(p.pix[i])
		return v, v, v
	case 3:
		return float32(p.pix[i]), float32(p.pix[i+1]), float32(p.pix[i+2])
	}
	a := float32(p.pix[i+3]) / 255
	white := 255 * (1 - a)
	return float32(p.pix[i])*a + white, float32(p.pix[i+1])*a + white, float32(p.pix[i+2])*a + white
}

// gray returns the luma of pixel (x, y) in [0, 1] (ITU-R BT.601 weights, as
// tf.image.rgb_to_grayscale), or its opacity when alphaIsInk.
func (p *pixels) gray(x, y int) float32 {
	switch {
	case p.alphaIsInk:
		return float32(p.pix[y*p.stride+x*p.ch+3]) / 255
	case p.ch == 1:
		return float32(p.pix[y*p.stride+x]) / 255
	}
	r, g, b := p.rgb(x, y)
	return (0.299*r + 0.587*g + 0.114*b) / 255
}
