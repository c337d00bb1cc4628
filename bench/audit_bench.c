/*
 * audit_bench.c — decision records per second through the SQLite sink,
 * from submit to the last commit; run through bench/audit.sh.
 *
 *   audit_bench DIR [records [threads [capacity [ids]]]]
 *                  (default 200000 records, 2 threads, 16384, ids "time")
 *
 * Each thread submits records shaped like the API's (a §7 request body in
 * `inputs`, a response with its reasons in `outputs`, ~650 bytes queued)
 * with a long wait, so nothing should be refused; the clock stops when
 * audit_close returns, i.e. when every record is committed. Request ids
 * are "time": growing with time, as the server makes them, or "random":
 * 32 random hex digits, as a client sending UUIDs would (they cost the
 * same now that the log is indexed by time only). The database is
 * DIR/audit_bench.db; the rows in it are counted after close, so a lost
 * record would show.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "http/audit.h"

struct worker {
    struct audit_log *log;
    int thread;
    long records;
    long refused;
    int random_ids;
};

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *submit_all(void *arg)
{
    struct worker *w = arg;
    struct audit_record r = {.model_version = "v0007", .status = 200};
    unsigned seed = (unsigned)w->thread * 7919u + 1u;
    for (long i = 0; i < w->records; i++) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        r.time_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        if (w->random_ids)
            snprintf(r.request_id, sizeof r.request_id, "%08x%08x%08x%08x",
                     (unsigned)rand_r(&seed), (unsigned)rand_r(&seed),
                     (unsigned)rand_r(&seed), (unsigned)rand_r(&seed));
        else
            snprintf(r.request_id, sizeof r.request_id, "%011llx%d%04lx",
                     (unsigned long long)r.time_ms, w->thread, i & 0xffff);
        snprintf(r.inputs, sizeof r.inputs,
                 "{\"ingreso\": %ld, \"antiguedad_laboral_meses\": 50, "
                 "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "
                 "\"semanasCotizadas\": 1000, \"edad\": %ld, "
                 "\"crecimiento_ingreso\": 265.38, \"lugar_actual\": %ld}",
                 20000 + i % 50000, 18 + i % 60, i % 32);
        snprintf(r.outputs, sizeof r.outputs,
                 "{\"scoring\": %ld.17, \"cluster\": \"A\", "
                 "\"model_version\": \"v0007\", \"band\": \"excelente\", "
                 "\"reasons\": [{\"code\": \"CRECIMIENTO_INGRESO\", \"text\": "
                 "\"Crecimiento del ingreso en los últimos 3 años fuera del "
                 "rango preferido (50%% a 150%%)\"}, {\"code\": "
                 "\"INGRESO_BAJO\", \"text\": \"Ingreso mensual menor a "
                 "70,000 pesos\"}, {\"code\": \"DECIL_BAJO\", \"text\": "
                 "\"Ingreso por debajo del decil más alto de su estado "
                 "(ENIGH)\"}]}",
                 300 + i % 550);
        if (audit_submit(w->log, &r, 10000) < 0)
            w->refused++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: audit_bench DIR [records [threads [capacity "
                "[time|random]]]]\n");
        return 2;
    }
    long records = argc > 2 ? atol(argv[2]) : 200000;
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    long capacity = argc > 4 ? atol(argv[4]) : 16384;
    const char *ids = argc > 5 ? argv[5] : "time";
    if (records < 1 || threads < 1 || threads > 64 || capacity < 1) {
        fprintf(stderr, "audit_bench: records, threads (1-64) and "
                        "capacity must be positive\n");
        return 2;
    }
    if (strcmp(ids, "time") != 0 && strcmp(ids, "random") != 0) {
        fprintf(stderr, "audit_bench: ids are 'time' or 'random', not '%s'\n",
                ids);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/audit_bench.db", argv[1]);
    unlink(path);

    struct audit_log *log;
    struct errbuf err;
    if (audit_open(&log, AUDIT_SQLITE, AUDIT_ACK_QUEUED, path, (size_t)capacity,
                   &err) < 0) {
        fprintf(stderr, "audit_bench: %s\n", err.msg);
        return 1;
    }
    pthread_t th[64];
    struct worker w[64];
    double t0 = seconds();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){.log = log, .thread = i,
                               .records = records / threads +
                                          (i < records % threads),
                               .random_ids = strcmp(ids, "random") == 0};
        pthread_create(&th[i], NULL, submit_all, &w[i]);
    }
    long refused = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        refused += w[i].refused;
    }
    double submitted = seconds() - t0;
    struct audit_stats before_close;
    audit_get_stats(log, &before_close);
    audit_close(log);
    double elapsed = seconds() - t0;

    /* The rows themselves, counted by a second connection: the log's own
     * counters go with it at close. */
    sqlite3 *db;
    sqlite3_stmt *st;
    long long rows = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM decisions", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            rows = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    printf("audit: %lld records in %.2f s = %.0f records/s, %.1f us of CPU "
           "a record (sqlite, WAL; %s ids, %d threads, queue %ld, submits "
           "done at %.2f s, %ld refused)\n",
           rows, elapsed, (double)rows / elapsed,
           rows > 0 ? cpu * 1e6 / (double)rows : 0.0, ids, threads, capacity,
           submitted, refused);
    if (rows != (long long)before_close.queued)
        fprintf(stderr, "audit_bench: %" PRIu64 " queued but %lld rows\n",
                before_close.queued, rows);
    return refused || rows != (long long)before_close.queued ? 1 : 0;
}
