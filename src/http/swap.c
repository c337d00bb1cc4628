/*
 * swap.c — the reference-counted pointer swap (see swap.h for why it is
 * safe). Sequentially consistent atomics throughout: the reader's
 * announce-then-load and the publisher's exchange-then-wait must not be
 * reordered against each other.
 */
#include "http/swap.h"

#include <sched.h>

void swap_init(struct swap *sw)
{
    atomic_init(&sw->current, NULL);
    atomic_init(&sw->acquiring, 0);
}

void swap_ref_init(struct swap_ref *ref, void (*free_fn)(struct swap_ref *))
{
    atomic_init(&ref->refs, 1);
    ref->free = free_fn;
}

struct swap_ref *swap_acquire(struct swap *sw)
{
    atomic_fetch_add(&sw->acquiring, 1);
    struct swap_ref *ref = atomic_load(&sw->current);
    if (ref)
        atomic_fetch_add(&ref->refs, 1);
    atomic_fetch_sub(&sw->acquiring, 1);
    return ref;
}

void swap_release(struct swap_ref *ref)
{
    if (ref && atomic_fetch_sub(&ref->refs, 1) == 1)
        ref->free(ref);
}

void swap_publish(struct swap *sw, struct swap_ref *ref)
{
    struct swap_ref *old = atomic_exchange(&sw->current, ref);
    while (atomic_load(&sw->acquiring) != 0)
        sched_yield();
    swap_release(old);
}
