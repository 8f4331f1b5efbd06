// Package preprocess turns images into network inputs: MNIST normalises a
// drawn or photographed digit the way the MNIST set was made (cutting
// letterbox bars, flattening uneven light and shadows, keeping the digit's
// ink components), Resize fits an image to an RGB or grayscale model's
// input. InputPixelsReport says what MNIST found (a Report: ink box,
// components, findings such as Dot or Several), for showing what the
// network sees.
//
// Both read raw pixel buffers (rows of width pixels of 1 gray, 3 RGB or 4
// non-premultiplied RGBA bytes, as a canvas's ImageData) or a Raster
// without allocating (MNIST's bounded working buffers are pooled); package
// preprocess/imageinput reads any image.Image (this package imports no
// image package, so the WebAssembly engine links none). Outputs are
// row-major [H, W, C] float32 slices.
package preprocess

import (
	"errors"

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

// Raster is a view of an 8-bit image in memory, such as the pixels of an
// image.Gray, image.NRGBA or image.RGBA (package preprocess/imageinput
// makes one from any image.Image): Height rows of Width pixels of Channels
// bytes (1 gray, 3 RGB, 4 RGBA), rows Stride bytes apart, the last row
// possibly ending the slice; Premultiplied marks RGBA whose colour is
// already multiplied by alpha (image.RGBA). Its methods read it in place.
type Raster struct {
	Pix                             []byte
	Width, Height, Channels, Stride int
	Premultiplied                   bool
}

// Input is InputPixels on r.
func (r Raster) Input(dst []float32, s Spec) error {
	_, err := r.InputReport(dst, s)
	return err
}

// InputReport is InputPixelsReport on r.
func (r Raster) InputReport(dst []float32, s Spec) (Report, error) {
	p, err := r.view("Input")
	if err != nil {
		return Report{}, err
	}
	return input(dst, p, s)
}

// MNIST is MNISTPixels on r.
func (r Raster) MNIST(dst []float32) error {
	p, err := r.view("MNIST")
	if err != nil {
		return err
	}
	_, err = mnist(dst, p)
	return err
}

// Resize is ResizePixels on r.
func (r Raster) Resize(dst []float32, outH, outW, outC int, n Norm) error {
	p, err := r.view("Resize")
	if err != nil {
		return err
	}
	return resize(dst, p, outH, outW, outC, n)
}

// view checks r's sizes against its buffer.
func (r Raster) view(op string) (pixels, error) {
	w, h, ch := r.Width, r.Height, r.Channels
	if err := checkSize(op, w, h, ch); err != nil {
		return pixels{}, err
	}
	if r.Stride < w*ch || r.Stride > 1<<17 {
		return pixels{}, errors.New("preprocess: " + op + ": stride " + msg.Int(r.Stride) + ", want width×channels = " + msg.Int(w*ch) + " to 131072 bytes")
	}
	if need := (h-1)*r.Stride + w*ch; len(r.Pix) < need {
		return pixels{}, errors.New("preprocess: " + op + ": pix has " + msg.Int(len(r.Pix)) + " bytes, want at least (height-1)×stride + width×channels = " + msg.Int(need))
	}
	return pixels{pix: r.Pix, w: w, h: h, ch: ch, stride: r.Stride, premul: r.Premultiplied && ch == 4}, nil
}

// checkSize checks an image's declared size.
func checkSize(op string, width, height, channels int) error {
	if channels != 1 && channels != 3 && channels != 4 {
		return errors.New("preprocess: " + op + ": channels " + msg.Int(channels) + ", want 1 (gray), 3 (RGB) or 4 (RGBA)")
	}
	if width <= 0 || height <= 0 || width > 1<<15 || height > 1<<15 {
		return errors.New("preprocess: " + op + ": size " + msg.Int(width) + "×" + msg.Int(height) + ", want 1 to 32768 pixels each way")
	}
	return nil
}

// newPixels checks a packed raw buffer.
func newPixels(op string, pix []byte, width, height, channels int) (pixels, error) {
	if err := checkSize(op, width, height, channels); err != nil {
		return pixels{}, err
	}
	if len(pix) != width*height*channels {
		return pixels{}, errors.New("preprocess: " + op + ": pix has " + msg.Int(len(pix)) + " bytes, want width×height×channels = " + msg.Int(width) + "×" + msg.Int(height) + "×" + msg.Int(channels) + " = " + msg.Int(width*height*channels))
	}
	return Raster{Pix: pix, Width: width, Height: height, Channels: channels, Stride: width * channels}.view(op)
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
