// Command hello is the smallest Go program the size tests link for js/wasm.
package main

func main() { println("hello") }
