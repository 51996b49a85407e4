/*
 * The thread count setting (`Autograd.numThreads`) and the pool of threads that runs kernels split
 * into parts (`gl_parallel_run`).
 *
 * Why a pool of our own: handing parts to Dispatch's threads and waiting for them cost 40-50 µs per
 * split on this project's 2-core VM (a sleeping thread is woken through the kernel, then the caller
 * sleeps until the last part is done), and one 784-512-512-10 training step makes about thirty
 * splits. Here workers keep watching for work for a short while after each split (as OpenMP's
 * workers do), and the caller waits by watching a counter, so back-to-back splits cost a few
 * microseconds. Parts are claimed one at a time by whichever thread is free, the caller included: a
 * worker that is late or descheduled only delays the parts it has claimed, and a caller whose
 * workers never come does every part itself. A caller left waiting for a part that a descheduled
 * worker holds sleeps after a short while: its processor goes idle, and the kernel moves the worker
 * there (spinning would keep that processor busy while the worker waits for another).
 */
#include "AutogradKernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define GL_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define GL_PAUSE() __asm__ __volatile__("yield")
#else
#define GL_PAUSE() ((void)0)
#endif

static _Atomic int num_threads = 0;

int gl_num_threads(void) { return atomic_load_explicit(&num_threads, memory_order_relaxed); }

void gl_set_num_threads(int n) { atomic_store_explicit(&num_threads, n < 1 ? 1 : n, memory_order_relaxed); }

/* How long an idle worker keeps watching for the next split before it sleeps, and how long a caller
 * waits for the last parts before it sleeps (longer than a part usually takes). A watching worker
 * also yields every YIELD_EVERY pauses (a few microseconds): on a busy machine the thread it would
 * keep off the processor may be the caller, with the serial work before the next split. */
enum { WORKER_SPIN_NS = 200000, CALLER_SPIN_NS = 100000, YIELD_EVERY = 256, MAX_WORKERS = 255 };

/* The job's claim word: generation (32 bits) | parts (16) | next unclaimed part (16). One atomic word,
 * so a worker can only claim a part of the job it read, never one of the next job. */
static _Atomic uint64_t ticket = 0;
static _Atomic(gl_task_fn) job_fn;
static _Atomic(void *) job_context;
static _Atomic int job_threads;    /* workers 1..<job_threads take part */
static _Atomic long job_done = 0;  /* parts finished */

static _Atomic int busy = 0;       /* one split at a time; others run on their caller */
static _Atomic int workers = 0;    /* started so far */
static _Atomic int asleep[MAX_WORKERS + 1]; /* by worker index (1…) */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static _Atomic int caller_asleep = 0;
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;

static uint32_t generation_of(uint64_t t) { return (uint32_t)(t >> 32); }

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Claims and runs parts of the current job while any are left; `generation` is the job's. */
static void run_parts(uint32_t generation) {
    uint64_t t = atomic_load_explicit(&ticket, memory_order_acquire);
    for (;;) {
        long parts = (long)((t >> 16) & 0xFFFF), next = (long)(t & 0xFFFF);
        if (generation_of(t) != generation || next >= parts) return;
        if (!atomic_compare_exchange_weak_explicit(&ticket, &t, t + 1, memory_order_acq_rel, memory_order_acquire))
            continue;
        /* A claimed part keeps the job unfinished, so the job's fields are still this job's. */
        atomic_load_explicit(&job_fn, memory_order_relaxed)(atomic_load_explicit(&job_context, memory_order_relaxed), next);
        if (atomic_fetch_add(&job_done, 1) + 1 == parts && atomic_load(&caller_asleep)) {
            pthread_mutex_lock(&done_lock);
            pthread_cond_signal(&all_done);
            pthread_mutex_unlock(&done_lock);
        }
        t = atomic_load_explicit(&ticket, memory_order_acquire);
    }
}

/* Worker `index` (1…): watches for a new job, then takes parts of it if the job wants that many
 * threads. A worker the last job did not want sleeps straight away (numThreads was lowered). */
static void *worker_main(void *arg) {
    int index = (int)(intptr_t)arg;
    uint32_t seen = generation_of(atomic_load(&ticket));
    for (;;) {
        uint64_t t = atomic_load_explicit(&ticket, memory_order_acquire);
        if (generation_of(t) == seen && index < atomic_load_explicit(&job_threads, memory_order_relaxed)) {
            long long start = now_ns();
            for (int i = 1; generation_of(t) == seen; i++) {
                GL_PAUSE();
                if (i % YIELD_EVERY == 0) {
                    if (now_ns() - start > WORKER_SPIN_NS) break;
                    sched_yield();
                }
                t = atomic_load_explicit(&ticket, memory_order_acquire);
            }
        }
        if (generation_of(t) == seen) {
            pthread_mutex_lock(&sleep_lock);
            atomic_store(&asleep[index], 1);
            while (generation_of(t = atomic_load(&ticket)) == seen) pthread_cond_wait(&wake, &sleep_lock);
            atomic_store(&asleep[index], 0);
            pthread_mutex_unlock(&sleep_lock);
        }
        seen = generation_of(t);
        if (index < atomic_load_explicit(&job_threads, memory_order_relaxed)) run_parts(seen);
    }
    return NULL;
}

/* After fork only the forking thread exists: forget the workers (a split then runs on its caller
 * until new ones are started). */
static void forget_workers_after_fork(void) {
    atomic_store(&workers, 0);
    for (int i = 0; i <= MAX_WORKERS; i++) atomic_store(&asleep[i], 0);
    atomic_store(&busy, 0);
    pthread_mutex_init(&sleep_lock, NULL);
    pthread_cond_init(&wake, NULL);
    atomic_store(&caller_asleep, 0);
    pthread_mutex_init(&done_lock, NULL);
    pthread_cond_init(&all_done, NULL);
}

static void register_fork_handler(void) { pthread_atfork(NULL, NULL, forget_workers_after_fork); }

static void start_workers(int wanted) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handler);
    int have = atomic_load(&workers);
    while (have < wanted && have < MAX_WORKERS) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)(have + 1));
        pthread_attr_destroy(&attr);
        if (failed) break;
        atomic_store(&workers, ++have);
    }
}

void gl_parallel_run(long parts, int threads, gl_task_fn fn, void *context) {
    int expected = 0;
    if (parts <= 1 || threads <= 1 || parts > 0xFFFF ||
        !atomic_compare_exchange_strong(&busy, &expected, 1)) {
        for (long p = 0; p < parts; p++) fn(context, p);
        return;
    }
    if (atomic_load_explicit(&workers, memory_order_relaxed) < threads - 1) start_workers(threads - 1);
    atomic_store_explicit(&job_fn, fn, memory_order_relaxed);
    atomic_store_explicit(&job_context, context, memory_order_relaxed);
    atomic_store_explicit(&job_threads, threads, memory_order_relaxed);
    atomic_store_explicit(&job_done, 0, memory_order_relaxed);
    uint32_t generation = generation_of(atomic_load(&ticket)) + 1;
    atomic_store(&ticket, ((uint64_t)generation << 32) | ((uint64_t)parts << 16));
    for (int w = 1; w < threads && w <= MAX_WORKERS; w++) {
        if (atomic_load(&asleep[w])) {
            pthread_mutex_lock(&sleep_lock);
            pthread_cond_broadcast(&wake);
            pthread_mutex_unlock(&sleep_lock);
            break;
        }
    }
    run_parts(generation);
    if (atomic_load_explicit(&job_done, memory_order_acquire) < parts) {
        long long start = now_ns();
        for (int i = 1; atomic_load_explicit(&job_done, memory_order_acquire) < parts; i++) {
            GL_PAUSE();
            if ((i & 63) == 0 && now_ns() - start > CALLER_SPIN_NS) break;
        }
        if (atomic_load(&job_done) < parts) {
            pthread_mutex_lock(&done_lock);
            atomic_store(&caller_asleep, 1);
            while (atomic_load(&job_done) < parts) pthread_cond_wait(&all_done, &done_lock);
            atomic_store(&caller_asleep, 0);
            pthread_mutex_unlock(&done_lock);
        }
    }
    atomic_store(&busy, 0);
}
