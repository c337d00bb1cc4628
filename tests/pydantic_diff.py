#!/usr/bin/env python3
"""tests/pydantic_diff.py — our 422 detail lists against FastAPI + pydantic 2.

    tests/pydantic_diff.py path/to/incomescore BUNDLE_DIR

Sends request bodies, one per line, to `incomescore predict --model
BUNDLE_DIR` and compares each bad line's "detail" (the API's 422 list,
request.h) with what FastAPI would answer: Python's json.loads for
malformed text (json_invalid at e.pos), then pydantic 2's lax validation
of a model with our fields and ranges, loc prefixed with "body". Lines
both accept must both be scored. Our own cross-field rules have no
pydantic counterpart and are left out of the bodies. Exit 0 when all
agree, 1 otherwise, 77 when pydantic 2 is not installed (tests/cli.sh
then says it was skipped).
"""
import json
import subprocess
import sys

try:
    import pydantic
    from pydantic import BaseModel, Field, TypeAdapter, ValidationError
    if int(pydantic.VERSION.split(".")[0]) < 2:
        raise ImportError
except ImportError:
    sys.exit(77)


class Request(BaseModel):
    ingreso: float = Field(ge=0, le=10000000)
    antiguedad_laboral_meses: int = Field(ge=0, le=840)
    tiempo_desempleado: int = Field(ge=0, le=840)
    trabajos_ultimos_5: int = Field(ge=0, le=100)
    semanasCotizadas: int = Field(ge=0, le=3640)
    edad: int = Field(ge=18, le=80)
    crecimiento_ingreso: float = Field(ge=-100, le=100000)
    lugar_actual: int = Field(ge=0, le=31)


ADAPTER = TypeAdapter(Request)  # FastAPI validates a body field this way
GOOD = {"ingreso": 45000, "antiguedad_laboral_meses": 0,
        "tiempo_desempleado": 0, "trabajos_ultimos_5": 1,
        "semanasCotizadas": 1000, "edad": 32, "crecimiento_ingreso": 265.38,
        "lugar_actual": 18}


def fastapi_detail(body):
    try:
        obj = json.loads(body)
    except json.JSONDecodeError as e:
        return [{"type": "json_invalid", "loc": ["body", e.pos],
                 "msg": "JSON decode error", "input": {},
                 "ctx": {"error": e.msg}}]
    try:
        ADAPTER.validate_python(obj, from_attributes=True)
        return None
    except ValidationError as e:
        return [dict(d, loc=["body"] + list(d["loc"]))
                for d in e.errors(include_url=False)]


def bodies():
    values = ["32", " 32 ", "32.0", "32.5", "1_000", "+32", "0x10", "3e1",
              True, False, None, [], {}, 32.0, 32.5, "", "abc", "32.", ".5",
              17, 81, -1, "17", "\t40\n", "1__0", "4_0", 1e300, 1e19, "1e3",
              "5.", -0.0, "0040", "-5"]
    for field in GOOD:
        for v in values:
            d = dict(GOOD)
            d[field] = v
            if field == "ingreso" and v in (0, False, "-0", -0.0):
                continue  # ingreso 0 with growth: our own rule
            yield json.dumps(d)
        d = dict(GOOD)
        del d[field]
        yield json.dumps(d)
    yield from ['{', '{"a":1,}', '[1,]', '{"a" 1}', '{"a":1 "b"}',
                '{"a":1}x', '{"a":"x', '{"a":"\\q"}', '{"a":"\\u12"}',
                '{a:1}', '-', '01', '{"a":1.}', '{"a":tru}', '[]', '[1]',
                '"x"', '5', 'null', '{}', '{"edad": 32}', '  {"edad": 01}',
                '{"lugar_actual": "\u00f1", "x": tru}', '{"a": [1, 2',
                '{"name": "Test", "price": None}']


def main():
    binary, bundle = sys.argv[1], sys.argv[2]
    lines = list(bodies())
    out = subprocess.run([binary, "predict", "--model", bundle],
                         input="\n".join(lines) + "\n", capture_output=True,
                         text=True).stdout.splitlines()
    if len(out) != len(lines):
        print(f"pydantic_diff: {len(out)} answers for {len(lines)} lines")
        return 1
    differ = 0
    for body, answer in zip(lines, out):
        want = fastapi_detail(body.encode())
        got = json.loads(answer).get("detail")
        if "error" not in json.loads(answer):
            got = None
        if want != got:
            differ += 1
            print(f"pydantic_diff: {body}\n  FastAPI {json.dumps(want)}\n"
                  f"  ours    {json.dumps(got)}")
    print(f"pydantic_diff: {len(lines)} bodies, {differ} differ "
          f"(pydantic {pydantic.VERSION})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
