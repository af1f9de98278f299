// goruntime: what Go's runtime asks of the kernel, checked from Go. Threads
// (clone with CLONE_THREAD), futexes, the netpoller (epoll, a pipe), timers,
// signals (a SIGSEGV turned into a panic on the signal stack, SIGURG for
// asynchronous preemption through tgkill, os/signal), and the allocator (mmap
// with address hints, madvise). Built static (CGO_ENABLED=0) with the standard
// library only; runs natively too, where its output is the reference.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

var checks, failures int

func check(what string, ok bool, detail string) {
	checks++
	if ok {
		fmt.Printf("ok %s: %s\n", what, detail)
	} else {
		failures++
		fmt.Printf("FAIL %s: %s\n", what, detail)
	}
}

func goroutines() {
	var wg sync.WaitGroup
	var sum int64
	var mu sync.Mutex
	squares := make(map[int]int)
	for i := 1; i <= 1000; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			atomic.AddInt64(&sum, int64(n))
			mu.Lock()
			squares[n%10] += n * n
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	total := 0
	for _, v := range squares {
		total += v
	}
	check("goroutines", sum == 500500 && total == 333833500,
		fmt.Sprintf("1000 goroutines: sum %d, sum of squares %d", sum, total))
}

func channels() {
	// Unbuffered: a pipeline of three goroutines.
	src, dbl := make(chan int), make(chan int)
	go func() {
		for i := 0; i < 100; i++ {
			src <- i
		}
		close(src)
	}()
	go func() {
		for v := range src {
			dbl <- 2 * v
		}
		close(dbl)
	}()
	got := 0
	for v := range dbl {
		got += v
	}
	// Buffered, with a select over two producers and a quit channel.
	a, b := make(chan int, 8), make(chan string, 8)
	quit := make(chan struct{})
	go func() {
		for i := 0; i < 50; i++ {
			a <- i
		}
	}()
	go func() {
		for i := 0; i < 50; i++ {
			b <- "x"
		}
		close(quit)
	}()
	na, nb := 0, 0
	for done := false; !done; {
		select {
		case v := <-a:
			na += v
		case s := <-b:
			nb += len(s)
		case <-quit:
			done = true
		}
	}
	for na != 1225 { // what was still buffered when quit closed
		na += <-a
	}
	for nb != 50 {
		nb += len(<-b)
	}
	check("channels", got == 9900 && na == 1225 && nb == 50,
		fmt.Sprintf("pipeline sum %d, select sums %d and %d", got, na, nb))
}

func timers() {
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	slept := time.Since(start) >= 20*time.Millisecond
	after := false
	select {
	case <-time.After(30 * time.Millisecond):
		after = true
	case <-time.After(time.Minute):
	}
	ticker := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	for range ticker.C {
		if ticks++; ticks == 5 {
			break
		}
	}
	ticker.Stop()
	stopped := time.NewTimer(time.Hour).Stop()
	// AfterFunc runs each function in a goroutine of its own, never early.
	// (Their order is not checked: timers that expire together start their
	// goroutines together, and a slow host may make them expire together.)
	fired := make(chan bool, 3)
	start = time.Now()
	for _, ms := range []int{30, 10, 20} {
		d := time.Duration(ms) * time.Millisecond
		time.AfterFunc(d, func() { fired <- time.Since(start) >= d })
	}
	onTime := <-fired && <-fired && <-fired
	check("timers", slept && after && ticks == 5 && stopped && onTime,
		fmt.Sprintf("slept 20 ms %v, time.After %v, %d ticks, an hour's timer stopped %v, 3 AfterFuncs not early %v",
			slept, after, ticks, stopped, onTime))
}

func netpoller() {
	// os.Pipe is non-blocking and registered with the netpoller (epoll): a
	// read that would block parks the goroutine, and a deadline ends it.
	r, w, err := os.Pipe()
	if err != nil {
		check("pipe", false, err.Error())
		return
	}
	defer r.Close()
	r.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	buf := make([]byte, 64)
	_, err = r.Read(buf)
	timedOut := errors.Is(err, os.ErrDeadlineExceeded)
	r.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(10 * time.Millisecond)
		w.Write([]byte("through the pipe"))
		w.Close()
	}()
	n, err := r.Read(buf)
	check("netpoller", timedOut && err == nil && string(buf[:n]) == "through the pipe",
		fmt.Sprintf("read deadline exceeded %v, then read %q", timedOut, buf[:n]))
}

type node struct {
	next *node
	v    int
}

var sink int // stores that the compiler must keep

func recovered(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return "no panic"
}

func faults() {
	var p *node
	m := recovered(func() { sink = p.next.v })
	check("nil dereference", m == "runtime error: invalid memory address or nil pointer dereference", "recovered: "+m)
	// The same in another goroutine, on another thread and its signal stack.
	done := make(chan string)
	go func() { done <- recovered(func() { sink = p.v }) }()
	m = <-done
	check("nil dereference in a goroutine", m == "runtime error: invalid memory address or nil pointer dereference", "recovered: "+m)
	// SetPanicOnFault: the panic carries the faulting address (si_addr).
	debug.SetPanicOnFault(true)
	var addr uintptr
	wild := uintptr(0xdead0000)
	m = recovered(func() {
		defer func() {
			r := recover()
			if e, ok := r.(interface{ Addr() uintptr }); ok {
				addr = e.Addr()
			}
			panic(r)
		}()
		sink = *(*int)(unsafe.Pointer(wild))
	})
	debug.SetPanicOnFault(false)
	check("fault address", addr == wild, fmt.Sprintf("%s at %#x", m, addr))
	var arr []int
	idx, zero := 5, 0
	m = recovered(func() { arr[idx] = 1 })
	check("bounds", m == "runtime error: index out of range [5] with length 0", "recovered: "+m)
	m = recovered(func() { sink = 10 / zero })
	check("divide by zero", m == "runtime error: integer divide by zero", "recovered: "+m)
}

func preemption() {
	// One loop per P with no function calls (no cooperative preemption
	// point): only asynchronous preemption, SIGURG sent by sysmon with
	// tgkill, lets the other goroutines run.
	var stop int32
	procs := runtime.GOMAXPROCS(0)
	for i := 0; i < procs; i++ {
		go func() {
			for n := 0; atomic.LoadInt32(&stop) == 0; n++ {
			}
		}()
	}
	time.Sleep(30 * time.Millisecond)
	steps := 0
	done := make(chan bool)
	go func() {
		for ; steps < 10; steps++ {
			runtime.Gosched()
		}
		done <- true
	}()
	<-done
	atomic.StoreInt32(&stop, 1)
	check("preemption", steps == 10, fmt.Sprintf("%d spinning goroutines, another goroutine took %d steps", procs, steps))
}

func signals() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-c:
		check("os/signal", s == syscall.SIGUSR1, "received "+s.String())
	case <-time.After(time.Minute):
		check("os/signal", false, "no SIGUSR1 within a minute")
	}
	signal.Stop(c)
}

func memory() {
	var keep [][]byte
	for i := 0; i < 200; i++ {
		b := make([]byte, 64<<10)
		b[0], b[len(b)-1] = byte(i), byte(i)
		if i%10 == 0 {
			keep = append(keep, b)
		}
	}
	big := make([]byte, 32<<20) // a span of its own, straight from mmap
	big[len(big)-1] = 1
	runtime.GC()
	debug.FreeOSMemory() // returns pages with madvise
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	intact := len(keep) == 20 && big[len(big)-1] == 1
	for i, b := range keep {
		intact = intact && b[0] == byte(i*10) && b[len(b)-1] == byte(i*10)
	}
	check("memory", intact && ms.NumGC >= 2,
		fmt.Sprintf("200 allocations of 64 KiB and one of 32 MiB, the kept ones intact after GC and FreeOSMemory %v", intact))
}

// crash: an unrecovered nil dereference. The runtime prints the panic with
// the signal's code and address from siginfo, and exits with status 2.
func crash() {
	var p *node
	fmt.Println("before the fault")
	sink = p.next.v
	fmt.Println("after the fault")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		crash()
	}
	fmt.Printf("GOMAXPROCS %d NumCPU %d\n", runtime.GOMAXPROCS(0), runtime.NumCPU())
	goroutines()
	channels()
	timers()
	netpoller()
	faults()
	preemption()
	signals()
	memory()
	if failures > 0 {
		fmt.Printf("goruntime: %d of %d checks failed\n", failures, checks)
		os.Exit(1)
	}
	fmt.Printf("goruntime: %d checks passed\n", checks)
}
