/*
 * cmd_predict.c — `incomescore predict`: API request objects in, one JSON
 * per line; one response per line out, in order. A bad line is answered
 * in place with {"error": ..., "detail": [...]}, never skipped; blank
 * lines are skipped and counted (stream.h says why). The engine is
 * score_stream (score/stream.h); this file picks the bundle and the
 * streams and prints the summary.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "registry/live.h"
#include "score/stream.h"

static const char predict_help[] =
    "usage: " PROGRAM " predict [--registry DIR | --model BUNDLE] "
    "[--explain]\n"
    "                         < requests.jsonl > scores.jsonl\n"
    "\n"
    "Scores API request objects (one JSON object per line, the fields of\n"
    "POST /v1/prediction) with the live model of the registry, or with the\n"
    "bundle directory given by --model. Writes one response per line, in\n"
    "order: {\"scoring\": 678.17, \"cluster\": \"A\", ...}, or for a bad line\n"
    "{\"error\": \"edad: Input should be greater than or equal to 18\",\n"
    "\"detail\": [...]}, the detail as the API's 422 (FastAPI + pydantic 2):\n"
    "numeric strings such as \"32\" are read as numbers, as the API does.\n"
    "A line that is not JSON is answered with where and why:\n"
    "{\"error\": \"line 3: ...\", \"detail\": [{\"type\": \"json_invalid\", ...}]}.\n"
    "Lines longer than 1 MiB are answered with an error too. Blank lines\n"
    "are skipped: they get no answer, so answer N answers the Nth non-blank\n"
    "line; the count of blank lines goes to stderr.\n"
    "Exit 0 when every line was scored, 1 when any line was bad.\n"
    "\n"
    "--registry DIR  default " PATHS_REGISTRY_HELP ", else "
    PATHS_REGISTRY_FALLBACK "\n"
    "--model BUNDLE  a bundle directory (registry/versions/ID)\n"
    "--explain       add the model's own explanation to each answer:\n"
    "                \"explanation\": {\"base\": 564.2, \"features\":\n"
    "                {\"ingreso\": 31.07, ...}}, each feature's contribution\n"
    "                in score points (SHAP values); base + contributions is\n"
    "                the score before clamping and rounding\n"
    HELP_ENV_HEAD HELP_ENV_HOME;

static const struct option predict_options[] = {
    {"registry", required_argument, NULL, 'r'},
    {"model", required_argument, NULL, 'm'},
    {"explain", no_argument, NULL, 'x'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_predict(int argc, char **argv)
{
    const char *cmd = "predict";
    const char *registry_path = NULL, *model_path = NULL;
    bool explain = false;
    int c;
    while ((c = cli_getopt(argc, argv, predict_options)) != -1) {
        switch (c) {
        case 'r': registry_path = optarg; break;
        case 'm': model_path = optarg; break;
        case 'x': explain = true; break;
        case 'h': fputs(predict_help, stdout); return EXIT_OK;
        default: return bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (registry_path && model_path)
        return usage_error(cmd, "give --registry or --model, not both");

    struct errbuf err;
    struct bundle *b;
    if (live_model_bundle(&b, registry_path, model_path, &err) < 0)
        return fail(cmd, "%s", err.msg);
    static char inbuf[1 << 20], outbuf[1 << 20];
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct stream_options opt = {.in = stdin, .out = stdout,
                                 .explain = explain,
                                 .out_name = "stdout"};
    struct stream_counts n;
    int rc = score_stream(&b->scorer, &opt, &n, &err);
    bundle_free(b);
    if (rc < 0)
        return fail(cmd, "%s", err.msg);
    if (fflush(stdout) != 0)
        return fail(cmd, "writing stdout failed");
    if (n.bad || n.blank)
        fprintf(stderr, PROGRAM " predict: %ld lines, %ld bad, %ld blank "
                "skipped\n", n.lines, n.bad, n.blank);
    return n.bad ? EXIT_FAIL : EXIT_OK;
}
