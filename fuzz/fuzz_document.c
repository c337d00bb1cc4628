/*
 * fuzz_document.c — the document mapping (document_from_bson, what `etl`
 * runs on every employment-history document). The input is read as the
 * ETL gets it: raw BSON when it is a well-formed BSON document (MongoDB's
 * cursor), else a line of (Extended) JSON (a .jsonl source). Any document
 * is mapped or refused with a reason and a message; a mapped one holds
 * its jobs within the capacity it owns and NUL-terminated id and CURP.
 */
#include <bson/bson.h>

#include "etl/document.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const struct refdata *rd = fuzz_refdata();
    bson_t raw, *doc = NULL;
    uint8_t *copy = (uint8_t *)fuzz_exact_copy(data, len);
    if (bson_init_static(&raw, copy, len) &&
        bson_validate(&raw, BSON_VALIDATE_UTF8_ALLOW_NULL, NULL))
        doc = &raw;
    else if (!(doc = bson_new_from_json(copy, (ssize_t)len, NULL))) {
        free(copy);
        return 0;
    }

    struct document v;
    document_init(&v);
    enum reject_reason reason = REJECT_REASON_COUNT;
    struct errbuf err = {0};
    if (document_from_bson(doc, rd, &v, &reason, &err) == 0) {
        if (v.job_count < 0 || v.job_count > v.job_capacity ||
            (v.job_count > 0 && !v.jobs))
            abort();
        if (memchr(v.id, '\0', sizeof v.id) == NULL ||
            memchr(v.curp, '\0', sizeof v.curp) == NULL)
            abort();
    } else if ((int)reason < 0 || reason >= REJECT_REASON_COUNT ||
               err.msg[0] == '\0') {
        fprintf(stderr, "fuzz_document: refused without a reason or "
                "message\n");
        abort();
    }
    document_free(&v);
    if (doc != &raw)
        bson_destroy(doc);
    free(copy);
    return 0;
}
