/*
 * test_paths.c — where incomescore looks when it is not told (paths.h):
 * each default, and the environment variable that moves it, set, empty
 * and unset.
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "base/paths.h"

/* Runs with `name` set to `value` (NULL: unset) and puts back what the
 * environment held before. */
struct saved_env {
    const char *name;
    char *value;
};

static struct saved_env env_save(const char *name)
{
    const char *old = getenv(name);
    return (struct saved_env){name, old ? strdup(old) : NULL};
}

static void env_restore(struct saved_env *s)
{
    if (s->value)
        setenv(s->name, s->value, 1);
    else
        unsetenv(s->name);
    free(s->value);
}

static void set(const char *name, const char *value)
{
    if (value)
        assert_int_equal(setenv(name, value, 1), 0);
    else
        assert_int_equal(unsetenv(name), 0);
}

static void data_dir_honours_INCOMESCORE_DATA(void **state)
{
    (void)state;
    struct saved_env saved = env_save("INCOMESCORE_DATA");
    set("INCOMESCORE_DATA", "/srv/incomescore/data");
    assert_string_equal(paths_data_dir(), "/srv/incomescore/data");
    set("INCOMESCORE_DATA", "");
    assert_string_equal(paths_data_dir(), INCOMESCORE_DATADIR);
    set("INCOMESCORE_DATA", NULL);
    assert_string_equal(paths_data_dir(), INCOMESCORE_DATADIR);
    env_restore(&saved);
}

static void rules_and_params_are_in_the_data_dir(void **state)
{
    (void)state;
    struct saved_env saved = env_save("INCOMESCORE_DATA");
    set("INCOMESCORE_DATA", "/srv/incomescore/data");
    assert_string_equal(paths_rules_file(),
                        "/srv/incomescore/data/rules.json");
    assert_string_equal(paths_params_file(),
                        "/srv/incomescore/data/model.json");
    set("INCOMESCORE_DATA", NULL);
    assert_string_equal(paths_rules_file(),
                        INCOMESCORE_DATADIR "/rules.json");
    assert_string_equal(paths_params_file(),
                        INCOMESCORE_DATADIR "/model.json");
    env_restore(&saved);
}

static void registry_dir_honours_INCOMESCORE_HOME(void **state)
{
    (void)state;
    struct saved_env saved = env_save("INCOMESCORE_HOME");
    set("INCOMESCORE_HOME", "/srv/incomescore");
    assert_string_equal(paths_registry_dir(), "/srv/incomescore/registry");
    set("INCOMESCORE_HOME", "");
    assert_string_equal(paths_registry_dir(), "./var/registry");
    set("INCOMESCORE_HOME", NULL);
    assert_string_equal(paths_registry_dir(), "./var/registry");
    env_restore(&saved);
}

static void audit_file_honours_INCOMESCORE_HOME(void **state)
{
    (void)state;
    struct saved_env saved = env_save("INCOMESCORE_HOME");
    set("INCOMESCORE_HOME", "/srv/incomescore");
    assert_string_equal(paths_audit_file(), "/srv/incomescore/audit.sqlite3");
    set("INCOMESCORE_HOME", "");
    assert_string_equal(paths_audit_file(), "./var/audit.sqlite3");
    set("INCOMESCORE_HOME", NULL);
    assert_string_equal(paths_audit_file(), "./var/audit.sqlite3");
    env_restore(&saved);
}

static void api_keys_file_is_INCOMESCORE_API_KEYS_or_none(void **state)
{
    (void)state;
    struct saved_env saved = env_save("INCOMESCORE_API_KEYS");
    set("INCOMESCORE_API_KEYS", "/etc/incomescore/keys");
    assert_string_equal(paths_api_keys_file(), "/etc/incomescore/keys");
    set("INCOMESCORE_API_KEYS", "");
    assert_null(paths_api_keys_file());
    set("INCOMESCORE_API_KEYS", NULL);
    assert_null(paths_api_keys_file());
    env_restore(&saved);
}

int suite_paths(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_dir_honours_INCOMESCORE_DATA),
        cmocka_unit_test(rules_and_params_are_in_the_data_dir),
        cmocka_unit_test(registry_dir_honours_INCOMESCORE_HOME),
        cmocka_unit_test(audit_file_honours_INCOMESCORE_HOME),
        cmocka_unit_test(api_keys_file_is_INCOMESCORE_API_KEYS_or_none),
    };
    return RUN_SUITE("paths", tests, count);
}
