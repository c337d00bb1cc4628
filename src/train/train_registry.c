/*
 * train_registry.c — stage, train, verify, commit (see train_registry.h).
 */
#include "train/train_registry.h"

#include <limits.h>

#include "registry/bundle.h"

/* The report names the version, so it is written at commit, once the
 * registry has given the id (registry_commit_naming). It is not among
 * the files the manifest hashes, so writing it last leaves the bundle's
 * hashes as train_bundle sealed them. */
static int write_report(const char *staging, const char *id, void *report,
                        struct errbuf *err)
{
    return train_report_write(report, staging, id, err);
}

static int train_commit(struct registry *reg, const struct train_options *opt,
                        struct train_summary *sum, char *id, int held,
                        struct errbuf *err)
{
    char staging[PATH_MAX]; /* registry_open leaves room for it */
    if (registry_stage(reg, staging, sizeof staging, err) < 0)
        return -1;
    /* A registry with a live model: the new segments take its letters
     * (letters.h), unless the caller named another bundle. */
    struct train_options o = *opt;
    char live[REGISTRY_ID_SIZE], live_dir[PATH_MAX];
    if (!o.letters_from && registry_live(reg, live, err) == 0 &&
        registry_version_path(reg, live, live_dir, sizeof live_dir, err) == 0)
        o.letters_from = live_dir;
    /* What was written is loaded back, with every check a server makes,
     * before it may enter the registry. */
    struct bundle *check = NULL;
    struct train_report *report = NULL;
    int rc = train_bundle_kept(&o, staging, sum, &report, err);
    if (rc == 0)
        rc = bundle_load(&check, staging, err);
    bundle_free(check);
    if (rc == 0)
        rc = registry_commit_naming(reg, staging, !held, write_report,
                                    report, id, err);
    train_report_free(report);
    if (rc < 0)
        registry_discard(reg, staging);
    return rc;
}

int train_into_registry(struct registry *reg, const struct train_options *opt,
                        struct train_summary *sum, char *id,
                        struct errbuf *err)
{
    return train_commit(reg, opt, sum, id, 0, err);
}

int train_into_registry_held(struct registry *reg,
                             const struct train_options *opt,
                             struct train_summary *sum, char *id,
                             struct errbuf *err)
{
    return train_commit(reg, opt, sum, id, 1, err);
}
