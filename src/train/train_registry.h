/*
 * train_registry.h — a dataset becomes a new version in the model
 * registry: what `incomescore train` does, as one library call, so that
 * the coming `pipeline` command (ETL → train → evaluate → gate → promote)
 * and the tests make versions the same way.
 *
 * Staged, trained, loaded back with every check a server makes
 * (bundle_load), and only then committed: a version that would not serve
 * never enters the registry, and a failed run leaves nothing in it (its
 * staging directory is removed). The training report names the version,
 * so it is written by the commit itself, once the id is certain
 * (registry_commit_naming); it is outside the manifest's hashes. The new version is made live only when
 * the registry had no live version yet (registry_commit); otherwise
 * promoting it is the caller's decision.
 */
#ifndef INCOMESCORE_TRAIN_REGISTRY_H
#define INCOMESCORE_TRAIN_REGISTRY_H

#include "base/errbuf.h"
#include "registry/registry.h"
#include "train/train.h"

/* Trains opt's dataset (train_bundle) into a new version of reg; its id
 * goes to id (REGISTRY_ID_SIZE bytes) and the run's figures to sum.
 * Returns 0, or -1 with the reason. As with registry_commit, a version
 * committed but not made live is -1 with id set and a message saying
 * so. */
int train_into_registry(struct registry *reg, const struct train_options *opt,
                        struct train_summary *sum, char *id,
                        struct errbuf *err);

/* The same, but the new version is never made live (registry_commit_held):
 * the pipeline's gate decides. */
int train_into_registry_held(struct registry *reg,
                             const struct train_options *opt,
                             struct train_summary *sum, char *id,
                             struct errbuf *err);

#endif
