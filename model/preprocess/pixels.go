// Package preprocess turns images into network inputs: MNIST normalises a
// drawn or photographed digit the way the MNIST set was made, Resize fits an
// image to an RGB or grayscale model's input.
//
// Both read raw pixel buffers (rows of width pixels of 1 gray, 3 RGB or 4
// non-premultiplied RGBA bytes, as a canvas's ImageData) without allocating,
// or any image.Image. Outputs are row-major [H, W, C] float32 slices.
package preprocess

import (
	"errors"
	"image"
	"image/draw"

	"github.com/featuremap/featuremap/internal/msg"
)

// MaxPixels is the default limit on an image's width×height (64 Mpx, 256 MiB
// as RGBA) that callers check against the image's declared size before
// decoding or copying it: fm predict (its -max-pixels flag overrides it)
// and featuremap.js's predict and activations. The functions of this
// package themselves accept up to 32768 pixels each way.
const MaxPixels = 1 << 26

// pixels is a view of an 8-bit raster: h rows of w pixels of ch bytes, rows
// stride bytes apart. ch is 1 (gray), 3 (RGB) or 4 (RGBA, non-premultiplied
// unless premul).
type pixels struct {
	pix        []byte
	w, h, ch   int
	stride     int
	premul     bool // RGBA with premultiplied colour (image.RGBA)
	alphaIsInk bool // MNIST: a transparent canvas; ink is opacity
}

// newPixels checks a packed raw buffer.
func newPixels(op string, pix []byte, width, height, channels int) (pixels, error) {
	if channels != 1 && channels != 3 && channels != 4 {
		return pixels{}, errors.New("preprocess: " + op + ": channels " + msg.Int(channels) + ", want 1 (gray), 3 (RGB) or 4 (RGBA)")
	}
	if width <= 0 || height <= 0 || width > 1<<15 || height > 1<<15 {
		return pixels{}, errors.New("preprocess: " + op + ": size " + msg.Int(width) + "×" + msg.Int(height) + ", want 1 to 32768 pixels each way")
	}
	if len(pix) != width*height*channels {
		return pixels{}, errors.New("preprocess: " + op + ": pix has " + msg.Int(len(pix)) + " bytes, want width×height×channels = " + msg.Int(width) + "×" + msg.Int(height) + "×" + msg.Int(channels) + " = " + msg.Int(width*height*channels))
	}
	return pixels{pix: pix, w: width, h: height, ch: channels, stride: width * channels}, nil
}

// fromImage views img's pixels, converting it to NRGBA unless it is
// already gray, NRGBA or RGBA (what the PNG decoder returns for most files),
// so that those are read in place.
func fromImage(op string, img image.Image) (pixels, error) {
	b := img.Bounds()
	if b.Empty() || b.Dx() > 1<<15 || b.Dy() > 1<<15 {
		return pixels{}, errors.New("preprocess: " + op + ": image size " + msg.Int(b.Dx()) + "×" + msg.Int(b.Dy()) + ", want 1 to 32768 pixels each way")
	}
	switch m := img.(type) {
	case *image.Gray:
		return pixels{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), ch: 1, stride: m.Stride}, nil
	case *image.NRGBA:
		return pixels{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), ch: 4, stride: m.Stride}, nil
	case *image.RGBA:
		return pixels{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), ch: 4, stride: m.Stride, premul: true}, nil
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
	if p.premul { // colour already multiplied by alpha
		return float32(p.pix[i]) + white, float32(p.pix[i+1]) + white, float32(p.pix[i+2]) + white
	}
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
