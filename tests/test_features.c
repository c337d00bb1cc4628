/*
 * test_features.c — an applicant's eight inputs become the eleven model
 * features against the shipped ENIGH and ITAEE tables (SPEC §3).
 */
#include "test.h"

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

/* Aguascalientes (index 0): deciles 2267 4568 6886 9189 11253 13798 17276
 * 20600 26739 41366, liquidez 15395, gasto 13925. */
static void decil_counts_thresholds_at_or_below_ingreso(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    static const struct { double ingreso; int decil; } cases[] = {
        {0, 0}, {2266.99, 0}, {2267, 1}, {9188.99, 3}, {9189, 4},
        {41365.99, 9}, {41366, 10}, {1e6, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double decil, liq, costo, gral;
        features_of_state(rd, 0, cases[i].ingreso, &decil, &liq, &costo,
                          &gral);
        if (decil != cases[i].decil)
            fail_msg("ingreso %g: decil %g, expected %d", cases[i].ingreso,
                     decil, cases[i].decil);
    }
}

static void liquidez_and_costo_are_percent_differences(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    double decil, liq, costo, gral;
    features_of_state(rd, 0, 15395, &decil, &liq, &costo, &gral);
    assert_true(liq == 0);
    features_of_state(rd, 0, 30790, &decil, &liq, &costo, &gral);
    assert_true(liq == 100);
    features_of_state(rd, 0, 13925, &decil, &liq, &costo, &gral);
    assert_true(costo == 0);
    features_of_state(rd, 0, 0, &decil, &liq, &costo, &gral);
    assert_true(liq == -100 && costo == -100);
    features_of_state(rd, 0, 45000, &decil, &liq, &costo, &gral);
    assert_true(liq == (45000.0 - 15395.0) / 15395.0 * 100.0);
    assert_true(costo == (45000.0 - 13925.0) / 13925.0 * 100.0);
}

static void crecimiento_gral_is_the_state_itaee_of_the_year(void **state)
{
    (void)state;
    const struct refdata *rd = test_refdata();
    double decil, liq, costo, gral;
    features_of_state(rd, 0, 1000, &decil, &liq, &costo, &gral);
    assert_true(gral == 2.249325290574327); /* Aguascalientes, 2023 */
    features_of_state(rd, 3, 1000, &decil, &liq, &costo, &gral);
    assert_true(gral == -4.427459504992997); /* Campeche, 2023 */
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
