/* The program every column of `scripts/bench threads` runs: natively, in
 * Elfin and as /init of the Linux microVM. It times itself with
 * CLOCK_MONOTONIC, so boot time is not part of any figure:
 *
 *   create_join   pthread_create + pthread_join of a thread that returns at
 *                 once, CREATE_N times: microseconds per pair
 *   futex         two threads hand a token back and forth through one futex
 *                 word (FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE), PINGPONG_N
 *                 round trips: microseconds per round trip
 *   compute       the same fixed work (WORK_N rounds of a 64-bit mixing
 *                 function) split evenly over COMPUTE_THREADS threads:
 *                 wall milliseconds. With one CPU the threads take turns;
 *                 with two they can run at once.
 *
 * One result line on stdout (parsed by scripts/bench):
 *   elfin-bench-threads cpus=N create_join_us=F futex_roundtrip_us=F compute_ms=F check=HEX
 * check is the XOR of the threads' results: the same on every column, so a
 * column that skipped work would show. Exit status 0 when every step worked.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { CREATE_N = 400, PINGPONG_N = 4000, COMPUTE_THREADS = 2 };
static const uint64_t WORK_N = 40u * 1000 * 1000;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void fail(const char *what)
{
	fprintf(stderr, "bench threads: %s failed\n", what);
	exit(1);
}

static void *nothing(void *arg) { return arg; }

static double bench_create_join(void)
{
	double t0 = now_us();
	for (int i = 0; i < CREATE_N; i++) {
		pthread_t t;
		void *ret;
		if (pthread_create(&t, NULL, nothing, (void *)(intptr_t)i) != 0) fail("pthread_create");
		if (pthread_join(t, &ret) != 0 || ret != (void *)(intptr_t)i) fail("pthread_join");
	}
	return (now_us() - t0) / CREATE_N;
}

/* The token: even = the main thread's turn, odd = the partner's. */
static _Atomic uint32_t token;

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Waits until the token has parity `mine`, then passes it on. */
static void take_turns(uint32_t mine)
{
	for (int i = 0; i < PINGPONG_N; i++) {
		uint32_t v;
		while (((v = atomic_load(&token)) & 1) != mine)
			futex_wait(&token, v);
		atomic_store(&token, v + 1);
		futex_wake(&token);
	}
}

static void *partner(void *arg)
{
	(void)arg;
	take_turns(1);
	return NULL;
}

static double bench_futex(void)
{
	pthread_t t;
	atomic_store(&token, 0);
	double t0 = now_us();
	if (pthread_create(&t, NULL, partner, NULL) != 0) fail("pthread_create");
	take_turns(0);
	if (pthread_join(t, NULL) != 0) fail("pthread_join");
	double us = (now_us() - t0) / PINGPONG_N;
	if (atomic_load(&token) != 2 * PINGPONG_N) fail("the futex ping-pong count");
	return us;
}

struct work { uint64_t seed, result; };

static void *compute(void *arg)
{
	struct work *w = arg;
	uint64_t x = w->seed;
	for (uint64_t i = 0; i < WORK_N / COMPUTE_THREADS; i++) {
		x ^= x >> 31;
		x *= 0x9e3779b97f4a7c15ull;
		x ^= i;
	}
	w->result = x;
	return NULL;
}

static double bench_compute(uint64_t *check)
{
	pthread_t t[COMPUTE_THREADS];
	struct work w[COMPUTE_THREADS];
	double t0 = now_us();
	for (int i = 0; i < COMPUTE_THREADS; i++) {
		w[i].seed = 0x1234567 + i;
		if (pthread_create(&t[i], NULL, compute, &w[i]) != 0) fail("pthread_create");
	}
	*check = 0;
	for (int i = 0; i < COMPUTE_THREADS; i++) {
		if (pthread_join(t[i], NULL) != 0) fail("pthread_join");
		*check ^= w[i].result;
	}
	return (now_us() - t0) / 1000;
}

int main(void)
{
	uint64_t check;
	double create = bench_create_join();
	double futex = bench_futex();
	double compute_ms = bench_compute(&check);
	printf("elfin-bench-threads cpus=%ld create_join_us=%.2f futex_roundtrip_us=%.2f "
	       "compute_ms=%.1f check=%llx\n", sysconf(_SC_NPROCESSORS_ONLN), create, futex,
	       compute_ms, (unsigned long long)check);
	return fflush(stdout) == 0 ? 0 : 1;
}
