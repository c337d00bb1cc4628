/*
 * pg_insert_bench.c — how a batch of audit rows is best sent to
 * PostgreSQL: one multi-row INSERT with parameters (what audit_pg.c does)
 * against COPY FROM STDIN in text format, each batch its own transaction,
 * into the sink's own partitioned table. Run by bench/audit_pg.sh.
 *
 *   pg_insert_bench URL [rows]      (default 20000 rows)
 *
 * Rows are shaped like the server's (~700 bytes: a request body in
 * inputs, a response with reasons in outputs). Batches of 1, 16 and 512
 * rows: a lone request, a loaded server's typical group, the writer's
 * largest. Prints rows/s for each method and batch size.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/audit.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char inputs[] =
    "{\"ingreso\": 45000, \"antiguedad_laboral_meses\": 50, "
    "\"tiempo_desempleado\": 0, \"trabajos_ultimos_5\": 1, "
    "\"semanasCotizadas\": 1000, \"edad\": 32, \"crecimiento_ingreso\": "
    "265.38, \"lugar_actual\": 18}";
static const char outputs[] =
    "{\"scoring\": 743.94, \"cluster\": \"B\", \"model_version\": "
    "\"v0001\", \"band\": \"excelente\", \"reasons\": [{\"code\": "
    "\"CRECIMIENTO_INGRESO\", \"text\": \"Crecimiento del ingreso en los "
    "ultimos 3 anos fuera del rango preferido (50% a 150%)\"}, {\"code\": "
    "\"INGRESO_BAJO\", \"text\": \"Ingreso mensual menor a 70,000 "
    "pesos\"}, {\"code\": \"DECIL_BAJO\", \"text\": \"Ingreso por debajo "
    "del decil mas alto de su estado (ENIGH)\"}]}";

static void check(PGconn *c, PGresult *r, ExecStatusType want)
{
    if (PQresultStatus(r) != want) {
        fprintf(stderr, "pg_insert_bench: %s", PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

static int64_t now_ms(void)
{
    return (int64_t)time(NULL) * 1000;
}

static void iso_now(char when[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* One INSERT ... VALUES (...), (...) with 9 parameters a row. */
static void insert_batch(PGconn *c, long first, int n)
{
    static char sql[512 * 80 + 256];
    static const char *values[512 * 9];
    static char nums[512][2][24];
    static char ids[512][24];
    char when[32];
    iso_now(when);
    size_t len = (size_t)snprintf(sql, sizeof sql,
                                  "INSERT INTO decisions (time_ms, time,"
                                  " request_id, model_version, status,"
                                  " inputs, outputs, api_key, replica)"
                                  " VALUES ");
    for (int i = 0; i < n; i++) {
        int p = i * 9 + 1;
        len += (size_t)snprintf(sql + len, sizeof sql - len,
                                "%s($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)",
                                i ? "," : "", p, p + 1, p + 2, p + 3, p + 4,
                                p + 5, p + 6, p + 7, p + 8);
        snprintf(nums[i][0], 24, "%lld", (long long)now_ms());
        snprintf(nums[i][1], 24, "200");
        snprintf(ids[i], 24, "i%ld", first + i);
        const char **v = &values[i * 9];
        v[0] = nums[i][0];
        v[1] = when;
        v[2] = ids[i];
        v[3] = "v0001";
        v[4] = nums[i][1];
        v[5] = inputs;
        v[6] = outputs;
        v[7] = NULL;
        v[8] = "bench";
    }
    check(c, PQexecParams(c, sql, n * 9, NULL, values, NULL, NULL, 0),
          PGRES_COMMAND_OK);
}

/* COPY in text format: tab-separated, \N for NULL; the texts here hold
 * no tab, newline or backslash, so they need no escaping (the sink's
 * would). */
static void copy_batch(PGconn *c, long first, int n)
{
    check(c,
          PQexec(c, "COPY decisions (time_ms, time, request_id,"
                    " model_version, status, inputs, outputs, api_key,"
                    " replica) FROM STDIN"),
          PGRES_COPY_IN);
    static char buf[512 * 1024];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        int64_t ms = now_ms();
        char when[32];
        iso_now(when);
        len += (size_t)snprintf(buf + len, sizeof buf - len,
                                "%lld\t%s\tc%ld\tv0001\t200\t%s\t%s\t\\N\t"
                                "bench\n",
                                (long long)ms, when, first + i, inputs,
                                outputs);
    }
    if (PQputCopyData(c, buf, (int)len) != 1 || PQputCopyEnd(c, NULL) != 1) {
        fprintf(stderr, "pg_insert_bench: %s", PQerrorMessage(c));
        exit(1);
    }
    check(c, PQgetResult(c), PGRES_COMMAND_OK);
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL)
        PQclear(r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pg_insert_bench URL [rows]\n");
        return 2;
    }
    long rows = argc > 2 ? atol(argv[2]) : 20000;
    /* The sink makes the schema and this month's partition. */
    struct audit_log *log;
    struct errbuf err;
    if (audit_open_replica(&log, AUDIT_POSTGRES, AUDIT_ACK_COMMITTED, argv[1],
                           "bench", 16, &err) < 0) {
        fprintf(stderr, "pg_insert_bench: %s\n", err.msg);
        return 1;
    }
    audit_close(log);
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg_insert_bench: %s", PQerrorMessage(c));
        return 1;
    }
    static const int sizes[] = {1, 16, 512};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int b = sizes[s];
        long n = b == 1 ? rows / 10 : rows; /* one at a time is slow */
        for (int method = 0; method < 2; method++) {
            double t0 = seconds();
            for (long done = 0; done < n; done += b)
                (method ? copy_batch : insert_batch)(c, done, b);
            double dt = seconds() - t0;
            printf("pg_insert_bench: batches of %3d, %-18s %8.0f rows/s "
                   "(%ld rows, %.2f s)\n",
                   b, method ? "COPY FROM STDIN:" : "multi-row INSERT:",
                   (double)n / dt, n, dt);
            fflush(stdout);
        }
    }
    PQfinish(c);
    return 0;
}
