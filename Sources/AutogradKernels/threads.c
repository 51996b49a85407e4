/*
 * The thread count setting (`Autograd.numThreads`), kept in C so that it is one atomic value shared by
 * every thread without locks. 0 means "not set yet": the Swift side then fills in its default.
 */
#include "AutogradKernels.h"
#include <stdatomic.h>

static _Atomic int num_threads = 0;

int gl_num_threads(void) { return atomic_load_explicit(&num_threads, memory_order_relaxed); }

void gl_set_num_threads(int n) { atomic_store_explicit(&num_threads, n < 1 ? 1 : n, memory_order_relaxed); }
