//go:build !unix

package main

import "errors"

// mkfifo is unavailable here: the fixture has no named pipe.
func mkfifo(string) error { return errors.ErrUnsupported }
