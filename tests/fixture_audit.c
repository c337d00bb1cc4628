/*
 * fixture_audit.c — an audit record shaped like the API's, for the audit
 * suites (test_audit.c: SQLite and stdout; test_audit_pg.c: PostgreSQL).
 */
#include "test.h"

#include <stdio.h>

#include "http/audit.h"

struct audit_record test_audit_record(int64_t time_ms, const char *id,
                                      int status)
{
    struct audit_record r = {.time_ms = time_ms, .status = status};
    snprintf(r.request_id, sizeof r.request_id, "%s", id);
    snprintf(r.model_version, sizeof r.model_version, "v0007");
    snprintf(r.inputs, sizeof r.inputs,
             "{\"ingreso\": 45000, \"edad\": 32, \"crecimiento_ingreso\": "
             "265.38}");
    snprintf(r.outputs, sizeof r.outputs,
             "{\"scoring\": 678.17, \"cluster\": \"A\"}");
    return r;
}
