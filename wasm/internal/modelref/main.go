// Command modelref runs a weight file natively, for the Node tests of
// featuremap.js's model API: the same file and input must give the same
// numbers through the WebAssembly engine.
//
//	modelref -model FILE -input RAW
//
// RAW holds one example's input as little-endian float32 values. It prints
// one JSON object: { probs, activations: [{ name, type, shape, data }],
// params: [{ name, shape, data }] } (params: every parameter tensor as
// loaded, "<layer>.weight" then "<layer>.bias"), every float32 written as
// the float64 of the same value.
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/featuremap/featuremap/model"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("modelref", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("model", "", "weight file")
	input := fs.String("input", "", "input: little-endian float32 values")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *file == "" || *input == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: modelref -model FILE -input RAW")
		return 2
	}
	if err := reference(stdout, *file, *input); err != nil {
		fmt.Fprintf(stderr, "modelref: %v\n", err)
		return 1
	}
	return 0
}

// activation is model.LayerOutput with its data.
type activation struct {
	Name  string    `json:"name"`
	Type  string    `json:"type"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// param is a model.Tensor with its data.
type param struct {
	Name  string    `json:"name"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func reference(stdout io.Writer, file, input string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	net, err := model.Load(data)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(input)
	if err != nil {
		return err
	}
	if len(raw)%4 != 0 {
		return errors.New(input + ": length is not a multiple of 4 bytes")
	}
	x := make([]float32, len(raw)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	r, err := model.NewRunner(net, model.RunnerOptions{KeepActivations: true})
	if err != nil {
		return err
	}
	probs, err := r.Run(x)
	if err != nil {
		return err
	}
	out := struct {
		Probs       []float64    `json:"probs"`
		Activations []activation `json:"activations"`
		Params      []param      `json:"params"`
	}{Probs: widen(probs)}
	for _, a := range r.Activations() {
		out.Activations = append(out.Activations, activation{a.Name, a.Type, a.Shape, widen(a.Data)})
	}
	for _, p := range net.Params() {
		v, err := p.Float32s()
		if err != nil {
			return err
		}
		out.Params = append(out.Params, param{p.Name, p.Shape, widen(v)})
	}
	return json.NewEncoder(stdout).Encode(out)
}

func widen(f []float32) []float64 {
	d := make([]float64, len(f))
	for i, v := range f {
		d[i] = float64(v)
	}
	return d
}
