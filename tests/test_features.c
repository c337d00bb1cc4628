/*
 * test_features.c — an applicant's eight inputs become the eleven model
 * features against the shipped ENIGH and ITAEE tables (SPEC §3).
 *
 * The expected figures are read from the shipped tables (test_refdata()),
 * never copied here, so a new survey is a change of data/ only; that the
 * tables load as the files say is test_refdata.c's business.
 */
#include "test.h"

#include <math.h>
#include <string.h>

#include "score/features.h"
#include "score/refdata.h"

static struct applicant applicant_in(int state_index, double ingreso)
{
    struct applicant a = {
        .ingreso = ingreso, .antiguedad_laboral_meses = 50,
        .tiempo_desempleado = 0, .trabajos_ultimos_5 = 1,
        .semanas_cotizadas = 1000, .edad = 32, .crecimiento_ingreso = 265.38,
        .lugar_actual = state_index,
    };
    return a;
}

static void the_eight_inputs_pass_through_in_dataset_order(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    struct applicant a = applicant_in(18, 45000);
    double f[FEATURE_COUNT];
    features_from_applicant(rd, &a, f);
    assert_true(f[F_INGRESO] == 45000);
    assert_true(f[F_ANTIGUEDAD_LABORAL_MESES] == 50);
    assert_true(f[F_TIEMPO_DESEMPLEADO] == 0);
    assert_true(f[F_TRABAJOS_ULTIMOS_5] == 1);
    assert_true(f[F_SEMANAS_COTIZADAS] == 1000);
    assert_true(f[F_EDAD] == 32);
    assert_true(f[F_CRECIMIENTO_INGRESO] == 265.38);
    static const char *const order[] = {
        "ingreso", "antiguedad_laboral_meses", "tiempo_desempleado",
        "trabajos_ultimos_5", "semanasCotizadas", "edad",
        "crecimiento_ingreso", "decil_ingreso_ENIGH", "liquidez_porcentual",
        "costo_de_vida", "crecimiento_gral", "jubilado"};
    for (int v = 0; v < VARIABLE_COUNT; v++) {
        assert_string_equal(variable_names[v], order[v]);
        assert_int_equal(variable_by_name(order[v]), v);
    }
    assert_int_equal(variable_by_name("lugar_actual"), -1);
}

static double decil_of(int state, double ingreso)
{
    double decil, liq, costo, gral;
    features_of_state(test_refdata(), state, ingreso, &decil, &liq, &costo,
                      &gral);
    return decil;
}

/* In every state, at every one of its ten thresholds: the largest income
 * below it is one decil lower than the threshold itself. */
static void decil_counts_thresholds_at_or_below_ingreso(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    for (int s = 0; s < STATE_COUNT; s++) {
        const double *d = rd->enigh[s].deciles;
        assert_true(decil_of(s, 0) == 0);
        for (int k = 0; k < ENIGH_DECILES; k++) {
            double below = nextafter(d[k], -INFINITY);
            if (decil_of(s, below) != k || decil_of(s, d[k]) != k + 1)
                fail_msg("%s: ingreso %.17g gives decil %g, %.17g gives %g; "
                         "expected %d and %d", rd->states[s].name, below,
                         decil_of(s, below), d[k], decil_of(s, d[k]), k,
                         k + 1);
        }
        assert_true(decil_of(s, 10 * d[ENIGH_DECILES - 1]) == 10);
    }
}

static void liquidez_and_costo_are_percent_differences(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    const struct enigh_figures *e = &rd->enigh[0]; /* Aguascalientes */
    double decil, liq, costo, gral;
    features_of_state(rd, 0, e->liquidez, &decil, &liq, &costo, &gral);
    assert_true(liq == 0);
    features_of_state(rd, 0, 2 * e->liquidez, &decil, &liq, &costo, &gral);
    assert_true(liq == 100);
    features_of_state(rd, 0, e->gasto_total, &decil, &liq, &costo, &gral);
    assert_true(costo == 0);
    features_of_state(rd, 0, 0, &decil, &liq, &costo, &gral);
    assert_true(liq == -100 && costo == -100);
    features_of_state(rd, 0, 45000, &decil, &liq, &costo, &gral);
    assert_true(liq == (45000.0 - e->liquidez) / e->liquidez * 100.0);
    assert_true(costo == (45000.0 - e->gasto_total) / e->gasto_total * 100.0);
}

static void crecimiento_gral_is_the_state_itaee_of_the_year(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    int year = rd->itaee_year - rd->itaee_first_year;
    assert_int_equal(rd->itaee_year, ITAEE_DEFAULT_YEAR);
    for (int s = 0; s < STATE_COUNT; s++) {
        double decil, liq, costo, gral;
        features_of_state(rd, s, 1000, &decil, &liq, &costo, &gral);
        if (gral != rd->itaee[s][year])
            fail_msg("%s: crecimiento_gral %.17g, ITAEE %d is %.17g",
                     rd->states[s].name, gral, rd->itaee_year,
                     rd->itaee[s][year]);
    }
}

static void unknown_state_gets_the_original_imputation(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    struct applicant a = applicant_in(STATE_UNKNOWN, 45000);
    double f[FEATURE_COUNT];
    features_from_applicant(rd, &a, f);
    assert_true(f[F_DECIL_INGRESO_ENIGH] == 6);
    assert_true(f[F_LIQUIDEZ_PORCENTUAL] == 0);
    assert_true(f[F_COSTO_DE_VIDA] == 0);
    assert_true(f[F_CRECIMIENTO_GRAL] == 0);
    a.lugar_actual = 32; /* out of range is unknown too, never Zacatecas */
    features_from_applicant(rd, &a, f);
    assert_true(f[F_DECIL_INGRESO_ENIGH] == 6);
}

int suite_features(int *count)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_eight_inputs_pass_through_in_dataset_order),
        cmocka_unit_test(decil_counts_thresholds_at_or_below_ingreso),
        cmocka_unit_test(liquidez_and_costo_are_percent_differences),
        cmocka_unit_test(crecimiento_gral_is_the_state_itaee_of_the_year),
        cmocka_unit_test(unknown_state_gets_the_original_imputation),
    };
    *count = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("features", tests, NULL, NULL);
}
