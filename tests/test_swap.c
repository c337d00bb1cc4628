/*
 * test_swap.c — the reference-counted pointer behind the server's live
 * model and its keys: a reader gets what was published, an object
 * replaced while in use lives until its last reader lets go, every
 * object is freed exactly once, and readers racing a publisher never
 * see a freed object (ASan would say so in `make test`).
 */
#include "test.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "http/swap.h"

#define MAGIC 0x5eed5eedu

struct thing {
    int value;
    struct swap_ref ref; /* not first, so SWAP_OBJECT's offset is tested */
    unsigned magic;
};

static atomic_int freed;

static void thing_free(struct swap_ref *ref)
{
    struct thing *t = SWAP_OBJECT(ref, struct thing, ref);
    t->magic = 0;
    free(t);
    atomic_fetch_add(&freed, 1);
}

static struct thing *thing_new(int value)
{
    struct thing *t = malloc(sizeof *t);
    assert_non_null(t);
    t->value = value;
    t->magic = MAGIC;
    swap_ref_init(&t->ref, thing_free);
    return t;
}

static struct thing *acquire(struct swap *sw)
{
    struct swap_ref *ref = swap_acquire(sw);
    return ref ? SWAP_OBJECT(ref, struct thing, ref) : NULL;
}

static void an_empty_swap_gives_nothing(void **state)
{
    (void)state;
    struct swap sw;
    swap_init(&sw);
    assert_null(swap_acquire(&sw));
    swap_release(NULL); /* allowed */
    swap_publish(&sw, NULL);
    assert_null(swap_acquire(&sw));
}

static void a_reader_gets_what_was_published(void **state)
{
    (void)state;
    atomic_store(&freed, 0);
    struct swap sw;
    swap_init(&sw);
    swap_publish(&sw, &thing_new(1)->ref);
    struct thing *t = acquire(&sw);
    assert_non_null(t);
    assert_int_equal(t->value, 1);
    assert_int_equal(atomic_load(&t->ref.refs), 2); /* the swap's and ours */
    swap_release(&t->ref);
    assert_int_equal(atomic_load(&t->ref.refs), 1);
    assert_int_equal(atomic_load(&freed), 0);
    swap_publish(&sw, NULL);
    assert_int_equal(atomic_load(&freed), 1);
}

static void publishing_frees_the_old_object_when_nobody_holds_it(void **state)
{
    (void)state;
    atomic_store(&freed, 0);
    struct swap sw;
    swap_init(&sw);
    swap_publish(&sw, &thing_new(1)->ref);
    swap_publish(&sw, &thing_new(2)->ref);
    assert_int_equal(atomic_load(&freed), 1);
    struct thing *t = acquire(&sw);
    assert_int_equal(t->value, 2);
    swap_release(&t->ref);
    swap_publish(&sw, NULL);
    assert_int_equal(atomic_load(&freed), 2);
}

static void the_last_reader_frees_a_replaced_object(void **state)
{
    (void)state;
    atomic_store(&freed, 0);
    struct swap sw;
    swap_init(&sw);
    swap_publish(&sw, &thing_new(1)->ref);
    struct thing *a = acquire(&sw), *b = acquire(&sw);
    swap_publish(&sw, &thing_new(2)->ref);
    /* replaced, but two readers still use it */
    assert_int_equal(atomic_load(&freed), 0);
    assert_int_equal(a->value, 1);
    assert_int_equal(a->magic, MAGIC);
    swap_release(&a->ref);
    assert_int_equal(atomic_load(&freed), 0);
    assert_int_equal(b->magic, MAGIC);
    swap_release(&b->ref);
    assert_int_equal(atomic_load(&freed), 1);
    struct thing *c = acquire(&sw);
    assert_int_equal(c->value, 2);
    swap_release(&c->ref);
    swap_publish(&sw, NULL);
    assert_int_equal(atomic_load(&freed), 2);
}

/* ---------------------------------------------------------- racing */

#define READERS 4
#define PUBLISHES 2000

struct race {
    struct swap sw;
    atomic_bool done;
    atomic_long reads;
    atomic_int bad;
};

static void *reader(void *arg)
{
    struct race *r = arg;
    while (!atomic_load(&r->done)) {
        struct thing *t = acquire(&r->sw);
        if (!t || t->magic != MAGIC || t->value < 0)
            atomic_fetch_add(&r->bad, 1);
        if (t)
            swap_release(&t->ref);
        atomic_fetch_add(&r->reads, 1);
    }
    return NULL;
}

/* Waits (yielding, at most ~5 s) until the readers have read more than
 * `than` times, so that publishing overlaps reading even on a loaded
 * machine where the readers would otherwise not run before the publisher
 * is done. */
static long reads_beyond(struct race *r, long than)
{
    long n = atomic_load(&r->reads);
    for (long spins = 0; n <= than && spins < 5000000; spins++) {
        sched_yield();
        n = atomic_load(&r->reads);
    }
    return n;
}

static void readers_racing_a_publisher_never_see_a_freed_object(void **state)
{
    (void)state;
    atomic_store(&freed, 0);
    struct race r;
    swap_init(&r.sw);
    atomic_init(&r.done, false);
    atomic_init(&r.reads, 0);
    atomic_init(&r.bad, 0);
    swap_publish(&r.sw, &thing_new(0)->ref);
    pthread_t threads[READERS];
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, reader, &r), 0);
    long seen = reads_beyond(&r, 0);
    for (int i = 1; i <= PUBLISHES; i++) {
        swap_publish(&r.sw, &thing_new(i)->ref);
        if (i % 64 == 0)
            seen = reads_beyond(&r, seen);
    }
    atomic_store(&r.done, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(atomic_load(&r.bad), 0);
    assert_true(atomic_load(&r.reads) > 0);
    /* every object but the current one is freed, each once */
    assert_int_equal(atomic_load(&freed), PUBLISHES);
    struct thing *last = acquire(&r.sw);
    assert_int_equal(last->value, PUBLISHES);
    swap_release(&last->ref);
    swap_publish(&r.sw, NULL);
    assert_int_equal(atomic_load(&freed), PUBLISHES + 1);
}

int suite_swap(int *count)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_empty_swap_gives_nothing),
        cmocka_unit_test(a_reader_gets_what_was_published),
        cmocka_unit_test(publishing_frees_the_old_object_when_nobody_holds_it),
        cmocka_unit_test(the_last_reader_frees_a_replaced_object),
        cmocka_unit_test(readers_racing_a_publisher_never_see_a_freed_object),
    };
    return RUN_SUITE("swap", tests, count);
}
