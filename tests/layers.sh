#!/bin/sh
# tests/layers.sh — the tree's stages depend one way: each folder of src/
# may include only the folders listed for it below, so the data's path
# (documents → features → rules → training → bundle → registry → scoring
# → API) stays the shape of the code. The scoring core (base, score,
# registry) in particular never reaches training, XGBoost or HTTP.
#
#   tests/layers.sh [src-dir]     prints "layers: N passed, M failed"
set -u
SRC=${1:-src}
allowed() {
    case $1 in
    base)     echo "base" ;;
    score)    echo "base score" ;;
    etl)      echo "base score etl" ;;
    registry) echo "base score registry" ;;
    remote)   echo "base score registry remote" ;;
    train)    echo "base score etl registry train" ;;
    pipeline) echo "base score etl registry remote train pipeline" ;;
    http)     echo "base score registry remote http" ;;
    demo)     echo "base score demo" ;;
    cli)      echo "base score etl registry remote train pipeline http demo cli" ;;
    *)        echo "" ;;
    esac
}
passed=0 failed=0
for dir in "$SRC"/*/; do
    stage=$(basename "$dir")
    ok=$(allowed "$stage")
    if [ -z "$ok" ]; then
        echo "layers: src/$stage/ is a folder this script does not know: add it to allowed()"
        failed=$((failed + 1))
        continue
    fi
    bad=0
    for f in "$dir"*.c "$dir"*.h; do
        [ -e "$f" ] || continue
        for dep in $(sed -n 's/^#include "\([a-z_]*\)\/.*/\1/p' "$f" | sort -u); do
            case " $ok " in
            *" $dep "*) ;;
            *) echo "layers: $f includes $dep/, which src/$stage/ may not use"
               bad=1 ;;
            esac
        done
        if [ "$stage" != train ] && [ "$stage" != cli ] &&
           grep -q '#include <xgboost/' "$f"; then
            echo "layers: $f includes XGBoost, which only src/train/ may use"
            bad=1
        fi
    done
    if [ $bad = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "layers: $passed passed, $failed failed"
[ $failed = 0 ]
