package preprocess

import "image"

// Input, MNIST and Resize read the test images (*image.Gray, *image.NRGBA,
// *image.RGBA) in place through a Raster, as package imageinput does for
// these types; this package's tests cannot import imageinput, which
// imports this package.

func Input(dst []float32, img image.Image, s Spec) error { return rasterOf(img).Input(dst, s) }

func MNIST(dst []float32, img image.Image) error { return rasterOf(img).MNIST(dst) }

func Resize(dst []float32, img image.Image, outH, outW, outC int, n Norm) error {
	return rasterOf(img).Resize(dst, outH, outW, outC, n)
}

func rasterOf(img image.Image) Raster {
	b := img.Bounds()
	r := Raster{Width: b.Dx(), Height: b.Dy(), Channels: 4}
	switch m := img.(type) {
	case *image.Gray:
		r.Pix, r.Stride, r.Channels = m.Pix, m.Stride, 1
	case *image.NRGBA:
		r.Pix, r.Stride = m.Pix, m.Stride
	case *image.RGBA:
		r.Pix, r.Stride, r.Premultiplied = m.Pix, m.Stride, true
	default:
		panic("rasterOf: image type not used by the tests")
	}
	return r
}
