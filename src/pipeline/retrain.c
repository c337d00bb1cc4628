/*
 * retrain.c — a kept model version trained again from its own data
 * version (see pipeline.h's pipeline_retrain): the proof that a data
 * version is all a model needs. Everything else comes from the version
 * itself: its rules.json, its reference tables (refdata/), the XGBoost
 * parameters and seed and split its manifest records, and its created_at
 * (through SOURCE_DATE_EPOCH, train.h's one clock).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "pipeline/dataver.h"
#include "pipeline/pipeline.h"
#include "registry/manifest.h"
#include "train/train.h"

int pipeline_retrain(const char *registry_dir, const char *id,
                     const char *out_dir, struct errbuf *err)
{
    struct registry *reg;
    if (registry_open(&reg, registry_dir, err) < 0)
        return -1;
    char vdir[4096], file[4200], dataset[4200], params[4200];
    struct manifest *m = malloc(sizeof *m);
    int rc = -1;
    bool made_out = false;
    dataset[0] = params[0] = '\0';
    if (!m) {
        err_set(err, "out of memory");
        goto done;
    }
    if (registry_version_path(reg, id, vdir, sizeof vdir, err) < 0)
        goto done;
    snprintf(file, sizeof file, "%s/%s", vdir, MANIFEST_FILE);
    if (manifest_read(m, file, err) < 0)
        goto done;
    if (!dataver_exists(registry_dir, m->lineage.dataset_sha256)) {
        err_set(err, "%s was trained on a dataset the registry does not "
                     "keep (SHA-256 %.12s…): only versions the pipeline "
                     "trained can be retrained", id,
                m->lineage.dataset_sha256);
        goto done;
    }
    if (mkdir(out_dir, 0755) < 0) {
        if (errno != EEXIST) {
            err_set(err, "%s: %s", out_dir, strerror(errno));
            goto done;
        }
    } else {
        made_out = true;
    }
    /* the dataset and the parameters beside the output, not in it: the
     * bundle's directory must hold the bundle's files only */
    snprintf(dataset, sizeof dataset, "%s.dataset.csv", out_dir);
    snprintf(params, sizeof params, "%s.params.json", out_dir);
    if (dataver_restore(registry_dir, m->lineage.dataset_sha256, dataset,
                        err) < 0 ||
        atomic_write_file(params, m->params, strlen(m->params), err) < 0)
        goto done;
    struct tm tm = {0};
    const char *end = strptime(m->created_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end) {
        err_set(err, "%s: created_at '%s' is not a UTC time", file,
                m->created_at);
        goto done;
    }
    char epoch[32], rules[4200], refdata[4200];
    snprintf(epoch, sizeof epoch, "%lld", (long long)timegm(&tm));
    setenv("SOURCE_DATE_EPOCH", epoch, 1);
    snprintf(rules, sizeof rules, "%s/rules.json", vdir);
    snprintf(refdata, sizeof refdata, "%s/refdata", vdir);
    struct train_options o;
    train_defaults(&o);
    o.dataset_path = dataset;
    o.dataset_label = m->lineage.dataset;
    o.rules_path = rules;
    o.params_path = params;
    o.data_dir = refdata;
    o.itaee_year = m->itaee_year;
    o.seed = m->lineage.seed;
    o.test_fraction = m->lineage.test_fraction;
    o.stopping_fraction = m->lineage.stopping_fraction;
    o.version_id = id; /* its report names the version it trains again */
    char reference[4200];
    if (*m->letters_reference) {
        /* lettered by matching: to the same version again */
        if (registry_version_path(reg, m->letters_reference, reference,
                                  sizeof reference, err) < 0)
            goto done;
        o.letters_from = reference;
    }
    struct train_summary s;
    rc = train_bundle(&o, out_dir, &s, err);
done:
    if (*dataset)
        unlink(dataset);
    if (*params)
        unlink(params);
    if (rc < 0 && made_out)
        rmdir(out_dir);
    free(m);
    registry_close(reg);
    return rc;
}
