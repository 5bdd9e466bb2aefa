// Command bench measures Plaza under load (make bench). Each feature adds its
// scenario here, measured against PocketBase's own API on the same data.
package main

import "fmt"

func main() {
	fmt.Println("no benchmarks yet: the chat issue adds the first (send → delivery latency over /events)")
}
