// Package imageinput feeds any image.Image to package preprocess, for the
// tools that decode image files (fm predict, the edge Worker). It is
// separate so that the WebAssembly engine, which receives raw pixel
// buffers, links no image package.
package imageinput

import (
	"errors"
	"image"
	"image/draw"

	"github.com/featuremap/featuremap/internal/msg"
	"github.com/featuremap/featuremap/model/preprocess"
)

// Input turns img into the network input dst, [H, W, C]; see
// preprocess.InputPixels.
func Input(dst []float32, img image.Image, s preprocess.Spec) error {
	r, err := Raster("Input", img)
	if err != nil {
		return err
	}
	return r.Input(dst, s)
}

// InputReport is Input that also returns what the MNIST preprocessing
// found; see preprocess.InputPixelsReport.
func InputReport(dst []float32, img image.Image, s preprocess.Spec) (preprocess.Report, error) {
	r, err := Raster("Input", img)
	if err != nil {
		return preprocess.Report{}, err
	}
	return r.InputReport(dst, s)
}

// MNIST normalises the digit in img into dst[:784]; see
// preprocess.MNISTPixels.
func MNIST(dst []float32, img image.Image) error {
	r, err := Raster("MNIST", img)
	if err != nil {
		return err
	}
	return r.MNIST(dst)
}

// Resize fits img to an [outH, outW, outC] input in dst; see
// preprocess.ResizePixels.
func Resize(dst []float32, img image.Image, outH, outW, outC int, n preprocess.Norm) error {
	r, err := Raster("Resize", img)
	if err != nil {
		return err
	}
	return r.Resize(dst, outH, outW, outC, n)
}

// Raster views img's pixels in place if it is an *image.Gray, *image.NRGBA
// or *image.RGBA (what the PNG decoder returns for most files); any other
// image is first converted to NRGBA, which allocates. op names the caller
// in errors.
func Raster(op string, img image.Image) (preprocess.Raster, error) {
	b := img.Bounds()
	if b.Empty() || b.Dx() > 1<<15 || b.Dy() > 1<<15 {
		return preprocess.Raster{}, errors.New("preprocess: " + op + ": image size " + msg.Int(b.Dx()) + "×" + msg.Int(b.Dy()) + ", want 1 to 32768 pixels each way")
	}
	r := preprocess.Raster{Width: b.Dx(), Height: b.Dy(), Channels: 4}
	switch m := img.(type) {
	case *image.Gray:
		r.Pix, r.Stride, r.Channels = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, 1
	case *image.NRGBA:
		r.Pix, r.Stride = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride
	case *image.RGBA:
		r.Pix, r.Stride, r.Premultiplied = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, true
	default:
		n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(n, n.Rect, img, b.Min, draw.Src)
		r.Pix, r.Stride = n.Pix, n.Stride
	}
	return r, nil
}
