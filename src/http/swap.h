/*
 * swap.h — one reference-counted pointer that readers take without a lock
 * and a writer replaces at any time: how the server holds its live model
 * and its API keys.
 *
 * The object published in a swap carries a struct swap_ref (its count
 * and how to free it). The swap holds one reference to its current
 * object; each reader takes one for as long as it uses the object
 * (swap_acquire … swap_release); swap_publish puts a new object in and
 * drops the swap's reference to the old one. Whoever drops the last
 * reference frees the object, so an object replaced while requests still
 * use it lives until the last of them is done.
 *
 * Why a counter of readers between the load and the increment: a reader
 * reads the pointer, then counts itself on that object. Between the two
 * a publish could drop the old object's last reference and free it, and
 * the increment would land in freed memory. So a reader announces itself
 * in `acquiring` first, and swap_publish, after exchanging the pointer,
 * waits for `acquiring` to be zero before releasing the old object: any
 * reader still in that window has finished counting itself by then, and
 * any later one reads the new pointer. The window is a load and an
 * increment, so the wait is a few spins at most; the reader's path is
 * three atomic operations and no lock, and nothing is allocated.
 *
 * Publishers must not run at the same time on one swap (the server holds
 * a mutex around each reload); readers may, from any thread.
 */
#ifndef INCOMESCORE_SWAP_H
#define INCOMESCORE_SWAP_H

#include <stdatomic.h>
#include <stddef.h>

struct swap_ref {
    atomic_long refs;
    void (*free)(struct swap_ref *ref); /* called by the last release */
};

struct swap {
    _Atomic(struct swap_ref *) current; /* NULL: nothing published */
    atomic_int acquiring;               /* readers between load and count */
};

/* The object that embeds ref as its member `member`. */
#define SWAP_OBJECT(ref, type, member)                                       \
    ((type *)(void *)((char *)(ref) - offsetof(type, member)))

/* An empty swap (all zero, so a calloc'd struct is one too). */
void swap_init(struct swap *sw);

/* Readies a new object's ref with one reference, the publisher's, which
 * swap_publish hands over to the swap. free_fn frees the whole object. */
void swap_ref_init(struct swap_ref *ref, void (*free_fn)(struct swap_ref *));

/* A reference on the current object, or NULL when there is none. */
struct swap_ref *swap_acquire(struct swap *sw);

/* Drops one reference; the last one frees the object. NULL is fine. */
void swap_release(struct swap_ref *ref);

/* Makes ref (may be NULL: empties the swap) current, taking over its
 * publisher's reference, and drops the swap's reference to the object it
 * replaces: that one is freed now if no reader holds it, else by its last
 * reader. */
void swap_publish(struct swap *sw, struct swap_ref *ref);

#endif
