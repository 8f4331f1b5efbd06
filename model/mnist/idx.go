package mnist

import (
	"encoding/binary"
	"fmt"
	"io"
)

// maxIDXBytes bounds the payload of one IDX file (the MNIST training images
// are 47,040,000 bytes).
const maxIDXBytes = 64 << 20

// readIDX reads an IDX file of unsigned bytes (data type 0x08) with the
// given number of dimensions, as described on Yann LeCun's MNIST page: a
// big-endian magic 0x0000_08_<ndim>, ndim big-endian uint32 sizes, then
// the row-major payload. It returns the sizes and the payload; the payload
// size is checked against maxIDXBytes before it is allocated, and the
// input must end right after it.
func readIDX(r io.Reader, ndim int) (dims []int, data []byte, err error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("reading magic: %w", err)
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || int(magic[3]) != ndim {
		return nil, nil, fmt.Errorf("magic % x, want 00 00 08 %02x (unsigned bytes, %d dimensions)", magic, ndim, ndim)
	}
	sizes := make([]byte, 4*ndim)
	if _, err := io.ReadFull(r, sizes); err != nil {
		return nil, nil, fmt.Errorf("reading sizes: %w", err)
	}
	total := 1
	for i := range ndim {
		d := binary.BigEndian.Uint32(sizes[4*i:])
		if d == 0 || uint64(d) > maxIDXBytes || total > maxIDXBytes/int(d) {
			return nil, nil, fmt.Errorf("size %d of dimension %d: total exceeds %d bytes or is empty", d, i, maxIDXBytes)
		}
		total *= int(d)
		dims = append(dims, int(d))
	}
	data = make([]byte, total)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, fmt.Errorf("reading %d data bytes: %w", total, err)
	}
	var one [1]byte
	if n, _ := io.ReadFull(r, one[:]); n != 0 {
		return nil, nil, fmt.Errorf("unexpected bytes after the %d data bytes", total)
	}
	return dims, data, nil
}
